/**
 * The treeified model as a plan (docs/semantics.md §5.3): every path sees the rows its
 * interpretation node sampled, so the residual feeding each head's slot is a different
 * computation per path prefix. Identical sub-trees (same rows on every path below them, same
 * modifications) get the same signature and are computed once, and heads of a layer that share a
 * signature run together as one multi-head attention, so an unscrubbed run costs what a plain
 * forward pass costs. Plain data: no tensors.
 */
import type { ModelConfig } from "@isc/core";
import type { InputAssignment } from "./hypothesis.js";
import type { ModelModification, PatternReplacement } from "./model-modifications.js";
import { headParts, type Hop, pathKey, type Slot, type SubspacePart, type Window } from "./paths.js";
import { type PositionSplit, queryInside, windowAt } from "./position-split.js";
import { SUBSPACE_PARTS, type SubspaceSplit } from "./subspace.js";
import { splitAt } from "./subspace-paths.js";

/** Heads of one layer computed together: they read the same residuals through q, k and v. */
export interface HeadGroup {
  layer: number;
  heads: number[];
  part?: string;
  sig: number;
  q: SlotNode;
  k: SlotNode;
  v: SlotNode;
  /** The pattern the group uses instead of its own, or null. */
  rep: PatternReplacement | null;
  /**
   * For head copies whose input tokens are split by position (docs/semantics.md §5.6): the window,
   * and the residuals holding the keys and values outside it; k and v above then hold the inside
   * ones, and q whichever side the query position falls on (the same for every position). Absent
   * when inside and outside keys and values read the same rows: that is the unsplit computation.
   */
  outside?: OutsideInputs;
}

export interface OutsideInputs {
  window: Pick<PositionSplit, "back" | "include">;
  k: SlotNode;
  v: SlotNode;
}

/** A residual stream: the embedding of one source's rows plus the outputs of its head groups. */
export interface ResidualNode {
  sig: number;
  embedSource: number;
  groups: HeadGroup[];
}

/**
 * A slot input under a subspace split (subspace.ts): the residual along the split's proj_target
 * paths and the one along its proj_residual paths, mixed by the evaluator (subspace-mix.ts).
 */
export interface SplitInput {
  sig: number;
  split: SubspaceSplit;
  target: ResidualNode;
  residual: ResidualNode;
}

/** What a head group reads through one slot. */
export type SlotNode = ResidualNode | SplitInput;

export function isSplitInput(n: SlotNode): n is SplitInput {
  return "split" in n;
}

/** In the residual feeding a `heads` split, the hops of those heads carry this part (subspace-paths.ts). */
interface HeadsTag {
  layer: number;
  heads: readonly number[];
  part: SubspacePart;
}

/** What a plan costs: distinct residual streams, and distinct head groups per layer. */
export interface PlanSummary {
  residuals: number;
  groupsPerLayer: number[];
  headsPerLayer: number[];
}

export class ScrubPlan {
  private readonly ids = new Map<string, number>();
  private readonly nodes = new Map<number, ResidualNode>();
  private readonly pathIndex: Map<string, number>;
  /** The residual the unembedding reads. */
  readonly root: ResidualNode;

  constructor(
    private readonly cfg: ModelConfig,
    private readonly a: InputAssignment,
    private readonly mod: ModelModification | undefined,
  ) {
    this.pathIndex = new Map(a.paths.map((p, i) => [pathKey(p), i]));
    this.root = this.residual([], cfg.n_layers);
  }

  summary(): PlanSummary {
    const groups = new Map<number, HeadGroup>();
    for (const n of this.nodes.values()) for (const g of n.groups) groups.set(g.sig, g);
    const perLayer = (f: (g: HeadGroup) => number) =>
      Array.from({ length: this.cfg.n_layers }, (_, l) => [...groups.values()].filter((g) => g.layer === l).reduce((s, g) => s + f(g), 0));
    return { residuals: this.nodes.size, groupsPerLayer: perLayer(() => 1), headsPerLayer: perLayer((g) => g.heads.length) };
  }

  /** The group holding `head` of `layer` in the copy reached along `prefix` (hops from the logits inward). */
  groupAt(prefix: Hop[], layer: number, head: number): { group: HeadGroup; index: number } {
    let node = this.root;
    for (const hop of prefix) {
      const g = node.groups.find((x) => x.layer === hop.layer && x.heads.includes(hop.head) && x.part === hop.part)!;
      const next = g[hop.slot];
      node = isSplitInput(next) ? (hop.subspace === "proj_residual" ? next.residual : next.target) : next;
    }
    const group = node.groups.find((x) => x.layer === layer && x.heads.includes(head))!;
    return { group, index: group.heads.indexOf(head) };
  }

