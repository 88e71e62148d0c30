/**
 * REPO's matcher idioms, as hop patterns: `a1_head.children_matcher({1|2|3})` is an input slot of
 * layer-1 heads, `.chain("b0.a")` goes on through layer-0 heads, `.chain(embeds)` ends at the
 * direct embedding, `m(h, …)` names layer-0 heads (docs/semantics.md §5.3).
 */
import { chain, type HopPattern, type Matcher, union } from "../matchers.js";
import type { Slot } from "../paths.js";

export const SLOT_NAME: Record<Slot, string> = { q: "Q", k: "K", v: "V" };

/** The s input of those layer-1 heads (REPO's q, k, v). */
export const slot = (heads: readonly number[], s: Slot): HopPattern => ({ layer: 1, heads, slots: [s] });

/** Every path into `hop`. */
export const whole = (hop: HopPattern): Matcher => chain(hop);

/** `x.chain("b0.a")`: through every layer-0 head; with `heads`, `x.chain(m(...heads))`, null when the set is empty in this model. */
export function viaL0(hop: HopPattern): Matcher;
export function viaL0(hop: HopPattern, heads: readonly number[]): Matcher | null;
export function viaL0(hop: HopPattern, heads?: readonly number[]): Matcher | null {
  if (heads === undefined) return chain(hop, { layer: 0 });
  return heads.length ? chain(hop, { layer: 0, heads }) : null;
}

/** `x.chain(embeds)`: the direct embedding only. */
export const viaEmb = (hop: HopPattern): Matcher => chain(hop, "embed");

/** `x.chain(embeds | m(...))`: the direct embedding plus some layer-0 heads, one child. */
export const viaEmbAnd = (hop: HopPattern, heads: readonly number[]): Matcher => (heads.length ? union(viaEmb(hop), chain(hop, { layer: 0, heads })) : viaEmb(hop));

/** `restrict(m(...), term_early_at="b1.a")`: layer-0 heads on their direct path to the logits. */
export const resid0 = (heads: readonly number[]): Matcher => chain({ layer: 0, heads });
