/**
 * The token-category masks of the loss tables (docs/semantics.md §4; REPO `masks.py` `get_all_masks`).
 *
 * Alignment: a dataset row has `width` = n_ctx + 1 tokens (301). Loss position `t ∈ [0, width-2]` has input token
 * `row[t]` and label `row[t+1]`; every category mask is `[N, width-1]`, aligned with the loss matrix. The "raw" per-row
 * helpers below are indexed by dataset position `p ∈ [0, width-1]` and get shifted into loss positions as REPO does:
 * `[:, :-1]` (refers to the input, p = t) or `[:, 1:]` (refers to the label, p = t+1).
 */
import { FormatError } from "@isc/core";
import _ from "lodash";
import type { TokenArray } from "./token-ranks.js";

// ---------------------------------------------------------------------------------------------------------------
// Category keys and labels

/** The 9 printed categories, in table order (REPO `main.py` `evals`); camel-case versions of REPO's mask keys. */
export const TABLE_MASK_KEYS = [
  "overall",
  "inductionCandidates",
  "repeatCandidates",
  "repeats",
  "uncommonRepeats",
  "nerbUncommonRepeats",
  "misleadingInduction",
  "candidateErb",
  "nferbUncommonRepeats",
] as const;
export type TableMaskKey = (typeof TABLE_MASK_KEYS)[number];

/** Masks `get_all_masks` computes but REPO never prints. */
export const EXTRA_MASK_KEYS = [
  "erb",
  "ferb",
  "ferbnerb",
  "nCandidateErb",
  "candidateFerb",
  "candidateFerbnerb",
  "nferbnerbUncommonRepeats",
] as const;

/**
 * Every mask `get_all_masks` builds, plus OVERALL: the 9 printed table rows in table order, then the unprinted
 * ones. Camel-case versions of REPO's dict keys. A key's index here is its bit in `CategoryMasks`' per-position word.
 */
export const MASK_KEYS = [...TABLE_MASK_KEYS, ...EXTRA_MASK_KEYS] as const;
export type MaskKey = (typeof MASK_KEYS)[number];

export interface CategoryInfo {
  readonly key: TableMaskKey;
  /** Label printed by REPO @0272edd, the seed notebook's version. */
  readonly label: string;
  /** Label printed by REPO @e30ba3d and later (only NON-ERB UNCOMMON REPEATS changed, to "NERB UR"). */
  readonly shortLabel: string;
  /** REPO's `get_all_masks` key; undefined for OVERALL, which REPO builds inline. */
  readonly repoKey: string | undefined;
}

/** The 9 table rows, in the order REPO prints them. */
export const TABLE_CATEGORIES: readonly CategoryInfo[] = [
  { key: "overall", label: "OVERALL", shortLabel: "OVERALL", repoKey: undefined },
  { key: "inductionCandidates", label: "CANDIDATES", shortLabel: "CANDIDATES", repoKey: "induction_candidates" },
  { key: "repeatCandidates", label: "LATER CANDIDATES", shortLabel: "LATER CANDIDATES", repoKey: "repeat_candidates" },
  { key: "repeats", label: "REPEATS", shortLabel: "REPEATS", repoKey: "repeats" },
  { key: "uncommonRepeats", label: "UNCOMMON REPEATS", shortLabel: "UNCOMMON REPEATS", repoKey: "uncommon_repeats" },
  {
    key: "nerbUncommonRepeats",
    label: "NON-ERB UNCOMMON REPEATS",
    shortLabel: "NERB UR",
    repoKey: "nerb_uncommon_repeats",
  },
  {
    key: "misleadingInduction",
    label: "MISLEADING INDUCTION",
    shortLabel: "MISLEADING INDUCTION",
    repoKey: "misleading_induction",
  },
  { key: "candidateErb", label: "CANDIDATE ERB", shortLabel: "CANDIDATE ERB", repoKey: "candidate_erb" },
  { key: "nferbUncommonRepeats", label: "NFERB UR", shortLabel: "NFERB UR", repoKey: "nferb_uncommon_repeats" },
];

