/**
 * The standard detectors for the induction circuit (Olsson et al. 2022): previous-token heads,
 * induction (prefix-matching) heads on repeated random tokens, and the in-context-learning score.
 * Positions are the model's input positions: a row of W tokens has T = W - 1 of them, and position
 * t's loss `nll[t]` is for predicting row[t + 1]. Rows run through the model a few at a time, so
 * memory stays bounded whatever the number of rows.
 */
import * as tf from "@tensorflow/tfjs-core";
import _ from "lodash";
import type { HookedTransformer } from "./hooked-transformer.js";
import type { Rng } from "./rng.js";
import { TokenError, type TokenInput } from "./tokens.js";

/** scores[layer][head]. */
export type HeadScores = number[][];

export interface BatchOptions {
  /** Rows per forward pass. 8 keeps the cached patterns of a 300-position model near 50 MB. */
  batchSize?: number;
}

const DEFAULT_BATCH = 8;

interface FlatRows {
  data: Int32Array;
  batch: number;
  width: number;
}

function flatten(input: TokenInput): FlatRows {
  if (Array.isArray(input)) {
    if (input.length === 0) throw new TokenError("empty batch: at least one row of tokens is needed");
    const width = input[0].length;
    const data = new Int32Array(input.length * width);
    input.forEach((row, b) => {
      if (row.length !== width) throw new TokenError(`row ${b} has ${row.length} tokens but row 0 has ${width}: rows must have equal length`);
      data.set(row, b * width);
    });
    return { data, batch: input.length, width };
  }
  if (input.data.length !== input.batch * input.width) {
    throw new TokenError(`token data has ${input.data.length} ids but batch ${input.batch} × width ${input.width} needs ${input.batch * input.width}`);
  }
  return { data: Int32Array.from(input.data), batch: input.batch, width: input.width };
}

/**
 * Runs the rows in batches. Per layer and head it sums `pattern * weight` over queries and keys
 * (weight [T, T] selects the (query, key) pairs to score), and per position it sums the loss.
 */
async function scanRows(
  model: HookedTransformer,
  rows: FlatRows,
  weight: Float32Array | null, // [T, T] or none
  batchSize: number,
  onRow?: (row: number, nll: Float32Array) => void, // nll [T] of one row
): Promise<{ mass: Float64Array | null; nllSum: Float64Array }> {
  const { n_layers: L, n_heads: H } = model.cfg;
  const T = rows.width - 1;
  const mass = weight ? new Float64Array(L * H) : null;
  const nllSum = new Float64Array(T);
  const w = weight ? tf.tensor2d(weight, [T, T]) : null; // [T, T]
  try {
    for (let start = 0; start < rows.batch; start += batchSize) {
      const n = Math.min(batchSize, rows.batch - start);
      const chunk = { data: rows.data.subarray(start * rows.width, (start + n) * rows.width), batch: n, width: rows.width };
      const { nll, cache } = model.runWithCache(chunk, { namesFilter: w ? /^blocks\.\d+\.attn\.hook_pattern$/ : () => false });
      try {
        const all = (await nll.data()) as Float32Array; // [n, T]
        for (let b = 0; b < n; b++) {
          const row = all.subarray(b * T, (b + 1) * T);
          for (let t = 0; t < T; t++) nllSum[t] += row[t];
          onRow?.(start + b, row);
        }
        if (w && mass) {
          for (let l = 0; l < L; l++) {
            const perHead = tf.tidy(() => tf.sum(tf.mul(cache.get(`blocks.${l}.attn.hook_pattern`), w), [0, 2, 3])); // [H]
            const h = (await perHead.data()) as Float32Array;
            perHead.dispose();
            for (let i = 0; i < H; i++) mass[l * H + i] += h[i];
          }
        }
      } finally {
        nll.dispose();
        cache.dispose();
      }
    }
  } finally {
    w?.dispose();
  }
  return { mass, nllSum };
}

/** mass [L*H] / divisor, as rows of H per layer. */
function toHeadScores(mass: Float64Array, H: number, divisor: number): HeadScores {
  return _.chunk(Array.from(mass, (m) => m / divisor), H);
}

/**
 * Per (layer, head): the mean attention probability from position t to t - 1, over every row and
 * every position t >= 1 (position 0 has no predecessor).
 */
export async function previousTokenScores(model: HookedTransformer, tokens: TokenInput, options: BatchOptions = {}): Promise<HeadScores> {
  const rows = flatten(tokens);
  const T = rows.width - 1;
  if (T < 2) throw new TokenError(`previous-token scores need rows of at least 3 tokens, got ${rows.width}`);
  const weight = new Float32Array(T * T);
  for (let t = 1; t < T; t++) weight[t * T + t - 1] = 1;
  const { mass } = await scanRows(model, rows, weight, options.batchSize ?? DEFAULT_BATCH);
  return toHeadScores(mass!, model.cfg.n_heads, rows.batch * (T - 1));
}

export interface InductionOptions extends BatchOptions {
  /** Number of random sequences (default 300). */
  nSeq?: number;
  /** Length of the random block r (default 50); rows are [BEGIN] + r + r, 2·len + 1 tokens. */
  len?: number;
  /** r's tokens are uniform in [vocabLow, vocabHigh), drawn with replacement. Default [0, beginId) or [0, d_vocab). */
  vocabLow?: number;
  vocabHigh?: number;
  /** The row's first token; default d_vocab - 1 (the project's [BEGIN] is the last id). */
  beginId?: number;
}

