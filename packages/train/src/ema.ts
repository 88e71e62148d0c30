/**
 * Polyak averaging: an exponential moving average of the parameters, ema = d·ema + (1 − d)·p after
 * every update. With 8-row batches the weights wander from step to step (the default model's loss on
 * repeated random tokens moved by ±0.3 nats between checkpoints 200 steps apart); the average sits
 * nearer the middle of that wander. A run that keeps one exports it as its model.
 */
import { tf, type Params } from "@isc/core";
import _ from "lodash";

/** What a run records: the decay and the step the average started at (its value then: the weights). */
export interface EmaSpec {
  decay: number;
  from: number;
}

export class ParamEma {
  constructor(
    readonly decay: number,
    /** Same names and shapes as the parameters; owned by this object. */
    public params: Params,
  ) {}

  /** An average that starts at these weights (copied; the caller keeps its own). */
  static start(decay: number, params: Params): ParamEma {
    return new ParamEma(decay, _.mapValues(params, (p) => tf.clone(p)));
  }

  update(params: Params): void {
    const d = this.decay;
    for (const name of Object.keys(this.params)) {
      const old = this.params[name];
      this.params[name] = tf.tidy(() => tf.add(tf.mul(old, d), tf.mul(params[name], 1 - d)));
      old.dispose();
    }
  }

  dispose(): void {
    for (const t of Object.values(this.params)) t.dispose();
  }
}
