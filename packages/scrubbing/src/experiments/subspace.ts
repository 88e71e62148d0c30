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

interface Site {
  label: string;
  activation: SplitActivation;
  what: string;
}

/** The activations REPO splits, by the name part REPO gives them; "l0h<n>" for every layer-0 head (REPO names 0 and 6). */
function sites({ g, P0 }: CatalogueContext): Site[] {
  return [
    { label: "pre-ln", activation: { kind: "resid_pre" }, what: "the residual feeding it (before its LayerNorm)" },
    { label: "post-ln", activation: { kind: "normalized" }, what: "its LayerNorm output (before the position term)" },
    { label: "l0-out", activation: { kind: "heads", layer: 0, heads: g.layer0 }, what: "the layer-0 attention output in it" },
    ...g.layer0.map((n) => ({ label: `l0h${n}-out`, activation: { kind: "heads", layer: 0, heads: [n] } as SplitActivation, what: `0.${n}'s output in it${`0.${n}` === P0 ? " (the previous-token head)" : ""}` })),
  ];
}

export function subspaceKeys(c: CatalogueContext): Entry[] {
  return [...c.IND.flatMap((i) => sites(c).flatMap((site) => dims(c, `k-1.${i}-${site.label}`, i, site, ""))), ...transplants(c)];
}

/** One family: the split at every dimension 0..D. */
function dims(c: CatalogueContext, stem: string, head: number, { activation, what }: Site, note: string): Entry[] {
  return _.range(c.D + 1).map((dim) =>
    makeCorr(
      `${stem}-proj-${dim}d`,
      `K of 1.${head}: ${what} split along ${dim} of ${c.D} basis directions (default: its principal components); the projection kept, the rest resampled${note}`,
      [subspacePart("proj_residual")],
      { modification: splitWithProjection({ layer: 1, head, slot: "k" }, activation, dim) },
    ),
  );
}

/**
 * REPO's `k-1.5-transplant-1.6-{l0-out,l0h0-out}`: one induction head's K input split along the
 * subspace learned for the other's. A PCA basis is the activation's, not a head's, so with the
 * default bases a transplant computes what `k-1.a-…` does; `--basis` gives the other head's own.
 */
function transplants(c: CatalogueContext): Entry[] {
  const [l0, prev] = [sites(c)[2]!, sites(c).find((s) => s.label === `l0h${c.P}-out`)!];
  return c.IND.flatMap((a) =>
    c.IND.filter((b) => b !== a).flatMap((b) =>
      [l0, prev].flatMap((site) => dims(c, `k-1.${a}-transplant-1.${b}-${site.label}`, a, site, `, with 1.${b}'s basis (the same PCA basis unless --basis gives 1.${b}'s own)`)),
    ),
  );
}
