/**
 * The catalogue of the original experiments (REPO `experiments.py`, notes/domain.md §6), rebuilt as
 * hypotheses over paths. Every correspondence follows REPO's `make_corr`: a root "logits" node
 * whose sampler is also its other-inputs sampler (Exact normally, Fixed for SAA), with one
 * Uncond child per matcher. Several matchers are several children, each with its own random row
 * ("decoherent"); a union is one child, one random row for all its paths ("coherent").
 *
 * Names follow the seed's version (0272edd) plus the names later revisions (up to HEAD 6207abc)
 * added or renamed. Head numbers in names come from the roles and the config, so a model whose
 * induction heads are 1.2 and 1.7 gets `scrub-1.2` and `1.7-pth-k+`. A few one-off explorations
 * name particular heads rather than a role (`a0-v-only016`); those keep their literal heads and
 * exist only when the model has them.
 */
import { UsageError } from "@isc/core";
import type { ModelConfig } from "@isc/core";
import { type HeadRoles, headGroups, parseHeadRoles } from "./head-roles.js";
import { Correspondence, InterpNode } from "./hypothesis.js";
import { chain, directEmbed, type HopPattern, HypothesisError, type Matcher, through, union } from "./matchers.js";
import { combine, flipQK, type ModelModification, type PatternKind, replacePattern, splitPreviousToken, swapHeadWeights } from "./model-modifications.js";
import { SLOTS, type Slot } from "./paths.js";
import { ExactSampler, type Sampler, UncondSampler } from "./samplers.js";

/** How the original split heads into circuit nodes; it changes how REPO spells matchers, not what they select. */
export type OriginalSplit = "labelled" | "b0-all" | "all";

export interface Experiment {
  name: string;
  /** In words, what is scrubbed (or how the model is changed). */
  description: string;
  /** "preliminary", "baseline", "hypothesis", "per-head", "residual" or "modification". */
  group: string;
  /** The original's head split for this experiment (notes/domain.md §6, "split" column). */
  split: OriginalSplit;
  /** The hypothesis with `rootSampler` (default Exact) at the root, and the model change if any. */
  build(rootSampler?: Sampler): { corr: Correspondence; modification?: ModelModification };
}

/** The writeup's "Preliminary Experiments" table, in the seed notebook's order. */
export const PRELIMINARY_EXPERIMENTS: readonly string[] = Object.freeze(["unscrubbed", "ev", "pth-k", "eq", "all", "baseline", "ev+", "pth-k+", "eq+"]);

export class UnknownExperimentError extends UsageError {
  override name = "UnknownExperimentError";
  constructor(
    readonly experiment: string,
    readonly suggestions: string[],
    known: number,
  ) {
    super(
      `unknown experiment "${experiment}"` +
        (suggestions.length ? `; did you mean ${suggestions.map((s) => `"${s}"`).join(", ")}?` : `; no name is close (${known} experiments, e.g. ${PRELIMINARY_EXPERIMENTS.join(", ")})`),
    );
  }
}

export function getExperiment(catalogue: ReadonlyMap<string, Experiment>, name: string): Experiment {
  const e = catalogue.get(name);
  if (e) return e;
  throw new UnknownExperimentError(name, closeNames(name, [...catalogue.keys()]), catalogue.size);
}

/** Up to 5 names within a few edits of `name` (or containing it), nearest first. */
export function closeNames(name: string, names: readonly string[], limit = 5): string[] {
  const max = Math.max(2, Math.floor(name.length / 3));
  return names
    .map((n) => ({ n, d: n.includes(name) && name.length >= 3 ? Math.min(editDistance(name, n), max) : editDistance(name, n) }))
    .filter((x) => x.d <= max)
    .sort((a, b) => a.d - b.d || a.n.length - b.n.length || (a.n < b.n ? -1 : 1))
    .slice(0, limit)
    .map((x) => x.n);
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}

interface Spec {
  name: string;
  description: string;
  group: string;
  split: OriginalSplit;
  /** One Uncond child per entry; null marks a child whose head set is empty in this model (the entry is then left out). */
  children: (Matcher | null)[];
  modification?: ModelModification;
}