/** Rank at or above which a token counts as "uncommon" (REPO `build_token_frequency_mask(200)`). */
export const DEFAULT_UNCOMMON_RANK = 200;

// ---------------------------------------------------------------------------------------------------------------
// Fuzzy token classes (FERB)

/** Python `' ()[]{},.:;-_"'`, the characters `utils.tok_stdize_simple_strip` strips. */
const STRIP_CHARS = new Set([..." ()[]{},.:;-_\""]);

/**
 * REPO `tok_stdize_simple_strip`: `s.upper().strip(' ()[]{},.:;-_"')`. Python's `strip(chars)` removes any run of
 * those characters (not whitespace in general: "\n" stays) from both ends, so a token made only of them becomes "".
 * `toUpperCase` and `str.upper` both apply Unicode full case mapping ("ß" → "SS").
 */
export function stdizeToken(s: string): string {
  const up = s.toUpperCase();
  // Code units suffice: every strip character is ASCII, so a surrogate can never be one.
  let start = 0;
  let end = up.length;
  while (start < end && STRIP_CHARS.has(up[start]!)) start++;
  while (end > start && STRIP_CHARS.has(up[end - 1]!)) end--;
  return up.slice(start, end);
}

/**
 * Map each token id to the id of its `stdizeToken` class, so FERB can compare small ints instead of strings.
 * Classes are numbered in order of first appearance over ids 0..vocab-1.
 * @returns `classOf: Int32Array[vocab]` and `numClasses`.
 */
export function tokenClasses(tokenStrings: readonly string[]): { classOf: Int32Array; numClasses: number } {
  const ids = new Map<string, number>();
  const classOf = new Int32Array(tokenStrings.length); // [vocab]
  for (let id = 0; id < tokenStrings.length; id++) {
    const key = stdizeToken(tokenStrings[id]!);
    let c = ids.get(key);
    if (c === undefined) {
      c = ids.size;
      ids.set(key, c);
    }
    classOf[id] = c;
  }
  return { classOf, numClasses: ids.size };
}

// ---------------------------------------------------------------------------------------------------------------
// Per-row raw masks, indexed by dataset position p

/**
 * A set of (x, y) pairs of small non-negative ints, cleared in O(1) by bumping a generation, so one instance serves
 * every row of a 10^5-row dataset without reallocating. Open addressing with linear probing; sized for at most
 * `maxItems` pairs per generation at load <= 1/2.
 */
class PairSet {
  private readonly xs: Int32Array; // [capacity]
  private readonly ys: Int32Array; // [capacity]
  private readonly gens: Uint32Array; // [capacity]: slot is occupied iff gens[slot] === generation
  private readonly slotMask: number;
  private generation = 1;

  constructor(maxItems: number) {
    let capacity = 16;
    while (capacity < 2 * maxItems) capacity *= 2;
    this.xs = new Int32Array(capacity);
    this.ys = new Int32Array(capacity);
    this.gens = new Uint32Array(capacity);
    this.slotMask = capacity - 1;
  }

  clear(): void {
    this.generation++;
    if (this.generation === 0xffffffff) {
      this.gens.fill(0);
      this.generation = 1;
    }
  }

  /** Inserts (x, y); returns whether it was already present. */
  addHas(x: number, y: number): boolean {
    let slot = (Math.imul(x, 0x9e3779b1) ^ Math.imul(y + 0x7f4a7c15, 0x85ebca77)) >>> 0;
    slot = (slot ^ (slot >>> 15)) & this.slotMask;
    for (;;) {
      if (this.gens[slot] !== this.generation) {
        this.gens[slot] = this.generation;
        this.xs[slot] = x;
        this.ys[slot] = y;
        return false;
      }
      if (this.xs[slot] === x && this.ys[slot] === y) return true;
      slot = (slot + 1) & this.slotMask;
    }
  }
}

/**
 * `repRaw[p]` = `row[p]` occurred at some position `< p` (REPO `mask_repeats.pkl`).
 * @param row `[width]` token ids. @returns `Uint8Array[width]` of 0/1.
 */
