/**
 * Evaluates a hypothesis on the treeified model (docs/semantics.md §5.3): every path sees the rows
 * its interpretation node sampled, layer norm runs on each hybrid residual, labels come from the
 * root. The plan is built once: identical sub-trees (same rows on every path below them, same
 * modifications) get the same signature and are computed once per batch, and heads of a layer that
 * share a signature run together as one multi-head attention, so an unscrubbed run costs what a
 * plain forward pass costs.
 */
import {
  attendQKV,
  FormatError,
  UsageError,
  causalMask,
  chunkedNll,
  gatherRows,
  headsToColumns,
  type HookedTransformer,
  layerNorm,
  mm,
  type ModelConfig,
  type Params,
  Rng,
  tf,
} from "@isc/core";
import type { TokenDataset } from "./dataset.js";
import type { Correspondence, InputAssignment } from "./hypothesis.js";
import type { ModelModification, PatternReplacement } from "./model-modifications.js";
import { headParts, pathKey, SLOTS, type Hop, type Path } from "./paths.js";

export interface ScrubOptions {
  samples: number;
  seed?: number;
  /** Rows per batch (default 32). Memory grows with it; results do not depend on it. */
  batchSize?: number;
  /** Also average every head's attention over the samples: probabilities, or pre-softmax scores. */
  attention?: "pattern" | "scores";
  modification?: ModelModification;
  /** Called after each batch with (rows done, total rows). */
  onProgress?: (done: number, total: number) => void;
  /** Checked between batches: once aborted, the run frees what it holds and rejects with the signal's reason. */
  signal?: AbortSignal;
}

export interface MeanAttention {
  kind: "pattern" | "scores";
  /** "a{layer}.{head}", as CUI labels them. */
  heads: string[];
  T: number;
  /** [n_layers * n_heads, T, T], mean over samples. */
  data: Float32Array;
}

export interface ScrubResult {
  /** [samples, T] per-token NLL, row-major. */
  loss: Float32Array;
  T: number;
  samples: number;
  /** [samples] dataset rows whose labels were predicted. */
  refRows: Int32Array;
  assignment: InputAssignment;
  attention?: MeanAttention;
  seconds: number;
}

type Group = { layer: number; heads: number[]; part?: string; sig: number; q: Node; k: Node; v: Node; rep: PatternReplacement | null };
type Node = { sig: number; embedSource: number; groups: Group[] };

/** The treeified computation as a DAG of residual nodes, identical sub-trees merged by signature. */
class Plan {
  private readonly ids = new Map<string, number>();
  private readonly nodes = new Map<number, Node>();
  readonly root: Node;
  private readonly pathIndex: Map<string, number>;

  constructor(
    private readonly cfg: ModelConfig,
    private readonly a: InputAssignment,
    private readonly mod: ModelModification | undefined,
  ) {
    this.pathIndex = new Map(a.paths.map((p, i) => [pathKey(p), i]));
    this.root = this.residual([], cfg.n_layers);
  }

  private intern(s: string): number {
    let id = this.ids.get(s);
    if (id === undefined) this.ids.set(s, (id = this.ids.size));
    return id;
  }

  /** The residual entering layer `layer` along `prefix` (hops from the logits inward). */
  residual(prefix: Hop[], layer: number): Node {
    const embedSource = this.a.sourceOf[this.pathIndex.get(pathKey(prefix))!];
    const groups: Group[] = [];
    for (let l = 0; l < layer; l++) {
      const byKey = new Map<string, Group>();
      for (let h = 0; h < this.cfg.n_heads; h++) {
        for (const part of headParts(this.mod?.splits ?? [], l, h)) {
          const hop = { layer: l, head: h, ...(part ? { part } : {}) };
          const [q, k, v] = SLOTS.map((slot) => this.residual([...prefix, { ...hop, slot }], l));
          const rep = this.mod?.pattern?.(prefix, l, h, part) ?? null;
          const key = `${l}:${rep?.id ?? ""}:${q.sig},${k.sig},${v.sig}`;
          const g = byKey.get(key);
          if (g) g.heads.push(h);
          else byKey.set(key, { layer: l, heads: [h], part, sig: 0, q, k, v, rep });
        }
      }
      for (const [key, g] of byKey) {
        g.sig = this.intern(`${key}:${g.heads.join(",")}`);
        groups.push(g);
      }
    }
    const sig = this.intern(`e${embedSource}|${groups.map((g) => g.sig).join(",")}`);
    const known = this.nodes.get(sig);
    if (known) return known;
    const node = { sig, embedSource, groups };
    this.nodes.set(sig, node);
    return node;
  }

