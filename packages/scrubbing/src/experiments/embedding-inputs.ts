/**
 * What the induction heads read through V, Q and K: the direct embedding or layer-0 heads, all
 * together, head by head, and in the subsets the writeup settled on (REPO experiments.py:
 * EMBEDDING-VALUE, EMBEDDING-QUERY, EMBEDDING-KEY).
 */
import _ from "lodash";
import type { HopPattern } from "../matchers.js";
import type { Slot } from "../paths.js";
import type { CatalogueContext } from "./context.js";
import { type Entry, makers } from "./entry.js";
import { SLOT_NAME, viaEmb, viaEmbAnd, viaL0, whole } from "./shorthands.js";

const { makeCorr, makeCorrI, makeCorrA } = makers("hypothesis");

export function embeddingInputs(c: CatalogueContext): Entry[] {
  return [...slotScrubs(c), ...headByHead(c, "v", c.v), ...headByHead(c, "q", c.q), ...keptHeadsIntoV(c), ...redwoodHeadExplorations(c), eqPlusDecoherent(c)];
}

/** One whole input slot of the induction heads, or its direct-embedding part; ek. */
function slotScrubs({ INDS, v, q, k }: CatalogueContext): Entry[] {
  const slots: [Slot, HopPattern][] = [["v", v], ["q", q], ["k", k]];
  return [
    ...slots.flatMap(([s, hop]) => [
      makeCorr(s, `every ${SLOT_NAME[s]} input of ${INDS} (direct embedding and all layer-0 heads)`, [whole(hop)]),
      makeCorr(`not-e${s}`, `direct embedding → ${SLOT_NAME[s]} of ${INDS} (keep every layer-0 head): the complement of e${s}`, [viaEmb(hop)]),
      makeCorrA(`scrub-ind-${s}`, `every ${SLOT_NAME[s]} input of ${INDS} (later revisions' name for "${s}")`, [whole(hop)]),
    ]),
    makeCorr("ek", `all layer-0 heads → K of ${INDS} (keep the direct embedding): hypothesis "embeddings → key"`, [viaL0(k)]),
  ];
}

/** Each layer-0 head into one slot, alone or with the embedding, then all of them as independent children. */
function headByHead({ g, H, INDS }: CatalogueContext, s: Slot, hop: HopPattern): Entry[] {
  const S = SLOT_NAME[s];
  const each = g.layer0.map((i) => viaL0(hop, [i]));
  return [
    ...g.layer0.flatMap((i) => [
      makeCorrI(`a0-${s}-${i}`, `direct embedding and 0.${i} → ${S} of ${INDS}`, [viaEmbAnd(hop, [i])]),
      makeCorrI(`a0-${s}-only-${i}`, `0.${i} → ${S} of ${INDS}`, [viaL0(hop, [i])]),
      makeCorrA(`scrub-${s}-ind-0.${i}`, `0.${i} → ${S} of ${INDS} (later revisions' name for a0-${s}-only-${i})`, [viaL0(hop, [i])]),
      makeCorrA(`scrub-${s}-ind-0.${i}e`, `direct embedding and 0.${i} → ${S} of ${INDS} (later revisions' name for a0-${s}-${i})`, [viaEmbAnd(hop, [i])]),
    ]),
    makeCorrI(`a0-${s}-indep`, `each layer-0 head → ${S} of ${INDS}, and the direct embedding, as ${H + 1} children (independent rows)`, [...each, viaEmb(hop)]),
    makeCorrI(`a0-${s}-indep-only`, `each layer-0 head → ${S} of ${INDS} as ${H} children (independent rows; keep the embedding)`, each),
  ];
}

/** V split by the heads pth-k+ keeps (REPO's "0,6") and the rest; ev+ one head per child. */
function keptHeadsIntoV({ r, g, INDS, l0, comma, v }: CatalogueContext): Entry[] {
  const kept = r.pthKPlusKept;
  const derived = { derived: true };
  return [
    makeCorrI(`a0-v-${comma(kept)}`, `direct embedding and ${l0(kept)} → V of ${INDS}`, [viaEmbAnd(v, kept)], derived),
    makeCorrI("ev+-decoherent", `ev+ with one child per head: ${l0(r.plusHeads)} → V of ${INDS}, independent rows`, r.plusHeads.map((h) => viaL0(v, [h]))),
    makeCorrI(`a0-v-only${comma(kept)}`, `${l0(kept)} → V of ${INDS}`, [viaL0(v, kept)], derived),
    makeCorrI(`a0-v-not${comma(kept)}`, `direct embedding and ${l0(g.notKept)} → V of ${INDS} (keep ${l0(kept)})`, [viaEmbAnd(v, g.notKept)], derived),
    makeCorrI(`a0-v-onlynot${comma(kept)}`, `${l0(g.notKept)} → V of ${INDS} (keep the embedding and ${l0(kept)})`, [viaL0(v, g.notKept)], derived),
  ];
}

/** Explorations on Redwood's own head numbers, as their names say. */
function redwoodHeadExplorations({ INDS, l0, literal, v, q }: CatalogueContext): Entry[] {
  // REPO lists them in the order it tried them ("indep-125" scrubs 0.2, 0.5, 0.1).
  const qIndep = [[2, 5, 1], [2, 5, 1, 3], [2, 5, 1, 3, 6]];
  return [
    ...literal([0, 1, 6], () => makeCorrI("a0-v-only016", `0.0, 0.1, 0.6 → V of ${INDS}`, [viaL0(v, [0, 1, 6])])),
    ...literal([1, 3, 4, 5, 7], () => makeCorrI("a0-v-all-bad-but-2", `direct embedding and 0.1, 0.3, 0.4, 0.5, 0.7 → V of ${INDS}`, [viaEmbAnd(v, [1, 3, 4, 5, 7])])),
    ...literal([3, 4, 5, 7], () => makeCorrI("a0-v-all-bad-but-12", `direct embedding and 0.3, 0.4, 0.5, 0.7 → V of ${INDS}`, [viaEmbAnd(v, [3, 4, 5, 7])])),
    ...qIndep.flatMap((hs) =>
      literal(hs, () =>
        makeCorrI(
          `a0-q-indep-${_.sortBy(hs).join("")}`,
          `each of ${l0(hs)} → Q of ${INDS} as ${hs.length} children (independent rows)`,
          hs.map((h) => viaL0(q, [h])),
        ),
      ),
    ),
    ...literal([5, 6], () => makeCorrI("a0-q-only-56", `0.5, 0.6 → Q of ${INDS}`, [viaL0(q, [5, 6])])),
  ];
}

function eqPlusDecoherent({ r, INDS, l0, q }: CatalogueContext): Entry {
  return makeCorrI(
    "eq+-decoherent",
    `the direct embedding and each of ${l0(r.plusHeads)} → Q of ${INDS} as ${r.plusHeads.length + 1} children (independent rows)`,
    [viaEmb(q), ...r.plusHeads.map((h) => viaL0(q, [h]))],
  );
}