export function repRaw(row: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(row.length); // [width]
  const seen = new Set<number>();
  for (let p = 0; p < row.length; p++) {
    const tok = row[p]!;
    if (seen.has(tok)) out[p] = 1;
    else seen.add(tok);
  }
  return out;
}

/**
 * End of repeated bigram (REPO `build_end_of_repeated_bigram_mask`): for `p >= 2`, `erbRaw[p]` = the bigram
 * `(row[p-1], row[p])` equals some `(row[q-1], row[q])` with `1 <= q < p`. The seen set starts with
 * `(row[0], row[1])`, and positions 0 and 1 are always 0.
 * @param row `[width]` token ids. @param classOf optional `[vocab]` map applied to every token first (FERB).
 * @returns `Uint8Array[width]` of 0/1.
 */
export function erbRaw(row: ArrayLike<number>, classOf?: Int32Array): Uint8Array {
  const w = row.length;
  const out = new Uint8Array(w); // [width]
  if (w < 2) return out;
  const cls = (tok: number): number => (classOf === undefined ? tok : classOf[tok]!);
  const seen = new PairSet(w);
  seen.addHas(cls(row[0]!), cls(row[1]!));
  for (let p = 2; p < w; p++) if (seen.addHas(cls(row[p - 1]!), cls(row[p]!))) out[p] = 1;
  return out;
}

/**
 * Fuzzy ERB (REPO `mask_simple_strip_fuzzy_ends_of_repeated_bigrams.pkl`): `erbRaw` over `stdizeToken` classes.
 * @param classOf `[vocab]` from `tokenClasses`. @returns `Uint8Array[width]`.
 */
export function fuzzyErbRaw(row: ArrayLike<number>, classOf: Int32Array): Uint8Array {
  return erbRaw(row, classOf);
}

/**
 * Misleading induction (REPO `build_misleading_induction_mask`): for `p >= 2`, `miRaw[p]` = `row[p-1]` has been
 * followed by something before (it occurs at some position `<= p-2`), but never by `row[p]`.
 *
 * REPO keeps `succ: token -> set of followers`, seeded with `succ[row[0]] = {row[1]}`. Before step p, its keys are
 * exactly `row[0..p-2]` and its pairs exactly the bigrams ERB has seen, so `miRaw[p] = repRaw[p-1] AND NOT erbRaw[p]`.
 * That identity lets the dataset pass share ERB's bigram set instead of keeping a map of sets per row.
 * @returns `Uint8Array[width]` of 0/1 (positions 0 and 1 are 0).
 */
