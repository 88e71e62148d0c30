/**
 * What the induction heads' K (and Q) read through the previous-token head versus the other
 * layer-0 heads: complements and refinements of pth-k (REPO experiments.py: PREVIOUS-TOKEN-HEAD
 * KEY, PTH-QUERY).
 */
import type { CatalogueContext } from "./context.js";
import { type Entry, makers } from "./entry.js";
import { viaEmbAnd, viaL0 } from "./shorthands.js";

export function previousTokenInputs({ r, g, P, P0, INDS, l0, digits, literal, k, q }: CatalogueContext): Entry[] {
  const { makeCorr, makeCorrI } = makers("hypothesis");
  const kept = r.pthKPlusKept;
  const derived = { derived: true };
  return [
    makeCorr("not-pth-k", `direct embedding and ${P0} → K of ${INDS} (keep ${l0(g.notPrev)}): the complement of pth-k`, [viaEmbAnd(k, [P])]),
    makeCorr("pth-k-fine", `${l0(g.notPrev)} → K of ${INDS} (keep the embedding and ${P0})`, [viaL0(k, g.notPrev)]),
    makeCorr("not-pth-k-emb", `direct embedding and ${P0} → K of ${INDS} (same paths as not-pth-k)`, [viaEmbAnd(k, [P])]),
    // REPO: "include 0.6 also".
    makeCorrI(`not-pth-k-emb-${digits(kept)}`, `direct embedding and ${l0(kept)} → K of ${INDS}`, [viaEmbAnd(k, kept)], derived),
    makeCorrI(`not-pth-k-${digits(kept)}`, `${l0(kept)} → K of ${INDS}`, [viaL0(k, kept)], derived),
    ...[6, 7].flatMap((h) => literal([h], () => makeCorrI(`not-pth-k-${h}`, `0.${h} → K of ${INDS}`, [viaL0(k, [h])]))),
    makeCorrI("not-pth-unimp", `${l0(g.notKept)} → K of ${INDS} (keep the embedding and ${l0(kept)})`, [viaL0(k, g.notKept)]),
    makeCorr("pth-q", `direct embedding and ${l0(g.notPrev)} → Q of ${INDS} (keep only ${P0})`, [viaEmbAnd(q, g.notPrev)]),
  ];
}
