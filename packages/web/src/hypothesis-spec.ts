/**
 * A hypothesis the playground's builder makes, as plain JSON (so the page can send it to the worker):
 * the root "logits" node keeps the reference row (Exact, or Fixed(idx) for SAA), and each child node
 * claims some paths of the treeified model and says how their inputs are resampled. Several children
 * resample independently ("decoherent"); the rules of one child share one resampled row ("coherent").
 * `buildHypothesis` turns it into scrubbing's Correspondence, so the page and the worker check and
 * run exactly the same thing.
 */
import type { ModelConfig } from "@isc/core/browser";
import {
  chain,
  Correspondence,
  CondSampler,
  directEmbed,
  ExactSampler,
  type PathSplit,
  HypothesisError,
  InterpNode,
  type Matcher,
  type Path,
  type Sampler,
  type Slot,
  through,
  UncondSampler,
  union,
} from "@isc/scrubbing";

/** One hop: these heads of this layer, entered through these slots. */
export interface HopSpec {
  layer: number;
  heads: number[];
  slots: Slot[];
}

/**
 * - "into": paths whose last head before the logits is `hop`; `from` says what may feed it: anything
 *   (every path below), the embedding directly, or these heads of an earlier layer.
 * - "through": every path passing `hop` anywhere.
 * - "direct": the one embedding → logits path.
 */
export type RuleSpec =
  | { kind: "into"; hop: HopSpec; from: "any" | "embed" | HopSpec }
  | { kind: "through"; hop: HopSpec }
  | { kind: "direct" };

/** "uncond": an independent random row; "same-first-token": a random row whose first text token matches; "exact": the parent's row. */
export type SamplerSpec = "uncond" | "same-first-token" | "exact";

export interface NodeSpec {
  name: string;
  sampler: SamplerSpec;
  /** Their union is what the node claims. */
  rules: RuleSpec[];
}

export interface HypothesisSpec {
  nodes: NodeSpec[];
}

export const SAMPLER_LABELS: Readonly<Record<SamplerSpec, string>> = Object.freeze({
  uncond: "Uncond: an independent random row",
  "same-first-token": "Cond: a random row with the same first token",
  exact: "Exact: the reference row (scrubs nothing)",
});

function samplerOf(s: SamplerSpec): Sampler {
  switch (s) {
    case "uncond":
      return new UncondSampler();
    case "exact":
      return new ExactSampler();
    case "same-first-token":
      // Position 0 is [BEGIN] in every row; position 1 is the first text token.
      return new CondSampler((row) => row[1] ?? -1, "Cond(first token)");
    default:
      throw new HypothesisError(`unknown sampler "${String(s)}"`);
  }
}

export function matcherOf(rule: RuleSpec): Matcher {
  switch (rule.kind) {
    case "direct":
      return directEmbed();
    case "through":
      return through(rule.hop);
    case "into":
      if (rule.from === "any") return chain(rule.hop);
      if (rule.from === "embed") return chain(rule.hop, "embed");
      if (rule.from.layer >= rule.hop.layer) {
        throw new HypothesisError(`heads of layer ${rule.from.layer} cannot feed layer ${rule.hop.layer}: paths go from earlier layers to later ones`);
      }
      return chain(rule.hop, rule.from);
    default:
      throw new HypothesisError(`unknown rule kind "${(rule as { kind: string }).kind}"`);
  }
}

/** In words, for the builder's list: "V of 1.4, 1.6 ← 0.*". */
export function describeRule(rule: RuleSpec): string {
  const hop = (h: HopSpec) => `${h.slots.map((s) => s.toUpperCase()).join("")} of ${h.heads.map((x) => `${h.layer}.${x}`).join(", ")}`;
  switch (rule.kind) {
    case "direct":
      return "embed → logits directly";
    case "through":
      return `every path through ${hop(rule.hop)}`;
    case "into":
      return `${hop(rule.hop)} ← ${rule.from === "any" ? "anything" : rule.from === "embed" ? "embed directly" : `${hop(rule.from)} ← anything`}`;
  }
}

/** The Correspondence for `spec`, with `root` as the root's sampler (Exact, or Fixed for SAA). Throws HypothesisError on a bad spec. */
export function buildHypothesis(spec: HypothesisSpec, root: Sampler = new ExactSampler()): Correspondence {
  if (spec.nodes.length === 0) throw new HypothesisError("the hypothesis has no node: add one with the paths to scrub");
  const r = new InterpNode("logits", root, root);
  const corr = new Correspondence(r);
  spec.nodes.forEach((n, i) => {
    if (n.rules.length === 0) throw new HypothesisError(`node "${n.name || i}" has no rule: give it paths or remove it`);
    const ms = n.rules.map(matcherOf);
    corr.addChild(r, n.name || String(i), ms.length === 1 ? ms[0] : union(...ms), samplerOf(n.sampler));
  });
  return corr;
}

export interface PathOwners {
  paths: Path[];
  /** [paths] index of the child node whose rows the path sees, or -1 for the root's (unscrubbed). */
  owner: Int32Array;
  /** Child node names, in order. */
  nodes: string[];
  /** Samplers' names per child, e.g. "Uncond". */
  samplers: string[];
}

/** Which child claims each path (checking the hypothesis on the way): what the path diagram draws. */
export function pathOwners(corr: Correspondence, cfg: ModelConfig, splits: readonly PathSplit[] = []): PathOwners {
  const { paths, claimed } = corr.resolve(cfg, splits);
  const owner = new Int32Array(paths.length).fill(-1);
  const nodes: string[] = [];
  const samplers: string[] = [];
  // Each root child and all its descendants draw as that child: the diagram shows which resample a path sees first.
  corr.root.children.forEach((c, i) => {
    nodes.push(c.name);
    samplers.push(c.sampler.name);
    for (const p of claimed.get(c) ?? []) owner[p] = i;
  });
  return { paths, owner, nodes, samplers };
}

/** The builder's starting point: the values of the card's induction heads, fed by anything, resampled. */
export function defaultSpec(inductionLayer: number, inductionHeads: number[]): HypothesisSpec {
  return {
    nodes: [{ name: "scrubbed", sampler: "uncond", rules: [{ kind: "into", hop: { layer: inductionLayer, heads: [...inductionHeads], slots: ["v"] }, from: "any" }] }],
  };
}
