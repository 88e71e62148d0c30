/**
 * REPO experiments.py's `k-1.6-{pre-ln,post-ln,l0-out,l0h0-out}-proj-{i}d` families: one induction
 * head's K input with one activation split along a subspace (`split_with_projection`), the kept
 * projection on the reference row and the residual resampled (`make_corr([rc.Matcher("proj_residual")])`).
 * Here for every induction head, for i = 0..d_model, and with the previous-token head's number in
 * "l0h0"; the basis comes with the run (scrub pca, or --basis), not with the catalogue.
 */
import _ from "lodash";
import { subspacePart } from "../matchers.js";
import { type SplitActivation, splitWithProjection } from "../subspace.js";
import type { CatalogueContext } from "./context.js";
import { type Entry, makers } from "./entry.js";

const { makeCorr } = makers("subspace");

/** The four activations REPO splits, by the name part REPO gives them. */
function sites({ g, P, P0 }: CatalogueContext): { label: string; activation: SplitActivation; what: string }[] {
  return [
    { label: "pre-ln", activation: { kind: "resid_pre" }, what: "the residual feeding it (before its LayerNorm)" },
    { label: "post-ln", activation: { kind: "normalized" }, what: "its LayerNorm output (before the position term)" },
    { label: "l0-out", activation: { kind: "heads", layer: 0, heads: g.layer0 }, what: "the layer-0 attention output in it" },
    { label: `l0h${P}-out`, activation: { kind: "heads", layer: 0, heads: [P] }, what: `${P0}'s output in it` },
  ];
}

export function subspaceKeys(c: CatalogueContext): Entry[] {
  return c.IND.flatMap((i) =>
    sites(c).flatMap(({ label, activation, what }) =>
      _.range(c.D + 1).map((dim) =>
        makeCorr(
          `k-1.${i}-${label}-proj-${dim}d`,
          `K of 1.${i}: ${what} split along ${dim} of ${c.D} basis directions (default: its principal components); the projection kept, the rest resampled`,
          [subspacePart("proj_residual")],
          { modification: splitWithProjection({ layer: 1, head: i, slot: "k" }, activation, dim) },
        ),
      ),
    ),
  );
}
