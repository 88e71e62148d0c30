/** Layer 0 on its direct path to the logits, layer 1's inputs kept (REPO experiments.py: the resid-0 lines of BASELINE). */
import { chain, directEmbed, union } from "../matchers.js";
import type { CatalogueContext } from "./context.js";
import { type Entry, makers } from "./entry.js";
import { resid0 } from "./shorthands.js";

export function residual({ r, g, l0 }: CatalogueContext): Entry[] {
  const { makeCorrA } = makers("residual");
  const kept = r.pthKPlusKept;
  return [
    makeCorrA("resid-0", "the direct embedding and every layer-0 head on their direct paths to the logits, one child (layer 1's inputs kept)", [union(directEmbed(), chain({ layer: 0 }))]),
    makeCorrA("resid-0-indiv", "each layer-0 head on its direct path to the logits, one child per head (independent rows)", g.layer0.map((h) => resid0([h]))),
    makeCorrA("resid-0-prev", `${l0(kept)} (previous-token-like heads) on their direct paths to the logits`, [kept.length ? resid0(kept) : null]),
    makeCorrA("resid-0-begin", `${l0(g.begin)} (heads attending to the start) on their direct paths to the logits`, [g.begin.length ? resid0(g.begin) : null]),
    makeCorrA("resid-0-diag", `${l0(g.diag)} (heads attending to themselves) on their direct paths to the logits`, [g.diag.length ? resid0(g.diag) : null]),
  ];
}
