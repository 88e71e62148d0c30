/**
 * Which training rows come next. Each epoch visits every row once in an order shuffled by a seeded
 * RNG; the position is (epoch, index into that epoch's order). The RNG's state at the start of the
 * epoch is kept too, so a checkpoint of {epoch, index, rng} rebuilds the same order exactly.
 *
 * With source weights (source-weights.ts) an epoch holds each row ⌊w⌋ times plus once more with
 * probability w − ⌊w⌋, drawn from the same RNG before the shuffle, and the weights are part of the
 * state. Without them the order is exactly the unweighted one, so older checkpoints resume unchanged.
 */
import { Rng, type RngState } from "@isc/core";
import { normalizeWeights, sameWeights, type SourceWeights } from "./source-weights.js";

export interface CursorState {
  epoch: number;
  index: number;
  /** The data RNG's state at the start of `epoch` (before that epoch's shuffle). */
  rng: RngState;
  /** The source weights this epoch was drawn with; absent = every row once. */
  sources?: SourceWeights;
}

/** Source weights → weight per row [rows] (rowWeights bound to the data set's metadata). */
export type WeightResolver = (w: SourceWeights) => Float64Array;

export class DataCursor {
  private order: Uint32Array;
  private epochStart: RngState;
  private rng: Rng;
  private sources: SourceWeights | undefined;
  private weights: Float64Array | null;
  epoch: number;
  index: number;

  private constructor(
    private readonly tokens: Uint16Array | Uint32Array,
    readonly rows: number,
    readonly width: number,
    readonly take: number,
    state: CursorState,
    private readonly resolve: WeightResolver | null,
  ) {
    if (rows < 1) throw new Error("the training set has no rows");
    if (!(take >= 2 && take <= width)) throw new Error(`cannot take ${take} tokens from rows of ${width}`);
    this.epoch = state.epoch;
    this.index = state.index;
    this.epochStart = state.rng;
    this.rng = Rng.fromState(state.rng);
    this.sources = normalizeWeights(state.sources);
    this.weights = this.rowWeights(this.sources);
    this.order = this.shuffled();
    if (!(this.index >= 0 && this.index <= this.order.length)) {
      throw new Error(`checkpoint cursor index ${this.index} is outside this epoch's ${this.order.length} rows (different data?)`);
    }
  }

  /** `take` <= width: the first `take` tokens of each row are used (a model with a shorter context). */
  static start(tokens: Uint16Array | Uint32Array, rows: number, width: number, take: number, seed: number, sources?: SourceWeights, resolve?: WeightResolver): DataCursor {
    const rng = new Rng(seed).fork("data-order").state;
    return new DataCursor(tokens, rows, width, take, { epoch: 0, index: 0, rng, ...(sources ? { sources } : {}) }, resolve ?? null);
  }

  static resume(tokens: Uint16Array | Uint32Array, rows: number, width: number, take: number, state: CursorState, resolve?: WeightResolver): DataCursor {
    return new DataCursor(tokens, rows, width, take, state, resolve ?? null);
  }

  get state(): CursorState {
    return { epoch: this.epoch, index: this.index, rng: this.epochStart, ...(this.sources ? { sources: this.sources } : {}) };
  }

  /** Rows in the current epoch (the data set's rows when unweighted). */
  get epochRows(): number {
    return this.order.length;
  }

  /** New weights start a new epoch here (the old order's position means nothing under them); false if unchanged. */
  reweight(sources: SourceWeights | undefined): boolean {
    if (sameWeights(sources, this.sources)) return false;
    this.sources = normalizeWeights(sources);
    this.weights = this.rowWeights(this.sources);
    this.newEpoch();
    return true;
  }

  /** The next `batch` rows, flat int32 [batch, take]; crosses into the next epoch when this one runs out. */
  next(batch: number): Int32Array {
    const out = new Int32Array(batch * this.take);
    for (let b = 0; b < batch; b++) {
      if (this.index >= this.order.length) this.newEpoch();
      const r = this.order[this.index++];
      out.set(this.tokens.subarray(r * this.width, r * this.width + this.take), b * this.take);
    }
    return out;
  }

  private rowWeights(sources: SourceWeights | undefined): Float64Array | null {
    if (!sources) return null;
    if (!this.resolve) throw new Error("this run weights its sources, but the training data does not name each row's source");
    return this.resolve(sources);
  }

  private newEpoch(): void {
    this.epoch += 1;
    this.index = 0;
    this.epochStart = this.rng.state;
    this.order = this.shuffled();
  }

  /** Draws this epoch's order, advancing the RNG past the draws and the shuffle. */
  private shuffled(): Uint32Array {
    if (!this.weights) {
      const order = new Uint32Array(this.rows);
      for (let i = 0; i < this.rows; i++) order[i] = i;
      return this.rng.shuffle(order);
    }
    const picked: number[] = [];
    for (let r = 0; r < this.rows; r++) {
      const w = this.weights[r];
      const whole = Math.floor(w);
      const copies = whole + (w > whole && this.rng.float() < w - whole ? 1 : 0);
      for (let c = 0; c < copies; c++) picked.push(r);
    }
    // An epoch can come out empty only when every weight is below 1 and every draw misses: draw again.
    return picked.length ? this.rng.shuffle(Uint32Array.from(picked)) : this.shuffled();
  }
}
