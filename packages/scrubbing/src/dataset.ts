/**
 * Rows of tokens `[rows, width]` (width = n_ctx + 1: the model reads row[0:T], labels are row[1:T+1]).
 * Sampling is uniform with replacement, as Redwood's `Dataset.sample`.
 */
import { FormatError, UsageError } from "@isc/core";
import type { Rng } from "@isc/core";

export class TokenDataset {
  readonly rows: number;

  constructor(
    /** [rows, width] row-major. */
    readonly tokens: Uint16Array | Uint32Array | Int32Array,
    readonly width: number,
    readonly name = "dataset",
  ) {
    if (!Number.isInteger(width) || width < 2) throw new FormatError(`${name}: width must be an integer ≥ 2, got ${width}`);
    if (tokens.length % width !== 0) throw new FormatError(`${name}: ${tokens.length} tokens is not a whole number of rows of width ${width}`);
    this.rows = tokens.length / width;
    if (this.rows === 0) throw new FormatError(`${name}: no rows`);
  }

  /** [width] view of one row. */
  row(i: number): Uint16Array | Uint32Array | Int32Array {
    this.check(i);
    return this.tokens.subarray(i * this.width, (i + 1) * this.width);
  }

  /** n row indices drawn uniformly with replacement. */
  sample(n: number, rng: Rng): Int32Array {
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = rng.int(this.rows);
    return out;
  }

  /** Tokens of the given rows, [idx.length, width] as int32 (what tfjs takes). */
  gather(idx: Int32Array): Int32Array {
    const w = this.width;
    const out = new Int32Array(idx.length * w);
    for (let i = 0; i < idx.length; i++) {
      this.check(idx[i]);
      for (let t = 0; t < w; t++) out[i * w + t] = this.tokens[idx[i] * w + t];
    }
    return out;
  }

  check(i: number): void {
    if (!Number.isInteger(i) || i < 0 || i >= this.rows) {
      throw new UsageError(`${this.name}: row ${i} is outside [0, ${this.rows})`);
    }
  }
}
