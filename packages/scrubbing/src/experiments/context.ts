/**
 * What every family of the catalogue reads: the head roles of this model and the head sets derived
 * from them, how head lists are spelled in names and descriptions, and the matchers REPO defines
 * once and reuses (v, q, k, ev, eq, pth_k).
 *
 * Head numbers in names come from the roles and the config, so a model whose induction heads are
 * 1.2 and 1.7 gets `scrub-1.2` and `1.7-pth-k+`.
 */
import type { ModelConfig } from "@isc/core";
import { type HeadGroups, type HeadRoles, headGroups, parseHeadRoles } from "../head-roles.js";
import { type HopPattern, HypothesisError, type Matcher, union } from "../matchers.js";
import type { Entry } from "./entry.js";
import { slot, viaEmbAnd, viaL0 } from "./shorthands.js";

export interface CatalogueContext {
  /** Heads per layer. */
  H: number;
  /** d_model: the most directions a subspace split can keep. */
  D: number;
  /** The roles, validated against the model, head lists sorted. */
  r: HeadRoles;
  g: HeadGroups;
  /** The previous-token head (in layer 0), its number and its name ("0.0"). */
  P: number;
  P0: string;
  /** The induction heads (in layer 1) and their names ("1.5/1.6"). */
  IND: readonly number[];
  INDS: string;
  /** REPO's `for h in [5, 6]` loop rewrites its all-1.6 entries, so only the last induction head keeps them. */
  last: number;
  /** Head lists inside names: "0647" as in the original; with more than 10 heads digits would be ambiguous. */
  digits(hs: readonly number[]): string;
  comma(hs: readonly number[]): string;
  /** Layer-0 heads in descriptions: "0.0, 0.6", or "all layer-0 heads". */
  l0(hs: readonly number[]): string;
  /** Layer-1 heads in descriptions: "1.5/1.6". */
  l1(hs: readonly number[]): string;
  /** The V, Q, K inputs of the induction heads. */
  v: HopPattern;
  q: HopPattern;
  k: HopPattern;
  /** The writeup's three claims: layer-0 heads → V, layer-0 heads → Q, the embedding and every head but P → K. */
  ev: Matcher;
  eq: Matcher;
  pthK: Matcher;
  /** ev ∪ eq ∪ pth-k for some induction heads (REPO's "all", and "all-1.6" for one head). */
  naive(heads: readonly number[]): Matcher;
  /**
   * One-off explorations on Redwood's heads name particular heads rather than a role
   * (`a0-v-only016`): they keep their literal heads and exist only when the model has them.
   */
  literal(hs: readonly number[], make: () => Entry): Entry[];
}

export function catalogueContext(cfg: ModelConfig, roles: HeadRoles): CatalogueContext {
  if (cfg.n_layers !== 2) {
    throw new HypothesisError(`the experiment catalogue describes layer-0 heads feeding layer-1 heads of a 2-layer model; this model has ${cfg.n_layers} layers`);
  }
  // Validates roles built in code (not only parsed ones) against this model, and sorts head lists.
  const r = parseHeadRoles(roles, cfg);
  const g = headGroups(cfg, r);
  const H = cfg.n_heads;
  const P = r.previousTokenHead.head;
  const IND = r.inductionHeads.heads;
  const l1 = (hs: readonly number[]) => hs.map((h) => `1.${h}`).join("/");
  const naive = (heads: readonly number[]) => union(viaL0(slot(heads, "v")), viaL0(slot(heads, "q")), viaEmbAnd(slot(heads, "k"), g.notPrev));
  return {
    H,
    D: cfg.d_model,
    r,
    g,
    P,
    P0: `0.${P}`,
    IND,
    INDS: l1(IND),
    last: IND[IND.length - 1],
    digits: (hs) => hs.join(H > 10 ? "," : ""),
    comma: (hs) => hs.join(","),
    l0: (hs) => (hs.length === H ? "all layer-0 heads" : hs.map((h) => `0.${h}`).join(", ")),
    l1,
    v: slot(IND, "v"),
    q: slot(IND, "q"),
    k: slot(IND, "k"),
    ev: viaL0(slot(IND, "v")),
    eq: viaL0(slot(IND, "q")),
    pthK: viaEmbAnd(slot(IND, "k"), g.notPrev),
    naive,
    literal: (hs, make) => (hs.every((h) => h < H) ? [{ ...make(), derived: true }] : []),
  };
}
