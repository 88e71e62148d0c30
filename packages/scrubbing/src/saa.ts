/**
 * Subgraph Ablation Attribution (docs/semantics.md §8.1; REPO `utils.get_diff_mean_per_tok_loss`, `compare_saa_in_cui`):
 * for one dataset example held fixed (FixedSampler) while the scrubbed paths are resampled S times, the expected
 * per-token loss increase from experiment 1 to experiment 2.
 */

/**
 * `concat([0], mean_over_samples(e2) − mean_over_samples(e1))`, optionally times `concat([0], mask)`.
 *
 * The leading 0 aligns the result with the T+1 tokens of the dataset row: token p (p >= 1) carries the loss of
 * predicting it, i.e. loss position p-1; token 0 (BEGIN) is never predicted.
 *
 * @param lossE1 `Float32Array[S1*T]` per-token NLL of experiment 1, samples × loss positions.
 * @param lossE2 `Float32Array[S2*T]` the same for experiment 2 (S1 and S2 may differ; REPO uses 1000 for both).
 * @param T loss positions per sample (300).
 * @param mask optional `[T]` loss-aligned 0/1 mask of this example (e.g. one row of a `CategoryMasks.gather`).
 * @returns `Float32Array[T+1]`; means are accumulated in float64.
 */
export function saaDiff(lossE1: Float32Array, lossE2: Float32Array, T: number, mask?: ArrayLike<number>): Float32Array {
  const m1 = meanOverSamples(lossE1, T); // [T]
  const m2 = meanOverSamples(lossE2, T); // [T]
  if (mask !== undefined && mask.length !== T) throw new RangeError(`mask has length ${mask.length}, expected ${T}`);
  const out = new Float32Array(T + 1); // [T+1]
  for (let t = 0; t < T; t++) out[t + 1] = (m2[t]! - m1[t]!) * (mask === undefined ? 1 : mask[t]!);
  return out;
}

/** `Float64Array[T]`: column means of a `[S, T]` matrix. */
export function meanOverSamples(loss: Float32Array, T: number): Float64Array {
  if (!Number.isInteger(T) || T <= 0) throw new RangeError(`T must be a positive integer, got ${T}`);
  if (loss.length === 0 || loss.length % T !== 0) {
    throw new RangeError(`loss length ${loss.length} is not a positive multiple of T = ${T}`);
  }
  const S = loss.length / T;
  const sum = new Float64Array(T); // [T]
  for (let s = 0; s < S; s++) {
    const o = s * T;
    for (let t = 0; t < T; t++) sum[t]! += loss[o + t]!;
  }
  for (let t = 0; t < T; t++) sum[t]! /= S;
  return sum;
}
