/**
 * The writeup's "Preliminary Experiments": Redwood's three claims about what the induction heads
 * read (ev, eq, pth-k), their union, the baseline every "% loss recovered" is measured against,
 * and the refined "+" claims (REPO experiments.py: EMBEDDING-VALUE, EMBEDDING-QUERY,
 * PREVIOUS-TOKEN-HEAD KEY, ALL, BASELINE).
 */
import { chain, union } from "../matchers.js";
import { splitPreviousToken } from "../model-modifications.js";
import type { CatalogueContext } from "./context.js";
import { type Entry, makers } from "./entry.js";
import { viaEmbAnd, viaL0, whole } from "./shorthands.js";

/** The writeup's "Preliminary Experiments" table, in the seed notebook's order. */
export const PRELIMINARY_EXPERIMENTS: readonly string[] = Object.freeze(["unscrubbed", "ev", "pth-k", "eq", "all", "baseline", "ev+", "pth-k+", "eq+"]);

export function preliminary(c: CatalogueContext): Entry[] {
  const { r, g, IND, INDS, P0, l0, v, q, k, ev, eq, pthK } = c;
  const { makeCorr, makeCorrI, makeCorrA } = makers("preliminary");
  return [
    makeCorrA("unscrubbed", "nothing scrubbed: the model on the reference rows", []),
    makeCorr("ev", `all layer-0 heads → V of ${INDS} (keep the direct embedding): hypothesis "embeddings → value"`, [ev]),
    makeCorr("pth-k", `direct embedding and ${l0(g.notPrev)} → K of ${INDS} (keep only ${P0}): hypothesis "previous-token head → key"`, [pthK]),
    makeCorr("eq", `all layer-0 heads → Q of ${INDS} (keep the direct embedding): hypothesis "embeddings → query"`, [eq]),
    // Not in the table, but the catalogue has always listed it here, after its pth-k.
    pthKFull(c),
    makeCorr("all", `ev ∪ eq ∪ pth-k as one child (one random row for all three): Redwood's naive induction hypothesis`, [c.naive(IND)]),
    makeCorr("baseline", `every input of ${INDS} (Q, K, V; one random row): the reference point of % loss recovered`, [whole({ layer: 1, heads: IND })]),
    makeCorrI("ev+", `${l0(r.plusHeads)} → V of ${INDS} (keep the embedding and ${l0(g.diag)}): refined "embeddings → value"`, [viaL0(v, r.plusHeads)]),
    makeCorrI("pth-k+", `direct embedding and ${l0(g.notKept)} → K of ${INDS} (keep ${l0(r.pthKPlusKept)}): refined "previous-token heads → key"`, [viaEmbAnd(k, g.notKept)]),
    makeCorrI("eq+", `${l0(r.plusHeads)} → Q of ${INDS} (keep the embedding and ${l0(g.diag)}): refined "embeddings → query"`, [viaL0(q, r.plusHeads)]),
  ];
}

/**
 * REMIX's "fancy k" (REPO's pth-k-full with `split_pth_ov_by_pt_or_not`): only the previous
 * token's value through the previous-token head may reach K unscrubbed.
 */
function pthKFull({ P, P0, INDS, k, pthK }: CatalogueContext): Entry {
  return makers("hypothesis").makeCorr(
    "pth-k-full",
    `pth-k, plus ${P0} split into its previous-position part and the rest: the rest → K scrubbed, and in the previous-position part only ${P0}'s own Q/K (its pattern) scrubbed, so only "the previous token's value through ${P0}" reaches K of ${INDS} (REMIX's fancy k)`,
    [union(pthK, chain(k, { layer: 0, heads: [P], parts: ["rest"] }), chain(k, { layer: 0, heads: [P], parts: ["prev"], slots: ["q", "k"] }))],
    { modification: splitPreviousToken({ layer: 0, head: P }) },
  );
}
