/**
 * What a family of the catalogue declares (one `Entry` per experiment) and how an entry becomes an
 * `Experiment`. Every correspondence follows REPO's `make_corr`: a root "logits" node whose sampler
 * is also its other-inputs sampler (Exact normally, Fixed for SAA), with one Uncond child per
 * matcher. Several matchers are several children, each with its own random row ("decoherent"); a
 * union is one child, one random row for all its paths ("coherent").
 */
import { Correspondence, InterpNode } from "../hypothesis.js";
import type { Matcher } from "../matchers.js";
import type { ModelModification } from "../model-modifications.js";
import { ExactSampler, type Sampler, UncondSampler } from "../samplers.js";

/** How the original split heads into circuit nodes; it changes how REPO spells matchers, not what they select. */
export type OriginalSplit = "labelled" | "b0-all" | "all";

export interface Experiment {
  name: string;
  /** In words, what is scrubbed (or how the model is changed). */
  description: string;
  /** "preliminary", "baseline", "hypothesis", "per-head", "residual", "subspace", "modification" or "positional". */
  group: string;
  /** The original's head split for this experiment (docs/semantics.md §6, "split" column). */
  split: OriginalSplit;
  /** The hypothesis with `rootSampler` (default Exact) at the root, and the model change if any. */
  build(rootSampler?: Sampler): { corr: Correspondence; modification?: ModelModification };
}

export type Group = "preliminary" | "baseline" | "hypothesis" | "per-head" | "residual" | "subspace" | "modification" | "positional";

export interface Entry {
  name: string;
  description: string;
  group: Group;
  split: OriginalSplit;
  /** One Uncond child per entry; null marks a child whose head set is empty in this model (the entry is then left out). */
  children: (Matcher | null)[];
  modification?: ModelModification;
  /**
   * Its name is built from a role group that may coincide with another group (or a single head)
   * in some model; the same name then always means the same paths, so the first definition stands.
   */
  derived?: boolean;
}

export type Maker = (name: string, description: string, children: (Matcher | null)[], options?: Pick<Entry, "modification" | "derived">) => Entry;

/**
 * REPO's three correspondence makers, named as there: `make_corr` (the labelled circuit),
 * `make_corr_i` (every layer-0 head its own node, "b0-all") and `make_corr_a` (every head, "all").
 */
export function makers(group: Group): { makeCorr: Maker; makeCorrI: Maker; makeCorrA: Maker } {
  const maker =
    (split: OriginalSplit): Maker =>
    (name, description, children, options = {}) => ({ name, description, group, split, children, ...options });
  return { makeCorr: maker("labelled"), makeCorrI: maker("b0-all"), makeCorrA: maker("all") };
}

export function toExperiment(e: Omit<Entry, "children"> & { children: Matcher[] }): Experiment {
  return {
    name: e.name,
    description: e.description,
    group: e.group,
    split: e.split,
    build(rootSampler: Sampler = new ExactSampler()) {
      const root = new InterpNode("logits", rootSampler, rootSampler);
      const corr = new Correspondence(root);
      // Named "0", "1", … as REPO's make_corr names them.
      e.children.forEach((m, i) => corr.addChild(root, String(i), m, new UncondSampler()));
      return e.modification ? { corr, modification: e.modification } : { corr };
    },
  };
}