  /** The group holding `head` of `layer` in the copy reached along `prefix`. */
  groupAt(prefix: Hop[], layer: number, head: number): { group: Group; index: number } {
    let node = this.root;
    for (const hop of prefix) {
      const g = node.groups.find((x) => x.layer === hop.layer && x.heads.includes(hop.head) && x.part === hop.part)!;
      node = g[hop.slot];
    }
    const group = node.groups.find((x) => x.layer === layer && x.heads.includes(head))!;
    return { group, index: group.heads.indexOf(head) };
  }
}

/** Evaluates the plan on one batch of rows; call inside tf.tidy. */
class BatchEvaluator {
  private readonly resid = new Map<number, tf.Tensor3D>();
  private readonly attn = new Map<number, { out: tf.Tensor3D; attn?: tf.Tensor4D }>();
  private readonly embeds = new Map<number, tf.Tensor3D>();
  private readonly ln = new Map<string, tf.Tensor3D>();
  private readonly mask: { mult: tf.Tensor2D; add: tf.Tensor2D };
  private readonly pos: tf.Tensor2D; // [T, D]

  constructor(
    private readonly cfg: ModelConfig,
    private readonly p: Params,
    private readonly tokens: tf.Tensor2D[], // per source [B, W] int32
    T: number,
    private readonly keepAttention?: "pattern" | "scores",
  ) {
    this.mask = causalMask(T);
    this.pos = tf.slice(p["pos_embed.W_pos"], [0, 0], [T, cfg.d_model]) as tf.Tensor2D;
  }

  residual(node: Node): tf.Tensor3D {
    const hit = this.resid.get(node.sig);
    if (hit) return hit;
    let r = this.embed(node.embedSource);
    for (const g of node.groups) r = tf.add(r, this.group(g).out) as tf.Tensor3D;
    this.resid.set(node.sig, r);
    return r;
  }

  /** A group's summed output [B, T, D], and its attention [B, G, T, T] when the run averages it. */
  group(g: Group): { out: tf.Tensor3D; attn?: tf.Tensor4D } {
    const hit = this.attn.get(g.sig);
    if (hit) return hit;
    const { cfg, p } = this;
    const b = `blocks.${g.layer}`;
    const shortformer = cfg.positional_embedding_type === "shortformer";
    // Inputs first: they are memoised for other groups, so they must outlive the tidy below.
    const [nq, nk, nv] = [g.q, g.k, g.v].map((node) => this.normed(node, g.layer)); // each [B, T, D]
    // Scores and patterns ([B, G, T, T], the bulk of the memory) are freed as soon as the group is done.
    const r = tf.tidy(() => {
      const project = (n: tf.Tensor3D, w: string, addPos: boolean) => {
        const [B, T, D] = n.shape;
        const x = tf.reshape(addPos ? tf.add(n, this.pos) : n, [B * T, D]) as tf.Tensor2D;
        const W = tf.gather(p[`${b}.attn.${w}`], g.heads) as tf.Tensor3D; // [G, D, C]
        return tf.reshape(mm(x, headsToColumns(W)), [B, T, g.heads.length, cfg.d_head]) as tf.Tensor4D; // [B, T, G, C]
      };
      const q = project(nq, "W_Q", shortformer);
      const k = project(nk, "W_K", shortformer);
      const v = project(nv, "W_V", false);
      const res = attendQKV(cfg, p, g.layer, g.heads, q, k, v, this.mask.mult, this.mask.add, null, g.rep ? (pat) => g.rep!.apply(pat) : undefined);
      const attn = this.keepAttention === "pattern" ? res.pattern : this.keepAttention === "scores" ? res.scores() : undefined;
      return (attn ? { out: res.out, attn } : { out: res.out }) as unknown as tf.TensorContainer;
    }) as unknown as { out: tf.Tensor3D; attn?: tf.Tensor4D };
    this.attn.set(g.sig, r);
    return r;
  }

