/** Validation of token input: a wrong id or length must be an error, never a silently wrong loss. */
import { FormatError } from "./errors.js";
import * as tf from "@tensorflow/tfjs-core";
import type { ModelConfig } from "./config.js";

/** Rows of equal width, flat row-major; or nested arrays. */
export type TokenInput =
  | number[][]
  | { data: Int32Array | Uint16Array | Uint32Array | number[]; batch: number; width: number };

export class TokenError extends FormatError {
  override name = "TokenError";
}

/** Checks the rows and makes an int32 tensor [batch, width]; width is n_loss_positions + 1. */
export function tokenTensor(input: TokenInput, cfg: ModelConfig): tf.Tensor2D {
  let batch: number;
  let width: number;
  let flat: Int32Array;
  if (Array.isArray(input)) {
    batch = input.length;
    if (batch === 0) throw new TokenError("empty batch: at least one row of tokens is needed");
    width = input[0].length;
    flat = new Int32Array(batch * width);
    input.forEach((row, b) => {
      if (row.length !== width) throw new TokenError(`row ${b} has ${row.length} tokens but row 0 has ${width}: rows must have equal length`);
      for (let t = 0; t < width; t++) flat[b * width + t] = checkId(row[t], b, t, cfg);
    });
  } else {
    ({ batch, width } = input);
    if (!Number.isInteger(batch) || batch <= 0) throw new TokenError(`empty batch: batch must be a positive integer, got ${batch}`);
    if (input.data.length !== batch * width) {
      throw new TokenError(`token data has ${input.data.length} ids but batch ${batch} × width ${width} needs ${batch * width}`);
    }
    flat = new Int32Array(batch * width);
    for (let i = 0; i < flat.length; i++) flat[i] = checkId(input.data[i], Math.floor(i / width), i % width, cfg);
  }
  if (width < 2) throw new TokenError(`rows need at least 2 tokens (an input and its label), got ${width}`);
  if (width > cfg.n_ctx + 1) {
    throw new TokenError(`rows of ${width} tokens are longer than n_ctx + 1 = ${cfg.n_ctx + 1} (this model has ${cfg.n_ctx} positions)`);
  }
  return tf.tensor2d(flat, [batch, width], "int32");
}

function checkId(v: number, b: number, t: number, cfg: ModelConfig): number {
  if (!Number.isInteger(v) || v < 0 || v >= cfg.d_vocab) {
    throw new TokenError(`token id ${v} at row ${b}, position ${t} is outside the vocabulary [0, ${cfg.d_vocab})`);
  }
  return v;
}
