/**
 * Sample pools (Redwood's PoolAnnotation, docs/semantics.md §5.1): samplers that carry the same
 * annotation and draw alike keep at most `size` draws per class of parent rows, and each call
 * returns one of them, picked uniformly, drawing it only the first time its slot is picked. A pool
 * of size 1 makes nodes share one draw (UncondTogetherSampler); larger pools bound how many
 * distinct rows the nodes of a pool see.
 */
import { type Rng, UsageError } from "@isc/core";
import type { TokenDataset } from "./dataset.js";
import type { Sampler } from "./samplers.js";

let fresh = 0;

export class PoolAnnotation {
  readonly id: string;

  /** A fresh id unless one is given: samplers share a pool only through the same annotation (or equal id and size). */
  constructor(
    readonly size = 4,
    id?: string,
  ) {
    if (!Number.isInteger(size) || size <= 0) throw new UsageError(`PoolAnnotation: size must be a positive integer, got ${size}`);
    this.id = id ?? `pool-${++fresh}`;
  }

  sameAs(other: PoolAnnotation): boolean {
    return this.size === other.size && this.id === other.id;
  }
}

/** One pool: its samplers' annotation and key, its dataset, and `size` slots per class of parent rows. */
interface Pool {
  annotation: PoolAnnotation;
  key: readonly unknown[];
  ds: TokenDataset;
  slots: Map<string, (Int32Array | undefined)[]>;
}

/** The parent rows themselves as a class key (Redwood's default ds_eq_class: the dataset). */
export const rowsClass = (parent: Int32Array): string => parent.join(",");

/** The pools of one sampling pass (Redwood's SampledInputs.sampler_pools): made anew for every scrub. */
export class SamplePools {
  private readonly pools: Pool[] = [];

  /** `sampler`'s rows for `parent` [N] -> [N]: drawn directly when it has no pool annotation. */
  draw(sampler: Sampler, parent: Int32Array, ds: TokenDataset, rng: Rng): Int32Array {
    const annotation = sampler.pool;
    if (!annotation) return sampler.sample(parent, ds, rng);
    const pool = this.poolOf(sampler, annotation, ds);
    const cls = sampler.poolClass ? sampler.poolClass(parent, ds) : rowsClass(parent);
    let slots = pool.slots.get(cls);
    if (!slots) pool.slots.set(cls, (slots = new Array<Int32Array | undefined>(annotation.size).fill(undefined)));
    // As Redwood: pick a slot first, then fill it lazily.
    const k = rng.int(annotation.size);
    const rows = (slots[k] ??= sampler.sample(parent, ds, rng));
    return rows.slice();
  }

  private poolOf(sampler: Sampler, annotation: PoolAnnotation, ds: TokenDataset): Pool {
    // Without a key a sampler draws like itself only.
    const key = sampler.poolKey ?? [sampler];
    const same = (p: Pool) => p.ds === ds && p.annotation.sameAs(annotation) && p.key.length === key.length && p.key.every((x, i) => x === key[i]);
    let pool = this.pools.find(same);
    if (!pool) this.pools.push((pool = { annotation, key, ds, slots: new Map() }));
    return pool;
  }
}
