/**
 * Frequency rank of every token id over a whole dataset, as REPO `utils.build_common_toks_order` +
 * `replace_toks_by_frequency_rank` compute it (docs/semantics.md §4, "rank").
 *
 * REPO smooths with one extra count of every id in `0..max(dataset)`; we smooth `0..vocab-1`. The ranks of ids that
 * occur in the data are the same either way: every occurring id has count >= 2, every absent id exactly 1, so absent
 * ids always sort after present ones. Only the ranks of absent ids above the data's max id differ, and REPO has no
 * rank for them at all.
 *
 * REPO breaks count ties by `torch.argsort` order, which is unspecified; we break them by smaller id first so the
 * result is deterministic.
 */

/** Token matrices are stored as small unsigned ints; 50259 fits Uint16. */
export type TokenArray = Uint16Array | Uint32Array;

/**
 * @param tokens every token of the dataset, `[rows, width]` flattened (the shape does not matter here: every
 *   position counts, the BEGIN column included, as in REPO).
 * @param vocab vocabulary size; every id must be `< vocab`.
 * @returns `Uint32Array[vocab]`: rank of each id, 0 = most frequent.
 */
export function tokenFrequencyRanks(tokens: TokenArray, vocab: number): Uint32Array {
  if (!Number.isInteger(vocab) || vocab <= 0) throw new RangeError(`vocab must be a positive integer, got ${vocab}`);
  // Start at 1: the Laplace smoothing count. Float64 so that counts cannot overflow for any dataset size.
  const counts = new Float64Array(vocab).fill(1); // [vocab]
  for (let i = 0; i < tokens.length; i++) {
    const id = tokens[i]!;
    if (id >= vocab) throw new RangeError(`token id ${id} at flat index ${i} is >= vocab ${vocab}`);
    counts[id]! += 1;
  }
  const order = new Uint32Array(vocab); // [vocab]: ids, most frequent first
  for (let id = 0; id < vocab; id++) order[id] = id;
  order.sort((a, b) => counts[b]! - counts[a]! || a - b);
  const ranks = new Uint32Array(vocab); // [vocab]
  for (let r = 0; r < vocab; r++) ranks[order[r]!] = r;
  return ranks;
}

/**
 * `Uint8Array[vocab]`: 1 where `rank >= threshold` (REPO `build_token_frequency_mask(200)`, "uncommon" tokens).
 */
export function uncommonTokens(ranks: Uint32Array, threshold = 200): Uint8Array {
  const out = new Uint8Array(ranks.length); // [vocab]
  for (let id = 0; id < ranks.length; id++) out[id] = ranks[id]! >= threshold ? 1 : 0;
  return out;
}
