/**
 * The K claims for one induction head at a time, and Redwood's naive hypothesis for one head,
 * whole and split into single-head children (REPO experiments.py: the "1.5-…" lines of
 * PREVIOUS-TOKEN-HEAD KEY, and ALL).
 */
import _ from "lodash";
import type { CatalogueContext } from "./context.js";
import { type Entry, makers } from "./entry.js";
import { slot, viaEmb, viaEmbAnd, viaL0 } from "./shorthands.js";

const { makeCorrA } = makers("hypothesis");

export function oneInductionHead(c: CatalogueContext): Entry[] {
  return [...c.IND.flatMap((i) => keyOfOneHead(c, i)), ...naiveForLastHead(c)];
}

function keyOfOneHead({ r, g, l0, digits }: CatalogueContext, i: number): Entry[] {
  const k = slot([i], "k");
  const kept = r.pthKPlusKept;
  const ekNarrowKeeps = _.difference(g.layer0, r.ekNarrowScrubbed);
  return [
    makeCorrA(`1.${i}-pth-k+`, `direct embedding and ${l0(g.notKept)} → K of 1.${i} only (keep ${l0(kept)}): pth-k+ for one head`, [viaEmbAnd(k, g.notKept)]),
    makeCorrA(`1.${i}-not-pth-k+`, `${l0(kept)} → K of 1.${i}: the complement of 1.${i}-pth-k+ among layer-0 heads`, [viaL0(k, kept)]),
    makeCorrA(`1.${i}-ek`, `${l0(r.plusHeads)} → K of 1.${i} (keep the embedding and ${l0(g.diag)}): "embeddings → key" for one head`, [viaL0(k, r.plusHeads)]),
    makeCorrA(`1.${i}-e${digits(g.ekNarrowKept)}k`, `${l0(r.ekNarrowScrubbed)} → K of 1.${i} (keep the embedding and ${l0(ekNarrowKeeps)})`, [viaL0(k, r.ekNarrowScrubbed)], {
      derived: true,
    }),
  ];
}

/** REPO's `for h in [5, 6]` loop writes "all-1.6" twice, so the last induction head's entry wins. */
function naiveForLastHead({ r, g, P, l0, last, naive }: CatalogueContext): Entry[] {
  const [v, q, k] = [slot([last], "v"), slot([last], "q"), slot([last], "k")];
  // As REPO lists it: Q without the second previous-token-like head, K as pth-k+.
  const qDecoherent = _.difference(g.layer0, _.without(r.pthKPlusKept, P));
  return [
    makeCorrA(`all-1.${last}`, `ev ∪ eq ∪ pth-k for 1.${last} alone, one child (the original loop over the induction heads leaves only the last one's)`, [naive([last])]),
    makeCorrA(
      `all-1.${last}-ind`,
      `all-1.${last} split into single-head children (independent rows): each layer-0 head → V; each of ${l0(qDecoherent)} → Q; the embedding → K; each of ${l0(g.notKept)} → K`,
      [...g.layer0.map((h) => viaL0(v, [h])), ...qDecoherent.map((h) => viaL0(q, [h])), viaEmb(k), ...g.notKept.map((h) => viaL0(k, [h]))],
    ),
  ];
}
