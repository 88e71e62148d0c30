/**
 * A causal-scrubbing hypothesis: a tree of interpretation nodes, each with a sampler, matched to
 * sets of paths of the treeified model (Redwood's InterpNode + Correspondence, docs/semantics.md §5.1).
 */
import type { ModelConfig, Rng } from "@isc/core";
import _ from "lodash";
import type { TokenDataset } from "./dataset.js";
import { allPaths, explainPaths, HypothesisError, type Matcher } from "./matchers.js";
import { enumeratePaths, pathKey, type Path, type PathSplit } from "./paths.js";
import { ExactSampler, type Sampler, UncondSampler } from "./samplers.js";

export class InterpNode {
  readonly children: InterpNode[] = [];

  constructor(
    readonly name: string,
    readonly sampler: Sampler = new ExactSampler(),
    /** Rows for the paths this node claims but none of its children do. */
    readonly otherInputsSampler: Sampler = new ExactSampler(),
  ) {}

  makeDescendant(name: string, sampler: Sampler = new UncondSampler(), otherInputsSampler?: Sampler): InterpNode {
    const child = new InterpNode(name, sampler, otherInputsSampler);
    this.children.push(child);
    return child;
  }

  /** Depth-first, parents before children: the order sampling and replacement use. */
  *walk(): Generator<InterpNode> {
    yield this;
    for (const c of this.children) yield* c.walk();
  }
}

/** What each path of the model sees: `sources[s]` are rows; `sourceOf[path index]` picks one. */
export interface InputAssignment {
  paths: Path[];
  sourceOf: Int32Array;
  /** Source names, e.g. "logits" or "ev (other inputs)", for messages and manifests. */
  sourceNames: string[];
  /** [N] rows per source. */
  sources: Int32Array[];
  /** The source whose rows give the labels: always the root's (0). */
  labelSource: number;
}

export class Correspondence {
  private readonly matchers = new Map<InterpNode, Matcher>();

  constructor(readonly root: InterpNode, rootMatcher: Matcher = allPaths()) {
    this.matchers.set(root, rootMatcher);
  }

  /** Adds `node` (already a descendant in the tree) with the paths it claims. */
  add(node: InterpNode, matcher: Matcher): this {
    this.matchers.set(node, matcher);
    return this;
  }

  /** A child node and its paths in one call. */
  addChild(parent: InterpNode, name: string, matcher: Matcher, sampler?: Sampler, otherInputsSampler?: Sampler): InterpNode {
    const node = parent.makeDescendant(name, sampler, otherInputsSampler);
    this.add(node, matcher);
    return node;
  }

  /** Each node, parents first, with its samplers and the paths it claims, in words (for run records). */
  describe(): { node: string; parent: string | null; sampler: string; otherInputsSampler: string; paths: string }[] {
    const parentOf = new Map<InterpNode, InterpNode>();
    for (const n of this.root.walk()) for (const c of n.children) parentOf.set(c, n);
    return [...this.root.walk()].map((n) => ({
      node: n.name,
      parent: parentOf.get(n)?.name ?? null,
      sampler: n.sampler.name,
      otherInputsSampler: n.otherInputsSampler.name,
      paths: this.matchers.get(n)?.description ?? "(none)",
    }));
  }

  /**
   * Checks the hypothesis against the model and returns, for each node, the indices of the paths
   * it claims. The root must claim every path; a child only paths of its parent; siblings may not
   * share a path (which sibling's rows it should see would be ambiguous).
   */
  resolve(cfg: ModelConfig, splits: readonly PathSplit[] = []): { paths: Path[]; claimed: Map<InterpNode, Int32Array> } {
    const paths = enumeratePaths(cfg, splits);
    const claimed = new Map<InterpNode, Int32Array>();
    for (const node of this.root.walk()) {
      const m = this.matchers.get(node);
      if (!m) throw new HypothesisError(`node "${node.name}" is in the tree but has no paths in the correspondence`);
      m.check(cfg);
      const idx = _.range(paths.length).filter((i) => m.test(paths[i]));
      if (idx.length === 0) throw new HypothesisError(`node "${node.name}" (${m.description}) matches no path of the model`);
      claimed.set(node, Int32Array.from(idx));
    }
    for (const node of this.matchers.keys()) {
      if (![...this.root.walk()].includes(node)) throw new HypothesisError(`node "${node.name}" has paths but is not in the tree under "${this.root.name}"`);
    }
    if (claimed.get(this.root)!.length !== paths.length) {
      const missing = paths.filter((_, i) => !claimed.get(this.root)!.includes(i));
      throw new HypothesisError(`the root "${this.root.name}" must match every path; it misses ${explainPaths(missing)}`);
    }
    for (const node of this.root.walk()) {
      const seen = new Map<number, InterpNode>();
      for (const c of node.children) {
        const outside = _.difference(claimed.get(c)!, claimed.get(node)!);
        if (outside.length) {
          throw new HypothesisError(`node "${c.name}" matches paths its parent "${node.name}" does not: ${explainPaths(outside.map((i) => paths[i]))}`);
        }
        for (const i of claimed.get(c)!) {
          const other = seen.get(i);
          if (other) {
            throw new HypothesisError(`siblings "${other.name}" and "${c.name}" both match ${explainPaths([paths[i]])}: which rows it sees would be ambiguous`);
          }
          seen.set(i, c);
        }
      }
    }
    return { paths, claimed };
  }

  /**
   * Samples every node (parents first, as Redwood does) and gives each path the rows of the deepest
   * node that claims it: that node's own rows if it is a leaf, else its other-inputs rows.
   */
  assign(cfg: ModelConfig, ref: Int32Array, ds: TokenDataset, rng: Rng, splits: readonly PathSplit[] = []): InputAssignment {
    const { paths, claimed } = this.resolve(cfg, splits);
    const sources: Int32Array[] = [];
    const sourceNames: string[] = [];
    const sourceOf = new Int32Array(paths.length).fill(-1);
    const visit = (node: InterpNode, parentRows: Int32Array) => {
      const rows = node.sampler.sample(parentRows, ds, rng);
      let own = rows;
      let ownName = node.name;
      if (node.children.length > 0) {
        own = node.otherInputsSampler.sample(rows, ds, rng);
        ownName = `${node.name} (other inputs)`;
      }
      sources.push(own);
      sourceNames.push(ownName);
      for (const i of claimed.get(node)!) sourceOf[i] = sources.length - 1;
      for (const c of node.children) visit(c, rows);
    };
    visit(this.root, ref);
    // Labels are not a path: only the root reaches them, so they follow the root's own rows.
    return { paths, sourceOf, sourceNames, sources, labelSource: 0 };
  }
}

export { HypothesisError, pathKey };
