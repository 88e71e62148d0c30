/**
 * One head at a time: every layer-1 head's inputs, every layer-0 head's copies, each pair of a
 * layer-0 and a layer-1 head, and each slot of each layer-1 head by the layer-0 head sets of the
 * writeup (REPO experiments.py: the `head-k-child head` loop and the `scrub-0.i` lines of BASELINE).
 */
import { chain, through } from "../matchers.js";
import { type Slot, SLOTS } from "../paths.js";
import type { CatalogueContext } from "./context.js";
import { type Entry, makers } from "./entry.js";
import { resid0, SLOT_NAME, slot, viaEmb, viaEmbAnd, viaL0, whole } from "./shorthands.js";

const { makeCorrA } = makers("per-head");
const derived = { derived: true };

export function perHead(c: CatalogueContext): Entry[] {
  // Both spellings: the seed's "q-1.5-…" and the later revisions' "scrub-q-1.5-…".
  return c.g.layer1.flatMap((i) => [...wholeHeads(c, i), ...SLOTS.flatMap((s) => ["", "scrub-"].flatMap((prefix) => slotOfHead(c, i, s, prefix)))]);
}

/** Layer-1 head i and layer-0 head i whole, and layer-0 head j inside layer-1 head i. */
function wholeHeads({ g, last }: CatalogueContext, i: number): Entry[] {
  return [
    // all-1.<last> is the one-head naive hypothesis (see one-induction-head.ts).
    ...(i === last ? [] : [makeCorrA(`all-1.${i}`, `every input of 1.${i} (same paths as scrub-1.${i})`, [whole({ layer: 1, heads: [i] })])]),
    makeCorrA(`all-0.${i}`, `every copy of 0.${i} (same paths as scrub-0.${i})`, [through({ layer: 0, heads: [i] })]),
    makeCorrA(`scrub-1.${i}`, `every input of 1.${i} (Q, K, V; one random row)`, [whole({ layer: 1, heads: [i] })]),
    makeCorrA(`scrub-0.${i}`, `every copy of 0.${i}: its direct path to the logits and inside every layer-1 Q/K/V input, one random row`, [through({ layer: 0, heads: [i] })]),
    makeCorrA(
      `scrub-0.${i}-decoherent`,
      `0.${i} inside each layer-1 head, one child per layer-1 head (independent rows; direct path kept)`,
      g.layer1.map((j) => chain({ layer: 1, heads: [j] }, { layer: 0, heads: [i] })),
    ),
    makeCorrA(`scrub-1-0.${i}`, `0.${i} only where it feeds layer 1 (any head, any slot); its direct path kept`, [chain({ layer: 1 }, { layer: 0, heads: [i] })]),
    makeCorrA(`scrub-resid-0.${i}`, `0.${i} only on its direct path to the logits; its copies inside layer 1 kept`, [resid0([i])]),
    ...g.layer0.flatMap((j) => {
      const m = [chain({ layer: 1, heads: [i] }, { layer: 0, heads: [j] })];
      return [
        makeCorrA(`1.${i}-0.${j}`, `0.${j} → every input (Q, K, V) of 1.${i}`, m),
        makeCorrA(`scrub-1.${i}-0.${j}`, `0.${j} → every input (Q, K, V) of 1.${i} (later revisions' name for 1.${i}-0.${j})`, m),
      ];
    }),
  ];
}

/** Slot s of layer-1 head i: whole, from the embedding, from each layer-0 head, from the writeup's head sets. */
function slotOfHead({ r, g, l0, digits }: CatalogueContext, i: number, s: Slot, prefix: string): Entry[] {
  const S = SLOT_NAME[s];
  const hop = slot([i], s);
  const note = prefix ? ` (later revisions' name for ${s}-1.${i}…)` : "";
  const n = `${prefix}${s}-1.${i}`;
  const kept = r.pthKPlusKept;
  // REPO's "0.06", "0.47", "0.0647", "0.1235" for Redwood's roles.
  const headSets = [kept, g.begin, [...kept, ...g.begin], g.diag];
  const withEmbed = (hs: readonly number[]) =>
    makeCorrA(`${n}-0.${digits(hs)}e`, `direct embedding and ${l0(hs)} → ${S} of 1.${i}${note}`, [hs.length ? viaEmbAnd(hop, hs) : null], derived);
  return [
    makeCorrA(n, `every ${S} input of 1.${i} (direct embedding and all layer-0 heads)${note}`, [whole(hop)]),
    makeCorrA(`${n}-emb`, `direct embedding → ${S} of 1.${i}${note}`, [viaEmb(hop)]),
    ...g.layer0.flatMap((j) => [
      makeCorrA(`${n}-0.${j}`, `0.${j} → ${S} of 1.${i}${note}`, [viaL0(hop, [j])]),
      makeCorrA(`${n}-0.${j}e`, `direct embedding and 0.${j} → ${S} of 1.${i}${note}`, [viaEmbAnd(hop, [j])]),
    ]),
    ...headSets.map((hs) => makeCorrA(`${n}-0.${digits(hs)}`, `${l0(hs)} → ${S} of 1.${i}${note}`, [viaL0(hop, hs)], derived)),
    withEmbed(g.diag),
    makeCorrA(
      `${n}-0.${digits(g.diag)}e-split`,
      `each of ${l0(g.diag)} and the direct embedding → ${S} of 1.${i}, one child each (independent rows)${note}`,
      g.diag.length ? [...g.diag.map((h) => viaL0(hop, [h])), viaEmb(hop)] : [null],
      derived,
    ),
    makeCorrA(`${n}-0.${digits(g.notKept)}`, `${l0(g.notKept)} → ${S} of 1.${i}${note}`, [viaL0(hop, g.notKept)], derived),
    withEmbed(g.notKept),
    withEmbed(g.notPrev),
    withEmbed(g.notBegin),
    makeCorrA(`${n}-0`, `all layer-0 heads → ${S} of 1.${i} (keep the direct embedding)${note}`, [viaL0(hop)]),
  ];
}