  private intern(s: string): number {
    let id = this.ids.get(s);
    if (id === undefined) this.ids.set(s, (id = this.ids.size));
    return id;
  }

  /** The residual entering layer `layer` along `prefix`. */
  private residual(prefix: Hop[], layer: number, tag?: HeadsTag): ResidualNode {
    const embedSource = this.a.sourceOf[this.pathIndex.get(pathKey(prefix))!];
    const groups: HeadGroup[] = [];
    for (let l = 0; l < layer; l++) groups.push(...this.layerGroups(prefix, l, tag));
    const sig = this.intern(`e${embedSource}|${groups.map((g) => g.sig).join(",")}`);
    const known = this.nodes.get(sig);
    if (known) return known;
    const node = { sig, embedSource, groups };
    this.nodes.set(sig, node);
    return node;
  }

  /** The heads of layer `l` feeding the residual at `prefix`, grouped by identical inputs and pattern. */
  private layerGroups(prefix: Hop[], l: number, tag?: HeadsTag): HeadGroup[] {
    const byKey = new Map<string, HeadGroup>();
    for (let h = 0; h < this.cfg.n_heads; h++) {
      const side = tag && tag.layer === l && tag.heads.includes(h) ? { subspace: tag.part } : {};
      for (const part of headParts(this.mod?.splits ?? [], l, h)) {
        const hop = { layer: l, head: h, ...(part ? { part } : {}), ...side };
        const at = (slot: Slot, window?: Window) => this.slotInput(prefix, { ...hop, slot, ...(window ? { window } : {}) }, l);
        const { q, k, v, outside } = copyInputs(windowAt(this.mod?.splits ?? [], prefix, l, h), at);
        const rep = this.mod?.pattern?.(prefix, l, h, part) ?? null;
        const windowKey = outside ? `|w${outside.window.back},${outside.window.include}:${outside.k.sig},${outside.v.sig}` : "";
        const key = `${l}:${rep?.id ?? ""}:${q.sig},${k.sig},${v.sig}${windowKey}`;
        const g = byKey.get(key);
        if (g) g.heads.push(h);
        else byKey.set(key, { layer: l, heads: [h], part, sig: 0, q, k, v, rep, ...(outside ? { outside } : {}) });
      }
    }
    for (const [key, g] of byKey) g.sig = this.intern(`${key}:${g.heads.join(",")}`);
    return [...byKey.values()];
  }

  /** What feeds `hop`'s slot: the residual along prefix + hop, or, where a subspace split sits, its two sides. */
  private slotInput(prefix: Hop[], hop: Hop, layer: number): SlotNode {
    const split = splitAt(this.mod?.splits ?? [], hop);
    if (!split) return this.residual([...prefix, hop], layer);
    const a = split.activation;
    const [target, residual] = SUBSPACE_PARTS.map((part) =>
      a.kind === "heads" ? this.residual([...prefix, hop], layer, { layer: a.layer, heads: a.heads, part }) : this.residual([...prefix, { ...hop, subspace: part }], layer),
    );
    // Both sides on the same rows: P·a + (I − P)·a = a, so the plan computes the unsplit input, bit for bit.
    if (target.sig === residual.sig) return target;
    const id = (this.mod?.splits ?? []).indexOf(split);
    return { sig: this.intern(`split${id}:${target.sig},${residual.sig}`), split, target, residual };
  }
}

/**
 * The residuals a head copy reads: one per slot, or for a position-split copy the side its query is
 * on, the inside keys and values, and the outside ones unless they read the same rows.
 */
function copyInputs(split: PositionSplit | null, at: (slot: Slot, window?: Window) => SlotNode) {
  if (!split) return { q: at("q"), k: at("k"), v: at("v"), outside: undefined };
  const [k, v] = [at("k", "inside"), at("v", "inside")];
  const [kOut, vOut] = [at("k", "outside"), at("v", "outside")];
  const same = k.sig === kOut.sig && v.sig === vOut.sig;
  const outside: OutsideInputs | undefined = same ? undefined : { window: { back: split.back, include: split.include }, k: kOut, v: vOut };
  return { q: at("q", queryInside(split) ? "inside" : "outside"), k, v, outside };
}