export function miRaw(row: ArrayLike<number>): Uint8Array {
  const rep = repRaw(row); // [width]
  const erb = erbRaw(row); // [width]
  const out = new Uint8Array(row.length); // [width]
  for (let p = 2; p < row.length; p++) out[p] = rep[p - 1]! & (erb[p]! ^ 1);
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Whole-dataset masks

/** Bits of `CategoryMasks.raw`, one byte per dataset position. */
export const RAW_FLAG = { rep: 1, erb: 2, ferb: 4, mi: 8 } as const;

export interface MaskInputs {
  /** The dataset, `[rows, width]` flattened row-major. */
  readonly tokens: TokenArray;
  /** Tokens per row: n_ctx + 1 (301). */
  readonly width: number;
  /** `Uint8Array[vocab]`, nonzero = good induction candidate. */
  readonly candidates: Uint8Array;
  /** `Uint32Array[vocab]` from `tokenFrequencyRanks`. */
  readonly ranks: Uint32Array;
  /** `[vocab]` decoded string of each id, for FERB. */
  readonly tokenStrings: readonly string[];
  /** Default 200. */
  readonly uncommonRank?: number;
}

/**
 * All category masks of a dataset. The per-position raw flags (REP/ERB/FERB/MI) are computed once, eagerly, in one
 * linear pass (one byte per token). Category masks are derived from them: `datasetMask(key)` materialises and caches
 * one whole-dataset mask on demand (rows·(width-1) bytes each: ~31 MB for the real dataset, so the 16 are not all
 * built up front), and `gather` derives masks for sampled rows only.
 */
export class CategoryMasks {
  readonly rows: number;
  readonly width: number;
  /** Loss positions per row: width - 1. */
  readonly lossWidth: number;
  readonly uncommonRank: number;
  /** `Uint8Array[rows, width]`: `RAW_FLAG` bits per dataset position. */
  readonly raw: Uint8Array;
  private readonly tokens: TokenArray;
  private readonly candidates: Uint8Array;
  private readonly ranks: Uint32Array;
  private readonly cache = new Map<MaskKey, Uint8Array>();

  private constructor(inputs: MaskInputs, raw: Uint8Array) {
    this.tokens = inputs.tokens;
    this.width = inputs.width;
    this.rows = inputs.tokens.length / inputs.width;
    this.lossWidth = inputs.width - 1;
    this.candidates = inputs.candidates;
    this.ranks = inputs.ranks;
    this.uncommonRank = inputs.uncommonRank ?? DEFAULT_UNCOMMON_RANK;
    this.raw = raw;
  }

  static compute(inputs: MaskInputs): CategoryMasks {
    const { tokens, width, candidates, ranks, tokenStrings } = inputs;
    if (!Number.isInteger(width) || width < 2) throw new FormatError(`width must be an integer >= 2, got ${width}`);
    if (tokens.length % width !== 0) throw new FormatError(`tokens.length ${tokens.length} is not a multiple of ${width}`);
    const vocab = candidates.length;
    if (ranks.length !== vocab || tokenStrings.length !== vocab) {
      throw new FormatError(
        `vocab mismatch: candidates ${vocab}, ranks ${ranks.length}, tokenStrings ${tokenStrings.length}`,
      );
    }
    for (let i = 0; i < tokens.length; i++) {
      if (tokens[i]! >= vocab) throw new FormatError(`token id ${tokens[i]} at flat index ${i} is >= vocab ${vocab}`);
    }
    const { classOf } = tokenClasses(tokenStrings);
    const rows = tokens.length / width;
    const raw = new Uint8Array(tokens.length); // [rows, width]
    // Row r has seen token id v iff lastRow[v] === r: a per-row "seen" set with O(1) clearing.
    const lastRow = new Int32Array(vocab).fill(-1); // [vocab]
    const bigrams = new PairSet(width);
    const fuzzyBigrams = new PairSet(width);
    for (let r = 0; r < rows; r++) {
      const o = r * width;
      bigrams.clear();
      fuzzyBigrams.clear();
      for (let p = 0; p < width; p++) {
        const tok = tokens[o + p]!;
        let f = 0;
        if (lastRow[tok] === r) f |= RAW_FLAG.rep;
        lastRow[tok] = r;
        if (p >= 1) {
          const prev = tokens[o + p - 1]!;
          // p = 1 is the seed bigram: recorded, never flagged.
          const erb = bigrams.addHas(prev, tok) && p >= 2;
          const ferb = fuzzyBigrams.addHas(classOf[prev]!, classOf[tok]!) && p >= 2;
          if (erb) f |= RAW_FLAG.erb;
          if (ferb) f |= RAW_FLAG.ferb;
          // miRaw[p] = repRaw[p-1] AND NOT erbRaw[p] (see miRaw); repRaw[0] = 0 keeps p = 1 clear.
          if (!erb && (raw[o + p - 1]! & RAW_FLAG.rep) !== 0) f |= RAW_FLAG.mi;
        }
        raw[o + p] = f;
      }
    }
    return new CategoryMasks(inputs, raw);
  }

  /**
   * Bit `i` set = loss position t of the row starting at flat offset `o` is in category `MASK_KEYS[i]`.
   * The definitions are docs/semantics.md §4's table, written in terms of the raw flags of p = t (input) and p = t+1 (label).
   */
  private bitsAt(o: number, t: number): number {
    const input = this.tokens[o + t]!;
    const label = this.tokens[o + t + 1]!;
    const f0 = this.raw[o + t]!; // flags of the input position
    const f1 = this.raw[o + t + 1]!; // flags of the label position
    const cand = this.candidates[input] !== 0;
    const repeats = (f1 & RAW_FLAG.rep) !== 0; // repRaw[t+1]
    const uncommonRepeats = repeats && this.ranks[label]! >= this.uncommonRank;
    const erb = (f1 & RAW_FLAG.erb) !== 0; // ERB(t) = erbRaw[t+1]
    const ferb = (f1 & RAW_FLAG.ferb) !== 0;
    const ferbnerb = ferb && !erb;
    const candidateErb = cand && erb;
    let bits = 1; // overall
    if (cand) bits |= 1 << 1;
    if (cand && (f0 & RAW_FLAG.rep) !== 0) bits |= 1 << 2; // LATER CANDIDATES uses repRaw[t]
    if (repeats) bits |= 1 << 3;
    if (uncommonRepeats) bits |= 1 << 4;
    if (uncommonRepeats && !erb) bits |= 1 << 5;
    if ((f1 & RAW_FLAG.mi) !== 0 && this.ranks[input]! >= this.uncommonRank) bits |= 1 << 6; // MI(t) = miRaw[t+1]
    if (candidateErb) bits |= 1 << 7;
    if (uncommonRepeats && !ferb) bits |= 1 << 8;
    if (erb) bits |= 1 << 9;
    if (ferb) bits |= 1 << 10;
    if (ferbnerb) bits |= 1 << 11;
    if (!candidateErb) bits |= 1 << 12;
    if (cand && ferb) bits |= 1 << 13;
    if (cand && ferbnerb) bits |= 1 << 14;
    // REPO's "nferbnerb_uncommon_repeats" is the NEGATION of (ferbnerb AND UR), despite its name.
    if (!(ferbnerb && uncommonRepeats)) bits |= 1 << 15;
    return bits;
  }

  /** Writes the masks of dataset row `r` into `outs[k]` at `[dstRow, :]`; `bitIdx[k]` is key k's bit. */
  private fillRow(r: number, dstRow: number, bitIdx: readonly number[], outs: readonly Uint8Array[]): void {
    const o = r * this.width;
    const d = dstRow * this.lossWidth;
    for (let t = 0; t < this.lossWidth; t++) {
      const bits = this.bitsAt(o, t);
      for (let k = 0; k < outs.length; k++) outs[k]![d + t] = (bits >>> bitIdx[k]!) & 1;
    }
  }

  /** `Uint8Array[rows, width-1]` for the whole dataset; built on first request and cached (do not mutate). */
  datasetMask(key: MaskKey): Uint8Array {
    let m = this.cache.get(key);
    if (m === undefined) {
      m = new Uint8Array(this.rows * this.lossWidth); // [rows, width-1]
      const bit = [MASK_KEYS.indexOf(key)];
      for (let r = 0; r < this.rows; r++) this.fillRow(r, r, bit, [m]);
      this.cache.set(key, m);
    }
    return m;
  }

  /**
   * Masks for sampled dataset rows (REPO `get_all_masks(inp_ixes)`), aligned with a `[N, width-1]` loss matrix.
   * @param rowIndices `Int32Array[N]` dataset row of each sample (repeats allowed).
   * @param keys which masks; default the 9 table categories.
   * @returns one `Uint8Array[N, width-1]` per key.
   */
  gather(rowIndices: Int32Array): Record<TableMaskKey, Uint8Array>;
  gather<K extends MaskKey>(rowIndices: Int32Array, keys: readonly K[]): Record<K, Uint8Array>;
  gather(rowIndices: Int32Array, keys: readonly MaskKey[] = TABLE_MASK_KEYS): Partial<Record<MaskKey, Uint8Array>> {
    const n = rowIndices.length;
    const outs = keys.map(() => new Uint8Array(n * this.lossWidth)); // each [N, width-1]
    const bitIdx = keys.map((k) => MASK_KEYS.indexOf(k));
    for (let i = 0; i < n; i++) {
      const r = rowIndices[i]!;
      if (r < 0 || r >= this.rows) throw new RangeError(`row index ${r} at ${i} is outside [0, ${this.rows})`);
      this.fillRow(r, i, bitIdx, outs);
    }
    return _.zipObject(keys, outs);
  }
}
