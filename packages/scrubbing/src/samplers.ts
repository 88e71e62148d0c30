/**
 * Samplers decide which dataset rows an interpretation node sees, given the rows its parent saw
 * (docs/semantics.md §5.1; Redwood's CondSampler protocol). All work on row indices. Each may
 * carry a pool annotation; the pools themselves are in sample-pools.ts.
 */
import { type Rng, UsageError } from "@isc/core";
import type { TokenDataset } from "./dataset.js";
import { PoolAnnotation } from "./sample-pools.js";

export interface Sampler {
  readonly name: string;
  /** parent [N] row indices -> [N] row indices for this node. */
  sample(parent: Int32Array, ds: TokenDataset, rng: Rng): Int32Array;
  /** Set: the sampler draws through a pool (Redwood's pool_annot; sample-pools.ts). */
  readonly pool?: PoolAnnotation;
  /** Its class and parameters: samplers with equal keys (element by element) and the same annotation share a pool. */
  readonly poolKey?: readonly unknown[];
  /** Redwood's ds_eq_class: parents in one class share a pool's draws; by default the parent rows themselves. */
  poolClass?(parent: Int32Array, ds: TokenDataset): string;
}

/** A sampler's name, marked with its pool as Redwood's class_str marks it. */
const pooled = (name: string, pool?: PoolAnnotation) => (pool ? `${name}#${pool.id}/${pool.size}` : name);

/** The parent's rows unchanged: "this part of the model computes exactly what it did". */
export class ExactSampler implements Sampler {
  readonly name: string;
  readonly poolKey = [ExactSampler];
  constructor(readonly pool?: PoolAnnotation) {
    this.name = pooled("Exact", pool);
  }
  sample(parent: Int32Array): Int32Array {
    return parent.slice();
  }
}

/** An independent uniform row for each parent row: the node's inputs carry no information we claim matters. */
export class UncondSampler implements Sampler {
  readonly name: string;
  readonly poolKey: readonly unknown[] = [UncondSampler];
  constructor(
    readonly pool?: PoolAnnotation,
    name = pooled("Uncond", pool),
  ) {
    this.name = name;
  }
  sample(parent: Int32Array, ds: TokenDataset, rng: Rng): Int32Array {
    return ds.sample(parent.length, rng);
  }
  /** Every parent is alike to it (Redwood: one class). */
  poolClass(): string {
    return "";
  }
}

/** Redwood's default id: every UncondTogetherSampler made without one shares a single draw. */
export const UNCOND_TOGETHER_ID = "566ae005-4a34-4e37-9383-731e1a722ef2";

/**
 * Uniform rows drawn once and shared (Redwood's UncondTogetherSampler: an UncondSampler with a
 * pool of size 1): every node with this sampler and the same id sees the same rows.
 */
export class UncondTogetherSampler extends UncondSampler {
  override readonly poolKey: readonly unknown[] = [UncondTogetherSampler];
  constructor(id = UNCOND_TOGETHER_ID) {
    super(new PoolAnnotation(1, id), id === UNCOND_TOGETHER_ID ? "UncondTogether" : `UncondTogether#${id}`);
  }
}

/**
 * A uniform row that agrees with the parent's row on a feature (Redwood's FuncSampler): the
 * hypothesis claims only that feature matters. Rows are grouped by feature once per dataset.
 */
export class CondSampler implements Sampler {
  readonly name: string;
  private readonly groups = new WeakMap<TokenDataset, { keyOf: (string | number)[]; members: Map<string | number, Int32Array> }>();

  readonly poolKey: readonly unknown[];

  constructor(
    readonly feature: (row: Uint16Array | Uint32Array | Int32Array, index: number) => string | number,
    name = "Cond",
    readonly pool?: PoolAnnotation,
  ) {
    this.name = pooled(name, pool);
    // Redwood compares FuncSamplers by their function: the same function draws alike.
    this.poolKey = [CondSampler, feature];
  }

  /** Parents whose rows have the same features, in order, share draws (Redwood: the hash of func(ds)). */
  poolClass(parent: Int32Array, ds: TokenDataset): string {
    const g = this.groupsOf(ds);
    return JSON.stringify(Array.from(parent, (r) => g.keyOf[r]));
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
  readonly poolKey: readonly unknown[];
  constructor(
    readonly pos: number,
    readonly pool?: PoolAnnotation,
  ) {
    if (!Number.isInteger(pos) || pos < 0) throw new UsageError(`FixedSampler: pos must be a non-negative integer, got ${pos}`);
    this.name = pooled(`Fixed(${pos})`, pool);
    this.poolKey = [FixedSampler, pos];
  }
  sample(parent: Int32Array, ds: TokenDataset): Int32Array {
    ds.check(this.pos);
    return new Int32Array(parent.length).fill(this.pos);
  }
}
