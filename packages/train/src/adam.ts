/**
 * Adam (Kingma & Ba) without weight decay, in PyTorch's form:
 *   m = β1·m + (1-β1)·g,  v = β2·v + (1-β2)·g²,  p -= lr · (m / (1-β1^t)) / (sqrt(v / (1-β2^t)) + eps).
 * Written on plain tensors rather than tf.train.adam so the moments are ordinary named tensors that a
 * checkpoint can save and restore exactly (tfjs optimizers hide their slots behind variables).
 */
import { tf, type Params } from "@isc/core";
import _ from "lodash";

export interface AdamConfig {
  beta1: number;
  beta2: number;
  eps: number;
}

export const ADAM_DEFAULTS: Readonly<AdamConfig> = Object.freeze({ beta1: 0.9, beta2: 0.99, eps: 1e-8 });

export class Adam {
  /** Same names and shapes as the parameters. */
  readonly m: Params;
  readonly v: Params;
  /** Updates applied so far: the bias corrections use t + 1 on the next one. */
  t: number;

  constructor(
    readonly cfg: AdamConfig,
    m: Params,
    v: Params,
    t = 0,
  ) {
    this.m = m;
    this.v = v;
    this.t = t;
  }

  /** Fresh, all-zero moments for these parameters. */
  static zeros(cfg: AdamConfig, params: Params): Adam {
    const z = () => _.mapValues(params, (p) => tf.zerosLike(p));
    return new Adam(cfg, z(), z());
  }

  /**
   * One update. Takes ownership of `params` and `grads` (both are disposed) and returns the new
   * parameters; the moments are replaced in place.
   */
  apply(params: Params, grads: Params, lr: number): Params {
    const { beta1: b1, beta2: b2, eps } = this.cfg;
    this.t += 1;
    const bc1 = 1 - b1 ** this.t;
    const bc2 = 1 - b2 ** this.t;
    const out: Params = {};
    for (const name of Object.keys(params)) {
      const p = params[name];
      const g = grads[name];
      const [m, v, next] = tf.tidy(() => {
        const m = tf.add(tf.mul(this.m[name], b1), tf.mul(g, 1 - b1));
        const v = tf.add(tf.mul(this.v[name], b2), tf.mul(tf.square(g), 1 - b2));
        const denom = tf.add(tf.div(tf.sqrt(v), Math.sqrt(bc2)), eps);
        return [m, v, tf.sub(p, tf.mul(tf.div(m, denom), lr / bc1))];
      });
      this.m[name].dispose();
      this.v[name].dispose();
      p.dispose();
      g.dispose();
      this.m[name] = m;
      this.v[name] = v;
      out[name] = next;
    }
    return out;
  }

  dispose(): void {
    for (const t of [...Object.values(this.m), ...Object.values(this.v)]) t.dispose();
  }
}
