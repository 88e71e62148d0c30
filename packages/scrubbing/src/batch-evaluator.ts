/**
 * Evaluates a scrub plan on one batch of rows by calling the forward pass's own stages: the
 * embedding of each source's rows, LayerNorm on each hybrid residual, attention of each head
 * group, and the unembedding with the root's labels. What is specific to scrubbing is only the
 * routing: which residual feeds which group. Call inside tf.tidy.
 */
import {
  attend,
  type AttentionParams,
  causalMask,
  type CausalMask,
  embedTokens,
  layerNorm,
  type ModelConfig,
  type ParamTree,
  positionEmbed,
  projectQKV,
  residualStart,
  selectHeads,
  splitRows,
  tf,
  unembedNll,
} from "@isc/core";
import { type HeadGroup, isSplitInput, type OutsideInputs, type ResidualNode, type SlotNode, type SplitInput } from "./scrub-plan.js";
import type { SubspaceSplit } from "./subspace.js";
import { keptBasis, mixSubspace } from "./subspace-mix.js";
import { attendWindowed, type WindowTensors, windowTensors } from "./windowed-attention.js";

/** A group's summed output [B, T, D], and its attention [B, G, T, T] when the run averages it. */
export interface GroupOutput {
  out: tf.Tensor3D;
  attn?: tf.Tensor4D;
}

export class BatchEvaluator {
  private readonly resid = new Map<number, tf.Tensor3D>();
  private readonly attn = new Map<number, GroupOutput>();
  private readonly embeds = new Map<number, tf.Tensor3D>();
  private readonly ln = new Map<string, tf.Tensor3D>();
  private readonly bases = new Map<SubspaceSplit, tf.Tensor2D | null>();
  private readonly windows = new Map<string, WindowTensors>();
  private readonly mask: CausalMask;
  private readonly pos: tf.Tensor2D; // [T, D]

  constructor(
    private readonly cfg: ModelConfig,
    private readonly w: ParamTree,
    private readonly tokens: (tf.Tensor2D | null)[], // per source [B, T+1] int32, null where no path reads it
    private readonly T: number,
    private readonly keepAttention?: "pattern" | "scores",
  ) {
    this.mask = causalMask(T);
    this.pos = positionEmbed({ W_pos: w.pos_embed.W_pos, T });
  }

  /** The root's per-token NLL [B, T] against the label source's rows. */
  nll(root: ResidualNode, labelSource: number): tf.Tensor2D {
    const final = layerNorm(this.residual(root), { ln: this.w.ln_final, eps: this.cfg.eps });
    return unembedNll({ final, W_U: this.w.unembed.W_U, labels: splitRows(this.tokens[labelSource]!).labels });
  }

  residual(node: ResidualNode): tf.Tensor3D {
    const hit = this.resid.get(node.sig);
    if (hit) return hit;
    let r = this.embed(node.embedSource);
    for (const g of node.groups) r = tf.add(r, this.group(g).out);
    this.resid.set(node.sig, r);
    return r;
  }

  group(g: HeadGroup): GroupOutput {
    const hit = this.attn.get(g.sig);
    if (hit) return hit;
    // Inputs first: they are memoised for other groups, so they must outlive the tidy below.
    const [q, k, v] = [g.q, g.k, g.v].map((node) => this.normed(node, g.layer)); // each [B, T, D]
    const outside = g.outside ? this.outsideInputs(g.outside, g.layer) : null;
    // Scores and patterns ([B, G, T, T], the bulk of the memory) are freed as soon as the group is done.
    const r = tf.tidy(() => {
      const W = selectHeads(this.w.blocks[g.layer].attn, g.heads);
      const pos = this.cfg.positional_embedding_type === "shortformer" ? this.pos : null;
      const qkv = projectQKV({ inputs: { q, k, v }, W, pos }); // each [B, T, G, C]
      const replacePattern = g.rep?.apply?.bind(g.rep);
      const res = outside
        ? attendWindowed({ inside: qkv, outside: projectOutside(outside, { q, k, v }, W, pos), window: outside.window, W_O: W.W_O, mask: this.mask, replacePattern })
        : attend({ ...qkv, W_O: W.W_O, mask: this.mask, replaceScores: g.rep?.scores?.bind(g.rep), replacePattern });
      const attn = this.keepAttention === "pattern" ? res.pattern : this.keepAttention === "scores" ? res.scores() : undefined;
      return (attn ? { out: res.out, attn } : { out: res.out }) as unknown as tf.TensorContainer;
    }) as unknown as GroupOutput;
    this.attn.set(g.sig, r);
    return r;
  }

  /** A split copy's outside keys and values, layer-normed (null where they are the inside ones), and its window. */
  private outsideInputs(o: OutsideInputs, layer: number): NormedOutside {
    const key = `${o.window.back},${o.window.include}`;
    let window = this.windows.get(key);
    if (!window) this.windows.set(key, (window = windowTensors(o.window, this.T)));
    return { k: this.normed(o.k, layer), v: this.normed(o.v, layer), window };
  }

  private normed(node: SlotNode, layer: number): tf.Tensor3D {
    const key = `${layer}:${node.sig}`;
    let n = this.ln.get(key);
    if (!n) this.ln.set(key, (n = isSplitInput(node) ? this.splitNormed(node, layer) : this.layerNorm(this.residual(node), layer)));
    return n;
  }

  /** A split input: its two sides' residuals mixed before the LayerNorm, or their LayerNorm outputs after it. */
  private splitNormed(node: SplitInput, layer: number): tf.Tensor3D {
    let U = this.bases.get(node.split);
    if (U === undefined) this.bases.set(node.split, (U = keptBasis(node.split)));
    if (node.split.activation.kind === "normalized") return mixSubspace(this.normed(node.target, layer), this.normed(node.residual, layer), U);
    return this.layerNorm(mixSubspace(this.residual(node.target), this.residual(node.residual), U), layer);
  }

  private layerNorm(resid: tf.Tensor3D, layer: number): tf.Tensor3D {
    return layerNorm(resid, { ln: this.w.blocks[layer].ln1, eps: this.cfg.eps });
  }

  private embed(source: number): tf.Tensor3D {
    let e = this.embeds.get(source);
    if (!e) {
      const embed = embedTokens({ W_E: this.w.embed.W_E, ids: splitRows(this.tokens[source]!).ids });
      this.embeds.set(source, (e = residualStart({ embed, pos: this.pos, positional: this.cfg.positional_embedding_type })));
    }
    return e;
  }
}

interface NormedOutside {
  k: tf.Tensor3D; // [B, T, D]
  v: tf.Tensor3D;
  window: WindowTensors;
}

/** The outside keys and values [B, T, G, C] through the same projection (null where a slot reads the inside rows). */
function projectOutside(o: NormedOutside, inside: { q: tf.Tensor3D; k: tf.Tensor3D; v: tf.Tensor3D }, W: AttentionParams, pos: tf.Tensor2D | null) {
  const qkv = projectQKV({ inputs: { q: inside.q, k: o.k, v: o.v }, W, pos });
  return { k: o.k === inside.k ? null : qkv.k, v: o.v === inside.v ? null : qkv.v };
}