  private normed(node: Node, layer: number): tf.Tensor3D {
    const key = `${layer}:${node.sig}`;
    let n = this.ln.get(key);
    if (!n) this.ln.set(key, (n = layerNorm(this.cfg, this.p, `blocks.${layer}.ln1`, this.residual(node), null)));
    return n;
  }

  private embed(source: number): tf.Tensor3D {
    let e = this.embeds.get(source);
    if (e) return e;
    const t = this.tokens[source];
    const [B, W] = t.shape;
    const ids = tf.reshape(tf.slice(t, [0, 0], [B, W - 1]), [B * (W - 1)]) as tf.Tensor1D;
    e = tf.reshape(gatherRows(this.p["embed.W_E"] as tf.Tensor2D, ids), [B, W - 1, this.cfg.d_model]) as tf.Tensor3D;
    if (this.cfg.positional_embedding_type === "standard") e = tf.add(e, this.pos) as tf.Tensor3D;
    this.embeds.set(source, e);
    return e;
  }

  nll(root: Node, labelSource: number): tf.Tensor2D {
    const r = this.residual(root);
    const [B, T, D] = r.shape;
    const final = tf.reshape(layerNorm(this.cfg, this.p, "ln_final", r, null), [B * T, D]) as tf.Tensor2D;
    const labels = tf.reshape(tf.slice(this.tokens[labelSource], [0, 1], [B, T]), [B * T]) as tf.Tensor1D;
    return tf.reshape(chunkedNll(final, this.p["unembed.W_U"] as tf.Tensor2D, labels), [B, T]) as tf.Tensor2D;
  }
}

/** Where each head's mean attention is read: last-layer heads as they feed the logits; earlier ones in the copy feeding head 0's query of each later layer (as the original code did). */
function attentionPrefix(cfg: ModelConfig, layer: number): Hop[] {
  const prefix: Hop[] = [];
  for (let l = cfg.n_layers - 1; l > layer; l--) prefix.push({ layer: l, head: 0, slot: "q" });
  return prefix;
}

