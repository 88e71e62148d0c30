/**
 * Samplers decide which dataset rows an interpretation node sees, given the rows its parent saw
 * (docs/semantics.md §5.1; Redwood's CondSampler protocol). All work on row indices.
 */
import { type Rng, UsageError } from "@isc/core";
import type { TokenDataset } from "./dataset.js";

export interface Sampler {
  readonly name: string;
  /** parent [N] row indices -> [N] row indices for this node. */
  sample(parent: Int32Array, ds: TokenDataset, rng: Rng): Int32Array;
}

/** The parent's rows unchanged: "this part of the model computes exactly what it did". */
export class ExactSampler implements Sampler {
  readonly name = "Exact";
  sample(parent: Int32Array): Int32Array {
    return parent.slice();
  }
}

/** An independent uniform row for each parent row: the node's inputs carry no information we claim matters. */
export class UncondSampler implements Sampler {
  readonly name = "Uncond";
  sample(parent: Int32Array, ds: TokenDataset, rng: Rng): Int32Array {
    return ds.sample(parent.length, rng);
  }
}

/**
 * A uniform row that agrees with the parent's row on a feature (Redwood's FuncSampler): the
 * hypothesis claims only that feature matters. Rows are grouped by feature once per dataset.
 */
export class CondSampler implements Sampler {
  readonly name: string;
  private readonly groups = new WeakMap<TokenDataset, { keyOf: (string | number)[]; members: Map<string | number, Int32Array> }>();

  constructor(
    readonly feature: (row: Uint16Array | Uint32Array | Int32Array, index: number) => string | number,
    name = "Cond",
  ) {
    this.name = name;
  }

  sample(parent: Int32Array, ds: TokenDataset, rng: Rng): Int32Array {
    const g = this.groupsOf(ds);
    const out = new Int32Array(parent.length);
    for (let i = 0; i < parent.length; i++) {
      ds.check(parent[i]);
      const m = g.members.get(g.keyOf[parent[i]])!;
      out[i] = m[rng.int(m.length)];
    }
    return out;
  }

  private groupsOf(ds: TokenDataset) {
    let g = this.groups.get(ds);
    if (g) return g;
    const keyOf: (string | number)[] = new Array(ds.rows);
    const lists = new Map<string | number, number[]>();
    for (let r = 0; r < ds.rows; r++) {
      const k = this.feature(ds.row(r), r);
      if (typeof k !== "string" && typeof k !== "number") throw new TypeError(`${this.name}: feature of row ${r} is ${typeof k}, not a string or number`);
      keyOf[r] = k;
      const l = lists.get(k);
      if (l) l.push(r);
      else lists.set(k, [r]);
    }
    g = { keyOf, members: new Map([...lists].map(([k, l]) => [k, Int32Array.from(l)])) };
    this.groups.set(ds, g);
    return g;
  }
}

/** Always dataset row `pos`: N resamples of one example, for Subgraph Ablation Attribution. */
export class FixedSampler implements Sampler {
  readonly name: string;
  constructor(readonly pos: number) {
    if (!Number.isInteger(pos) || pos < 0) throw new UsageError(`FixedSampler: pos must be a non-negative integer, got ${pos}`);
    this.name = `Fixed(${pos})`;
  }
  sample(parent: Int32Array, ds: TokenDataset): Int32Array {
    ds.check(this.pos);
    return new Int32Array(parent.length).fill(this.pos);
  }
}
