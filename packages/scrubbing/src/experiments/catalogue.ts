/**
 * The catalogue of the original experiments (REPO `experiments.py`, docs/semantics.md §6), rebuilt as
 * hypotheses over paths: one family of experiments per file, assembled here. The catalogue's order
 * (and `scrub list`'s) is FAMILIES' order, then each family's own.
 *
 * Names follow the seed's version (0272edd) plus the names later revisions (up to HEAD 6207abc)
 * added or renamed; head numbers in names come from the model's head roles (see context.ts).
 */
import type { ModelConfig } from "@isc/core";
import type { HeadRoles } from "../head-roles.js";
import type { Matcher } from "../matchers.js";
import { baselineVariants } from "./baseline.js";
import { type CatalogueContext, catalogueContext } from "./context.js";
import { embeddingInputs } from "./embedding-inputs.js";
import { type Entry, type Experiment, toExperiment } from "./entry.js";
import { modifications } from "./modifications.js";
import { oneInductionHead } from "./one-induction-head.js";
import { perHead } from "./per-head.js";
import { positional } from "./positional.js";
import { preliminary } from "./preliminary.js";
import { previousTokenInputs } from "./previous-token.js";
import { residual } from "./residual.js";
import { subspaceKeys } from "./subspace.js";

export type { Experiment, OriginalSplit } from "./entry.js";
export { closeNames, getExperiment, UnknownExperimentError } from "./lookup.js";
export { PRELIMINARY_EXPERIMENTS } from "./preliminary.js";

const FAMILIES: readonly ((c: CatalogueContext) => Entry[])[] = [
  preliminary,
  baselineVariants,
  embeddingInputs,
  previousTokenInputs,
  oneInductionHead,
  perHead,
  residual,
  subspaceKeys,
  modifications,
  positional,
];

export function experimentCatalogue(cfg: ModelConfig, roles: HeadRoles): Map<string, Experiment> {
  const c = catalogueContext(cfg, roles);
  const out = new Map<string, Experiment>();
  for (const e of FAMILIES.flatMap((family) => family(c))) {
    // A derived name repeats only where role groups coincide: same name, same paths.
    if (out.has(e.name)) {
      if (e.derived) continue;
      throw new Error(`experiment catalogue: "${e.name}" defined twice`);
    }
    if (e.children.some((m) => m === null)) continue;
    out.set(e.name, toExperiment({ ...e, children: e.children as Matcher[] }));
  }
  return out;
}