function toExperiment(s: Omit<Spec, "children"> & { children: Matcher[] }): Experiment {
  return {
    name: s.name,
    description: s.description,
    group: s.group,
    split: s.split,
    build(rootSampler: Sampler = new ExactSampler()) {
      const root = new InterpNode("logits", rootSampler, rootSampler);
      const corr = new Correspondence(root);
      // Named "0", "1", … as REPO's make_corr names them.
      s.children.forEach((m, i) => corr.addChild(root, String(i), m, new UncondSampler()));
      return s.modification ? { corr, modification: s.modification } : { corr };
    },
  };
}

const SLOT_NAME: Record<Slot, string> = { q: "Q", k: "K", v: "V" };

export function experimentCatalogue(cfg: ModelConfig, roles: HeadRoles): Map<string, Experiment> {
  if (cfg.n_layers !== 2) {
    throw new HypothesisError(`the experiment catalogue describes layer-0 heads feeding layer-1 heads of a 2-layer model; this model has ${cfg.n_layers} layers`);
  }
  // Validates roles built in code (not only parsed ones) against this model, and sorts head lists.
  const r = parseHeadRoles(roles, cfg);
  const g = headGroups(cfg, r);
  const H = cfg.n_heads;
  const P = r.previousTokenHead.head;
  const IND = r.inductionHeads.heads;
  const out = new Map<string, Experiment>();

  // Head lists inside names: "0647" as in the original; with more than 10 heads digits would be ambiguous.
  const digits = (hs: readonly number[]) => hs.join(H > 10 ? "," : "");
  const comma = (hs: readonly number[]) => hs.join(",");
  const l0 = (hs: readonly number[]) => (hs.length === H ? "all layer-0 heads" : hs.map((h) => `0.${h}`).join(", "));
  const l1 = (hs: readonly number[]) => hs.map((h) => `1.${h}`).join("/");
  const P0 = `0.${P}`;
  const INDS = l1(IND);
  const has = (hs: readonly number[]) => hs.every((h) => h < H);

  /**
   * Adds an entry. `derived`: its name is built from a role group that may coincide with another
   * group (or a single head) in some model; the same name then always means the same paths, so
   * the first definition stands.
   */
  const add = (s: Spec, derived = false) => {
    if (out.has(s.name)) {
      if (derived) return;
      throw new Error(`experiment catalogue: "${s.name}" defined twice`);
    }
    if (s.children.some((c) => c === null)) return;
    out.set(s.name, toExperiment({ ...s, children: s.children as Matcher[] }));
  };

  // Matcher shorthands. `slot(heads, s)`: the s input of those layer-1 heads (REPO's q/k/v).
  const slot = (heads: readonly number[], s: Slot): HopPattern => ({ layer: 1, heads, slots: [s] });
  const whole = (hop: HopPattern) => chain(hop);
  const viaL0 = (hop: HopPattern, heads?: readonly number[]): Matcher | null =>
    heads === undefined ? chain(hop, { layer: 0 }) : heads.length ? chain(hop, { layer: 0, heads }) : null;
  const viaEmb = (hop: HopPattern) => chain(hop, "embed");
  /** REPO's `x.chain(embeds | m(...))`: the direct embedding plus some layer-0 heads, one child. */
  const viaEmbAnd = (hop: HopPattern, heads: readonly number[]) => (heads.length ? union(viaEmb(hop), chain(hop, { layer: 0, heads })) : viaEmb(hop));
  const resid0 = (heads: readonly number[]) => chain({ layer: 0, heads });

  const v = slot(IND, "v");
  const q = slot(IND, "q");
  const k = slot(IND, "k");
  const ev = viaL0(v)!;
  const eq = viaL0(q)!;
  const pthK = viaEmbAnd(k, g.notPrev);

  // ---- preliminary: the writeup's first table
  const pre = (name: string, split: OriginalSplit, description: string, children: (Matcher | null)[]) => add({ name, group: "preliminary", split, description, children });
  pre("unscrubbed", "all", "nothing scrubbed: the model on the reference rows", []);
  pre("ev", "labelled", `all layer-0 heads → V of ${INDS} (keep the direct embedding): hypothesis "embeddings → value"`, [ev]);
  pre("pth-k", "labelled", `direct embedding and ${l0(g.notPrev)} → K of ${INDS} (keep only ${P0}): hypothesis "previous-token head → key"`, [pthK]);
  pre("eq", "labelled", `all layer-0 heads → Q of ${INDS} (keep the direct embedding): hypothesis "embeddings → query"`, [eq]);
  add({
    name: "pth-k-full",
    group: "hypothesis",
    split: "labelled",
    description: `pth-k, plus ${P0} split into its previous-position part and the rest: the rest → K scrubbed, and in the previous-position part only ${P0}'s own Q/K (its pattern) scrubbed, so only "the previous token's value through ${P0}" reaches K of ${INDS} (REMIX's fancy k)`,
    children: [
      union(
        pthK,
        chain(k, { layer: 0, heads: [P], parts: ["rest"] }),
        chain(k, { layer: 0, heads: [P], parts: ["prev"], slots: ["q", "k"] }),
      ),
    ],
    modification: splitPreviousToken({ layer: 0, head: P }),
  });
  pre("all", "labelled", `ev ∪ eq ∪ pth-k as one child (one random row for all three): Redwood's naive induction hypothesis`, [union(ev, eq, pthK)]);
  pre("baseline", "labelled", `every input of ${INDS} (Q, K, V; one random row): the reference point of % loss recovered`, [whole({ layer: 1, heads: IND })]);
  pre("ev+", "b0-all", `${l0(r.plusHeads)} → V of ${INDS} (keep the embedding and ${l0(g.diag)}): refined "embeddings → value"`, [viaL0(v, r.plusHeads)]);
  pre("pth-k+", "b0-all", `direct embedding and ${l0(g.notKept)} → K of ${INDS} (keep ${l0(r.pthKPlusKept)}): refined "previous-token heads → key"`, [viaEmbAnd(k, g.notKept)]);
  pre("eq+", "b0-all", `${l0(r.plusHeads)} → Q of ${INDS} (keep the embedding and ${l0(g.diag)}): refined "embeddings → query"`, [viaL0(q, r.plusHeads)]);

  // ---- baseline variants
  const base = (name: string, split: OriginalSplit, description: string, children: (Matcher | null)[]) => add({ name, group: "baseline", split, description, children });
  base("not-baseline", "labelled", `every input of the other layer-1 heads ${l1(g.notInduction)}`, [g.notInduction.length ? whole({ layer: 1, heads: g.notInduction }) : null]);
  base("not-baseline-full", "labelled", `every input of ${l1(g.notInduction)}, plus the direct embedding and layer-0 heads on their direct paths to the logits, as one child`, [
    g.notInduction.length ? union(whole({ layer: 1, heads: g.notInduction }), directEmbed(), chain({ layer: 0 })) : null,
  ]);
  base("baseline-decohered-by-child", "all", `the V, Q and K inputs of ${INDS} as three children (independent rows)`, [whole(v), whole(q), whole(k)]);
  base(
    "baseline-decohered-by-head-and-child",
    "all",
    `the V, Q and K inputs of each of ${INDS} separately (${IND.length * 3} children, independent rows)`,
    IND.flatMap((h) => (["v", "q", "k"] as Slot[]).map((s) => whole(slot([h], s)))),
  );

  // ---- hypothesis: slots of the induction heads, and the explorations around ev/eq/pth-k
  const hyp = (name: string, split: OriginalSplit, description: string, children: (Matcher | null)[], derived = false) =>
    add({ name, group: "hypothesis", split, description, children }, derived);
  for (const [s, hop] of [["v", v], ["q", q], ["k", k]] as const) {
    const S = SLOT_NAME[s];
    hyp(s, "labelled", `every ${S} input of ${INDS} (direct embedding and all layer-0 heads)`, [whole(hop)]);
    hyp(`not-e${s}`, "labelled", `direct embedding → ${S} of ${INDS} (keep every layer-0 head): the complement of e${s}`, [viaEmb(hop)]);
    hyp(`scrub-ind-${s}`, "all", `every ${S} input of ${INDS} (later revisions' name for "${s}")`, [whole(hop)]);
  }
  hyp("ek", "labelled", `all layer-0 heads → K of ${INDS} (keep the direct embedding): hypothesis "embeddings → key"`, [viaL0(k)]);
  for (const [s, hop] of [["v", v], ["q", q]] as const) {
    const S = SLOT_NAME[s];
    for (let i = 0; i < H; i++) {
      hyp(`a0-${s}-${i}`, "b0-all", `direct embedding and 0.${i} → ${S} of ${INDS}`, [viaEmbAnd(hop, [i])]);
      hyp(`a0-${s}-only-${i}`, "b0-all", `0.${i} → ${S} of ${INDS}`, [viaL0(hop, [i])]);
      hyp(`scrub-${s}-ind-0.${i}`, "all", `0.${i} → ${S} of ${INDS} (later revisions' name for a0-${s}-only-${i})`, [viaL0(hop, [i])]);
      hyp(`scrub-${s}-ind-0.${i}e`, "all", `direct embedding and 0.${i} → ${S} of ${INDS} (later revisions' name for a0-${s}-${i})`, [viaEmbAnd(hop, [i])]);
    }
    const each = g.layer0.map((i) => viaL0(hop, [i]));
    hyp(`a0-${s}-indep`, "b0-all", `each layer-0 head → ${S} of ${INDS}, and the direct embedding, as ${H + 1} children (independent rows)`, [...each, viaEmb(hop)]);
    hyp(`a0-${s}-indep-only`, "b0-all", `each layer-0 head → ${S} of ${INDS} as ${H} children (independent rows; keep the embedding)`, each);
  }
  const kept = r.pthKPlusKept;
  hyp(`a0-v-${comma(kept)}`, "b0-all", `direct embedding and ${l0(kept)} → V of ${INDS}`, [viaEmbAnd(v, kept)], true);
  hyp("ev+-decoherent", "b0-all", `ev+ with one child per head: ${l0(r.plusHeads)} → V of ${INDS}, independent rows`, r.plusHeads.map((h) => viaL0(v, [h])));
  hyp(`a0-v-only${comma(kept)}`, "b0-all", `${l0(kept)} → V of ${INDS}`, [viaL0(v, kept)], true);
  hyp(`a0-v-not${comma(kept)}`, "b0-all", `direct embedding and ${l0(g.notKept)} → V of ${INDS} (keep ${l0(kept)})`, [viaEmbAnd(v, g.notKept)], true);
  hyp(`a0-v-onlynot${comma(kept)}`, "b0-all", `${l0(g.notKept)} → V of ${INDS} (keep the embedding and ${l0(kept)})`, [viaL0(v, g.notKept)], true);
  // One-off explorations on Redwood's heads: literal head numbers, as their names say.
  const literal = (name: string, hs: number[], description: string, children: () => (Matcher | null)[]) => has(hs) && hyp(name, "b0-all", description, children(), true);
  literal("a0-v-only016", [0, 1, 6], `0.0, 0.1, 0.6 → V of ${INDS}`, () => [viaL0(v, [0, 1, 6])]);
  literal("a0-v-all-bad-but-2", [1, 3, 4, 5, 7], `direct embedding and 0.1, 0.3, 0.4, 0.5, 0.7 → V of ${INDS}`, () => [viaEmbAnd(v, [1, 3, 4, 5, 7])]);
  literal("a0-v-all-bad-but-12", [3, 4, 5, 7], `direct embedding and 0.3, 0.4, 0.5, 0.7 → V of ${INDS}`, () => [viaEmbAnd(v, [3, 4, 5, 7])]);
  for (const hs of [[2, 5, 1], [2, 5, 1, 3], [2, 5, 1, 3, 6]]) {
    const name = `a0-q-indep-${[...hs].sort((a, b) => a - b).join("")}`;
    literal(name, hs, `each of ${l0(hs)} → Q of ${INDS} as ${hs.length} children (independent rows)`, () => hs.map((h) => viaL0(q, [h])));
  }
  literal("a0-q-only-56", [5, 6], `0.5, 0.6 → Q of ${INDS}`, () => [viaL0(q, [5, 6])]);
  hyp("eq+-decoherent", "b0-all", `the direct embedding and each of ${l0(r.plusHeads)} → Q of ${INDS} as ${r.plusHeads.length + 1} children (independent rows)`, [
    viaEmb(q),
    ...r.plusHeads.map((h) => viaL0(q, [h])),
  ]);
  hyp("not-pth-k", "labelled", `direct embedding and ${P0} → K of ${INDS} (keep ${l0(g.notPrev)}): the complement of pth-k`, [viaEmbAnd(k, [P])]);
  hyp("pth-k-fine", "labelled", `${l0(g.notPrev)} → K of ${INDS} (keep the embedding and ${P0})`, [viaL0(k, g.notPrev)]);
  hyp("not-pth-k-emb", "labelled", `direct embedding and ${P0} → K of ${INDS} (same paths as not-pth-k)`, [viaEmbAnd(k, [P])]);
  hyp(`not-pth-k-emb-${digits(kept)}`, "b0-all", `direct embedding and ${l0(kept)} → K of ${INDS}`, [viaEmbAnd(k, kept)], true);
  hyp(`not-pth-k-${digits(kept)}`, "b0-all", `${l0(kept)} → K of ${INDS}`, [viaL0(k, kept)], true);
  for (const h of [6, 7]) literal(`not-pth-k-${h}`, [h], `0.${h} → K of ${INDS}`, () => [viaL0(k, [h])]);
  hyp("not-pth-unimp", "b0-all", `${l0(g.notKept)} → K of ${INDS} (keep the embedding and ${l0(kept)})`, [viaL0(k, g.notKept)]);
  hyp("pth-q", "labelled", `direct embedding and ${l0(g.notPrev)} → Q of ${INDS} (keep only ${P0})`, [viaEmbAnd(q, g.notPrev)]);
  for (const i of IND) {
    const ki = slot([i], "k");
    hyp(`1.${i}-pth-k+`, "all", `direct embedding and ${l0(g.notKept)} → K of 1.${i} only (keep ${l0(kept)}): pth-k+ for one head`, [viaEmbAnd(ki, g.notKept)]);
    hyp(`1.${i}-not-pth-k+`, "all", `${l0(kept)} → K of 1.${i}: the complement of 1.${i}-pth-k+ among layer-0 heads`, [viaL0(ki, kept)]);
    hyp(`1.${i}-ek`, "all", `${l0(r.plusHeads)} → K of 1.${i} (keep the embedding and ${l0(g.diag)}): "embeddings → key" for one head`, [viaL0(ki, r.plusHeads)]);
    hyp(
      `1.${i}-e${digits(g.ekNarrowKept)}k`,
      "all",
      `${l0(r.ekNarrowScrubbed)} → K of 1.${i} (keep the embedding and ${l0(g.layer0.filter((h) => !r.ekNarrowScrubbed.includes(h)))})`,
      [viaL0(ki, r.ekNarrowScrubbed)],
      true,
    );
  }
  // REPO's `for h in [5, 6]` loop writes "all-1.6" twice, so the last induction head's entry wins.
  const last = IND[IND.length - 1];
  const vL = slot([last], "v");
  const qL = slot([last], "q");
  const kL = slot([last], "k");
  hyp(`all-1.${last}`, "all", `ev ∪ eq ∪ pth-k for 1.${last} alone, one child (the original loop over the induction heads leaves only the last one's)`, [
    union(viaL0(vL)!, viaL0(qL)!, viaEmbAnd(kL, g.notPrev)),
  ]);
  // As REPO lists it: Q without the second previous-token-like head, K as pth-k+.
  const qDecoherent = g.layer0.filter((h) => !(kept.includes(h) && h !== P));
  hyp(
    `all-1.${last}-ind`,
    "all",
    `all-1.${last} split into single-head children (independent rows): each layer-0 head → V; each of ${l0(qDecoherent)} → Q; the embedding → K; each of ${l0(g.notKept)} → K`,
    [...g.layer0.map((h) => viaL0(vL, [h])), ...qDecoherent.map((h) => viaL0(qL, [h])), viaEmb(kL), ...g.notKept.map((h) => viaL0(kL, [h]))],
  );

  // ---- per-head scrubs
  const per = (name: string, split: OriginalSplit, description: string, children: (Matcher | null)[], derived = false) =>
    add({ name, group: "per-head", split, description, children }, derived);
  for (let i = 0; i < H; i++) {
    if (i !== last) per(`all-1.${i}`, "all", `every input of 1.${i} (same paths as scrub-1.${i})`, [whole({ layer: 1, heads: [i] })]);
    per(`all-0.${i}`, "all", `every copy of 0.${i} (same paths as scrub-0.${i})`, [through({ layer: 0, heads: [i] })]);
    per(`scrub-1.${i}`, "all", `every input of 1.${i} (Q, K, V; one random row)`, [whole({ layer: 1, heads: [i] })]);
    per(`scrub-0.${i}`, "all", `every copy of 0.${i}: its direct path to the logits and inside every layer-1 Q/K/V input, one random row`, [
      through({ layer: 0, heads: [i] }),
    ]);
    per(`scrub-0.${i}-decoherent`, "all", `0.${i} inside each layer-1 head, one child per layer-1 head (independent rows; direct path kept)`, g.layer1.map((j) =>
      chain({ layer: 1, heads: [j] }, { layer: 0, heads: [i] }),
    ));
    per(`scrub-1-0.${i}`, "all", `0.${i} only where it feeds layer 1 (any head, any slot); its direct path kept`, [chain({ layer: 1 }, { layer: 0, heads: [i] })]);
    per(`scrub-resid-0.${i}`, "all", `0.${i} only on its direct path to the logits; its copies inside layer 1 kept`, [resid0([i])]);
    for (let j = 0; j < H; j++) {
      const m = [chain({ layer: 1, heads: [i] }, { layer: 0, heads: [j] })];
      per(`1.${i}-0.${j}`, "all", `0.${j} → every input (Q, K, V) of 1.${i}`, m);
      per(`scrub-1.${i}-0.${j}`, "all", `0.${j} → every input (Q, K, V) of 1.${i} (later revisions' name for 1.${i}-0.${j})`, m);
    }
    for (const s of SLOTS) {
      const S = SLOT_NAME[s];
      const hop = slot([i], s);
      const groups: [string, readonly number[], string][] = [
        [digits(kept), kept, ""],
        [digits(g.begin), g.begin, ""],
        [digits([...kept, ...g.begin]), [...kept, ...g.begin], ""],
        [digits(g.diag), g.diag, ""],
      ];
      // Both spellings: the seed's "q-1.5-…" and the later revisions' "scrub-q-1.5-…".
      for (const prefix of ["", "scrub-"]) {
        const note = prefix ? ` (later revisions' name for ${s}-1.${i}…)` : "";
        const n = `${prefix}${s}-1.${i}`;
        per(n, "all", `every ${S} input of 1.${i} (direct embedding and all layer-0 heads)${note}`, [whole(hop)]);
        per(`${n}-emb`, "all", `direct embedding → ${S} of 1.${i}${note}`, [viaEmb(hop)]);
        for (let j = 0; j < H; j++) {
          per(`${n}-0.${j}`, "all", `0.${j} → ${S} of 1.${i}${note}`, [viaL0(hop, [j])]);
          per(`${n}-0.${j}e`, "all", `direct embedding and 0.${j} → ${S} of 1.${i}${note}`, [viaEmbAnd(hop, [j])]);
        }
        for (const [d, hs] of groups) per(`${n}-0.${d}`, "all", `${l0(hs)} → ${S} of 1.${i}${note}`, [viaL0(hop, hs)], true);
        per(`${n}-0.${digits(g.diag)}e`, "all", `direct embedding and ${l0(g.diag)} → ${S} of 1.${i}${note}`, [g.diag.length ? viaEmbAnd(hop, g.diag) : null], true);
        per(
          `${n}-0.${digits(g.diag)}e-split`,
          "all",
          `each of ${l0(g.diag)} and the direct embedding → ${S} of 1.${i}, one child each (independent rows)${note}`,
          g.diag.length ? [...g.diag.map((h) => viaL0(hop, [h])), viaEmb(hop)] : [null],
          true,
        );
        per(`${n}-0.${digits(g.notKept)}`, "all", `${l0(g.notKept)} → ${S} of 1.${i}${note}`, [viaL0(hop, g.notKept)], true);
        per(`${n}-0.${digits(g.notKept)}e`, "all", `direct embedding and ${l0(g.notKept)} → ${S} of 1.${i}${note}`, [g.notKept.length ? viaEmbAnd(hop, g.notKept) : null], true);
        per(`${n}-0.${digits(g.notPrev)}e`, "all", `direct embedding and ${l0(g.notPrev)} → ${S} of 1.${i}${note}`, [g.notPrev.length ? viaEmbAnd(hop, g.notPrev) : null], true);
        per(`${n}-0.${digits(g.notBegin)}e`, "all", `direct embedding and ${l0(g.notBegin)} → ${S} of 1.${i}${note}`, [g.notBegin.length ? viaEmbAnd(hop, g.notBegin) : null], true);
        per(`${n}-0`, "all", `all layer-0 heads → ${S} of 1.${i} (keep the direct embedding)${note}`, [viaL0(hop)]);
      }
    }
  }

  // ---- layer 0 on the direct path to the logits
  const res = (name: string, description: string, children: (Matcher | null)[], derived = false) => add({ name, group: "residual", split: "all", description, children }, derived);
  res("resid-0", "the direct embedding and every layer-0 head on their direct paths to the logits, one child (layer 1's inputs kept)", [union(directEmbed(), chain({ layer: 0 }))]);
  res("resid-0-indiv", "each layer-0 head on its direct path to the logits, one child per head (independent rows)", g.layer0.map((h) => resid0([h])));
  res("resid-0-prev", `${l0(kept)} (previous-token-like heads) on their direct paths to the logits`, [kept.length ? resid0(kept) : null]);
  res("resid-0-begin", `${l0(g.begin)} (heads attending to the start) on their direct paths to the logits`, [g.begin.length ? resid0(g.begin) : null]);
  res("resid-0-diag", `${l0(g.diag)} (heads attending to themselves) on their direct paths to the logits`, [g.diag.length ? resid0(g.diag) : null]);

  // ---- model modifications: no scrubbing child
  const mod = (name: string, description: string, modification: ModelModification) => add({ name, group: "modification", split: "all", description, children: [], modification });
  const prev = r.previousTokenHead;
  const where = (heads: string, slots?: Slot) => `its copies feeding the ${slots ? SLOT_NAME[slots] : "Q, K and V"} input${slots ? "" : "s"} of ${heads}; its direct path is untouched`;
  const kinds: [PatternKind, string][] = [
    ["real", "an exact previous-token pattern (A[t,t−1]=1, A[0,0]=1)"],
    ["beg", "attention to position 0 only"],
    ["zero", "an all-zero pattern (the head adds nothing there)"],
  ];
  for (const [kind, text] of kinds) {
    mod(`${kind}-${P0}`, `${P0}'s attention replaced by ${text} in ${where("every layer-1 head")}`, replacePattern(kind, prev, { layer: 1 }));
    for (const s of SLOTS) {
      mod(`${s}-${kind}-${P0}`, `${P0}'s attention replaced by ${text} in ${where("every layer-1 head", s)}`, replacePattern(kind, prev, { layer: 1, slots: [s] }));
    }
  }
  const perHead: [string, PatternKind, number | undefined, string, boolean][] = [
    ["real", "real", undefined, "an exact previous-token pattern (A[t,t−1]=1, A[0,0]=1)", true],
    ["beg", "beg", undefined, "attention to position 0 only", true],
    ["pos20", "beg", 20, "attention to position 20 only (non-causal for t < 20, as in the original)", false],
    ["pos1", "beg", 1, "attention to position 1 only (non-causal at t = 0, as in the original)", false],
    ["zero", "zero", undefined, "an all-zero pattern (the head adds nothing there)", true],
    ["diag", "diag", undefined, "the identity pattern (each position attends to itself)", true],
  ];
  for (let i = 0; i < H; i++) {
    for (const [tag, kind, begPos, text, perSlot] of perHead) {
      const into = begPos === undefined ? { layer: 1, heads: [i] } : { layer: 1, heads: [i], begPos };
      mod(`1.${i}-${tag}-${P0}`, `${P0}'s attention replaced by ${text} in ${where(`1.${i}`)}`, replacePattern(kind, prev, into));
      if (!perSlot) continue;
      for (const s of SLOTS) {
        mod(`${s}-1.${i}-${tag}-${P0}`, `${P0}'s attention replaced by ${text} in ${where(`1.${i}`, s)}`, replacePattern(kind, prev, { ...into, slots: [s] }));
      }
    }
  }
  // Weight swaps between any two heads of the model (also across layers), and Q/K flips.
  for (let a = 0; a < 2 * H; a++) {
    for (let b = a + 1; b < 2 * H; b++) {
      const x = { layer: Math.floor(a / H), head: a % H };
      const y = { layer: Math.floor(b / H), head: b % H };
      const pair = `${x.layer}.${x.head}-${y.layer}.${y.head}`;
      const both = `${x.layer}.${x.head} and ${y.layer}.${y.head}`;
      mod(`swap-${pair}`, `W_Q and W_K exchanged between ${both} (each keeps its own W_V, W_O)`, combine(swapHeadWeights("W_Q", x, y), swapHeadWeights("W_K", x, y)));
      mod(`swap-k-${pair}`, `W_K exchanged between ${both}`, swapHeadWeights("W_K", x, y));
      mod(`swap-q-${pair}`, `W_Q exchanged between ${both}`, swapHeadWeights("W_Q", x, y));
    }
  }
  for (let l = 0; l < 2; l++) {
    for (let h = 0; h < H; h++) {
      mod(`transpose-${l}${h}-nopos`, `${l}.${h}'s W_Q and W_K exchanged, which transposes its attention scores`, flipQK(l, h));
    }
  }
  return out;
}
