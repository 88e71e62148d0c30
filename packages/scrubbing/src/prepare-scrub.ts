/**
 * The first of a scrub's two stages, as Redwood's `Experiment.scrub()`: sample the reference rows,
 * let every interpretation node sample its own, give each path of the treeified model its source,
 * and plan the computation. Nothing here makes a tensor, so what a scrub will compute can be
 * inspected (and tested) before any of it runs; `evaluate` (evaluate-scrub.ts) runs it.
 */
import { FormatError, type HookedTransformer, type ModelConfig, Rng, UsageError } from "@isc/core";
import type { TokenDataset } from "./dataset.js";
import type { Correspondence, InputAssignment } from "./hypothesis.js";
import type { ModelModification } from "./model-modifications.js";
import { ScrubPlan } from "./scrub-plan.js";
import { checkBases } from "./subspace.js";

export interface PrepareOptions {
  samples: number;
  seed?: number;
  modification?: ModelModification;
}

export interface PreparedScrub {
  model: HookedTransformer;
  dataset: TokenDataset;
  samples: number;
  seed: number;
  /** Loss positions per row. */
  T: number;
  /** [samples] dataset rows whose labels are predicted (the root's). */
  refRows: Int32Array;
  /** Each source's rows and each path's source. */
  assignment: InputAssignment;
  modification?: ModelModification;
  plan: ScrubPlan;
}

export function prepareScrub(model: HookedTransformer, ds: TokenDataset, corr: Correspondence, options: PrepareOptions): PreparedScrub {
  const N = options.samples;
  if (!Number.isInteger(N) || N <= 0) throw new UsageError(`samples must be a positive integer, got ${N}`);
  checkWidth(ds, model.cfg);
  checkBases(options.modification?.splits ?? [], model.cfg);
  const seed = options.seed ?? 42;
  const rng = new Rng(seed);
  const ref = ds.sample(N, rng);
  const assignment = corr.assign(model.cfg, ref, ds, rng, options.modification?.splits ?? []);
  return prepareAssigned(model, ds, assignment, { seed, modification: options.modification });
}

/**
 * A prepared scrub from rows and path sources drawn elsewhere, e.g. read back from a saved run:
 * nothing is sampled, so the same assignment gives the same losses.
 */
export function prepareAssigned(
  model: HookedTransformer,
  ds: TokenDataset,
  assignment: InputAssignment,
  options: { seed: number; modification?: ModelModification },
): PreparedScrub {
  checkWidth(ds, model.cfg);
  for (const rows of assignment.sources) checkVocab(ds, rows, model.cfg);
  return {
    model,
    dataset: ds,
    samples: assignment.sources[0].length,
    seed: options.seed,
    T: ds.width - 1,
    refRows: assignment.sources[assignment.labelSource],
    assignment,
    modification: options.modification,
    plan: new ScrubPlan(model.cfg, assignment, options.modification),
  };
}

function checkWidth(ds: TokenDataset, cfg: ModelConfig): void {
  if (ds.width > cfg.n_ctx + 1) throw new UsageError(`dataset rows have ${ds.width} tokens, more than n_ctx + 1 = ${cfg.n_ctx + 1}`);
}

function checkVocab(ds: TokenDataset, rows: Int32Array, cfg: ModelConfig): void {
  const seen = new Set<number>();
  for (const r of rows) {
    if (seen.has(r)) continue;
    seen.add(r);
    const row = ds.row(r);
    for (let t = 0; t < row.length; t++) {
      if (row[t] >= cfg.d_vocab) throw new FormatError(`${ds.name}: row ${r} has token id ${row[t]} ≥ d_vocab ${cfg.d_vocab}`);
    }
  }
}