export interface InductionResult {
  /**
   * Prefix-matching score per (layer, head): mean attention from each query in the second copy to
   * the token after that query token's earlier occurrence. With row x = [BEGIN, r0..r(len-1), r0..r(len-1)],
   * the queries are positions q = len+1 .. 2·len-1 (they hold r1..r(len-1); the last token of the row is
   * only a label, never an input) and the key is q - len + 1.
   */
  scores: HeadScores;
  /**
   * Mean loss at positions len+1 .. 2·len-1: predicting r1..r(len-1) in the second copy. Predicting r0
   * (position len) is left out: nothing before it says which token starts the repeat.
   */
  secondCopyLoss: number;
  /** Mean loss at positions 1 .. len-1: predicting the same tokens r1..r(len-1) in the first copy. */
  firstCopyLoss: number;
  /** The rows used, flat [nSeq, 2·len + 1], so a caller can reproduce or inspect them. */
  tokens: Int32Array;
}

/** Induction scores on repeated random tokens; the sequences are drawn from `rng`. */
export async function inductionScores(model: HookedTransformer, rng: Rng, options: InductionOptions = {}): Promise<InductionResult> {
  const cfg = model.cfg;
  const nSeq = options.nSeq ?? 300;
  const len = options.len ?? 50;
  const beginId = options.beginId ?? cfg.d_vocab - 1;
  const low = options.vocabLow ?? 0;
  const high = options.vocabHigh ?? (beginId === cfg.d_vocab - 1 ? cfg.d_vocab - 1 : cfg.d_vocab);
  if (!Number.isInteger(nSeq) || nSeq < 1) throw new RangeError(`nSeq must be a positive integer, got ${nSeq}`);
  if (!Number.isInteger(len) || len < 2) throw new RangeError(`len must be an integer >= 2, got ${len}`);
  if (2 * len > cfg.n_ctx) throw new RangeError(`rows of 2·${len} + 1 tokens do not fit n_ctx ${cfg.n_ctx}`);
  if (!(Number.isInteger(low) && Number.isInteger(high) && 0 <= low && low < high && high <= cfg.d_vocab)) {
    throw new RangeError(`vocab range [${low}, ${high}) is not a non-empty range inside [0, ${cfg.d_vocab})`);
  }
  const width = 2 * len + 1;
  const T = width - 1;
  const data = new Int32Array(nSeq * width);
  for (let s = 0; s < nSeq; s++) {
    const row = s * width;
    data[row] = beginId;
    for (let i = 0; i < len; i++) data[row + 1 + i] = data[row + 1 + len + i] = low + rng.int(high - low);
  }
  const weight = new Float32Array(T * T);
  for (let q = len + 1; q <= 2 * len - 1; q++) weight[q * T + (q - len + 1)] = 1;
  const { mass, nllSum } = await scanRows(model, { data, batch: nSeq, width }, weight, options.batchSize ?? DEFAULT_BATCH);
  const meanOver = (from: number, to: number) => {
    let s = 0;
    for (let t = from; t <= to; t++) s += nllSum[t];
    return s / (nSeq * (to - from + 1));
  };
  return {
    scores: toHeadScores(mass!, cfg.n_heads, nSeq * (len - 1)),
    secondCopyLoss: meanOver(len + 1, 2 * len - 1),
    firstCopyLoss: meanOver(1, len - 1),
    tokens: data,
  };
}

export interface IclResult {
  /** Mean loss at positions 200..299 minus mean loss at positions 10..49; negative = it learns in context. */
  score: number;
  early: number;
  late: number;
  /** Mean loss per position over the rows, [T]. */
  curve: number[];
  /** Mean loss over every row and position. */
  meanLoss: number;
  /** Each row's mean loss in the early and the late window, [rows] each (to break the score down by row groups). */
  perRow: { early: Float64Array; late: Float64Array };
}

export const ICL_EARLY: readonly [number, number] = [10, 49];
export const ICL_LATE: readonly [number, number] = [200, 299];

/** In-context-learning score of Olsson et al., at the positions a 300-position model has. Rows need >= 301 tokens. */
export async function inContextLearningScore(model: HookedTransformer, tokens: TokenInput, options: BatchOptions = {}): Promise<IclResult> {
  const rows = flatten(tokens);
  const T = rows.width - 1;
  if (T <= ICL_LATE[1]) throw new TokenError(`the ICL score needs rows of at least ${ICL_LATE[1] + 2} tokens, got ${rows.width}`);
  const perRow = { early: new Float64Array(rows.batch), late: new Float64Array(rows.batch) };
  const windowMean = (nll: Float32Array, [a, b]: readonly [number, number]) => {
    let s = 0;
    for (let t = a; t <= b; t++) s += nll[t];
    return s / (b - a + 1);
  };
  const { nllSum } = await scanRows(model, rows, null, options.batchSize ?? DEFAULT_BATCH, (r, nll) => {
    perRow.early[r] = windowMean(nll, ICL_EARLY);
    perRow.late[r] = windowMean(nll, ICL_LATE);
  });
  const curve = Array.from(nllSum, (s) => s / rows.batch);
  const curveMean = ([a, b]: readonly [number, number]) => _.mean(curve.slice(a, b + 1));
  const early = curveMean(ICL_EARLY);
  const late = curveMean(ICL_LATE);
  return { score: late - early, early, late, curve, meanLoss: _.mean(curve), perRow };
}
