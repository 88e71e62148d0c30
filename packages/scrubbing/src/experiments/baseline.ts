/**
 * Variants of the baseline: the layer-1 heads that are not induction heads, and the induction
 * heads' inputs resampled independently (REPO experiments.py: BASELINE; the decohered ones came later).
 */
import { chain, directEmbed, union } from "../matchers.js";
import type { Slot } from "../paths.js";
import type { CatalogueContext } from "./context.js";
import { type Entry, makers } from "./entry.js";
import { slot, whole } from "./shorthands.js";

export function baselineVariants({ g, IND, INDS, l1, v, q, k }: CatalogueContext): Entry[] {
  const { makeCorr, makeCorrA } = makers("baseline");
  const notInduction = g.notInduction.length ? whole({ layer: 1, heads: g.notInduction }) : null;
  return [
    makeCorr("not-baseline", `every input of the other layer-1 heads ${l1(g.notInduction)}`, [notInduction]),
    makeCorr("not-baseline-full", `every input of ${l1(g.notInduction)}, plus the direct embedding and layer-0 heads on their direct paths to the logits, as one child`, [
      notInduction && union(notInduction, directEmbed(), chain({ layer: 0 })),
    ]),
    makeCorrA("baseline-decohered-by-child", `the V, Q and K inputs of ${INDS} as three children (independent rows)`, [whole(v), whole(q), whole(k)]),
    makeCorrA(
      "baseline-decohered-by-head-and-child",
      `the V, Q and K inputs of each of ${INDS} separately (${IND.length * 3} children, independent rows)`,
      IND.flatMap((h) => (["v", "q", "k"] as Slot[]).map((s) => whole(slot([h], s)))),
    ),
  ];
}