export async function runScrub(model: HookedTransformer, ds: TokenDataset, corr: Correspondence, options: ScrubOptions): Promise<ScrubResult> {
  const start = performance.now();
  const { cfg } = model;
  const N = options.samples;
  if (!Number.isInteger(N) || N <= 0) throw new UsageError(`samples must be a positive integer, got ${N}`);
  if (ds.width > cfg.n_ctx + 1) throw new UsageError(`dataset rows have ${ds.width} tokens, more than n_ctx + 1 = ${cfg.n_ctx + 1}`);
  const batchSize = options.batchSize ?? 32;
  const rng = new Rng(options.seed ?? 42);
  const ref = ds.sample(N, rng);
  const assignment = corr.assign(cfg, ref, ds, rng, options.modification?.splits ?? []);
  for (const rows of assignment.sources) checkVocab(ds, rows, cfg);
  const plan = new Plan(cfg, assignment, options.modification);
  const T = ds.width - 1;
  const loss = new Float32Array(N * T);
  const H = cfg.n_heads;
  const params = options.modification?.params ? options.modification.params(model.params) : model.params;
  const made = Object.values(params).filter((t) => !Object.values(model.params).includes(t));
  let attnSum: tf.Tensor3D | null = null; // [L*H, T, T]
  const used = [...new Set(assignment.sourceOf)].concat(assignment.labelSource);
  if (options.signal?.aborted) throw abortReason(options.signal);
  try {
    for (let s = 0; s < N; s += batchSize) {
      const n = Math.min(batchSize, N - s);
      const tokens = assignment.sources.map((rows, i) =>
        used.includes(i) ? tf.tensor2d(ds.gather(rows.subarray(s, s + n)), [n, ds.width], "int32") : (null as unknown as tf.Tensor2D),
      );
      const { nll, attn } = tf.tidy(() => {
        const ev = new BatchEvaluator(cfg, params, tokens, T, options.attention);
        const out = ev.nll(plan.root, assignment.labelSource);
        if (!options.attention) return { nll: out };
        const per: tf.Tensor2D[] = [];
        for (let l = 0; l < cfg.n_layers; l++) {
          for (let h = 0; h < H; h++) {
            const { group, index } = plan.groupAt(attentionPrefix(cfg, l), l, h);
            const a = ev.group(group).attn!; // [B, G, T, T]
            per.push(tf.sum(tf.slice(a, [0, index, 0, 0], [n, 1, T, T]), [0, 1]) as tf.Tensor2D);
          }
        }
        return { nll: out, attn: tf.stack(per) as tf.Tensor3D };
      }) as { nll: tf.Tensor2D; attn?: tf.Tensor3D };
      for (const t of tokens) t?.dispose();
      loss.set((await nll.data()) as Float32Array, s * T);
      nll.dispose();
      if (attn) {
        const prev: tf.Tensor3D | null = attnSum;
        attnSum = prev ? (tf.add(prev, attn) as tf.Tensor3D) : attn;
        if (prev) {
          prev.dispose();
          attn.dispose();
        }
      }
      options.onProgress?.(s + n, N);
      await yieldToEventLoop(); // lets progress bars, Ctrl-C and a worker's cancel message through
      if (options.signal?.aborted) throw abortReason(options.signal);
    }
  } catch (e) {
    (attnSum as tf.Tensor3D | null)?.dispose();
    throw e;
  } finally {
    for (const t of made) t.dispose();
  }
  let attention: MeanAttention | undefined;
  if (attnSum) {
    const data = (await attnSum.data()) as Float32Array;
    attnSum.dispose();
    for (let i = 0; i < data.length; i++) data[i] /= N;
    const heads: string[] = [];
    for (let l = 0; l < cfg.n_layers; l++) for (let h = 0; h < H; h++) heads.push(`a${l}.${h}`);
    attention = { kind: options.attention!, heads, T, data };
  }
  return {
    loss,
    T,
    samples: N,
    refRows: assignment.sources[assignment.labelSource],
    assignment,
    attention,
    seconds: (performance.now() - start) / 1000,
  };
}

/** setImmediate where it exists (Node); a zero timeout in browsers and Web Workers, which lack it. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => (typeof setImmediate === "function" ? setImmediate(resolve) : setTimeout(resolve, 0)));
}

function abortReason(signal: AbortSignal): Error {
  const r: unknown = signal.reason;
  if (r instanceof Error) return r;
  const e = new Error(typeof r === "string" ? r : "the scrub was cancelled");
  e.name = "AbortError";
  return e;
}

function checkVocab(ds: TokenDataset, rows: Int32Array, cfg: ModelConfig): void {
  const seen = new Set<number>();
  for (const r of rows) {
    if (seen.has(r)) continue;
    seen.add(r);
    const row = ds.row(r);
    for (let t = 0; t < row.length; t++) {
      if (row[t] >= cfg.d_vocab) throw new FormatError(`${ds.name}: row ${r} has token id ${row[t]} ≥ d_vocab ${cfg.d_vocab}`);
    }
  }
}

export type { Path };
