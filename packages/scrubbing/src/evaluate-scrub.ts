/**
 * The second of a scrub's two stages, as Redwood's `ScrubbedExperiment.evaluate()`: runs a prepared
 * scrub batch by batch, keeping only the per-token losses (and, if asked, each head's attention
 * summed over the samples). Results do not depend on the batch size.
 */
import { type ParamTree, tf, treeTensors, UsageError } from "@isc/core";
import { BatchEvaluator } from "./batch-evaluator.js";
import type { InputAssignment } from "./hypothesis.js";
import type { Hop } from "./paths.js";
import type { PreparedScrub } from "./prepare-scrub.js";
import type { ScrubPlan } from "./scrub-plan.js";

export interface EvaluateOptions {
  /** Rows per batch (default 32). Memory grows with it; results do not depend on it. */
  batchSize?: number;
  /** Also average every head's attention over the samples: probabilities, or pre-softmax scores. */
  attention?: "pattern" | "scores";
  /** Called after each batch with (rows done, total rows). */
  onProgress?: (done: number, total: number) => void;
  /** Checked between batches: once aborted, the run frees what it holds and rejects with the signal's reason. */
  signal?: AbortSignal;
  /**
   * Only samples [start, end): one shard of a sweep. `start` must be a multiple of the batch size,
   * so the shard's batches are the very batches of the whole run and its losses the same bits.
   */
  rows?: { start: number; end: number };
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

export async function evaluate(prepared: PreparedScrub, options: EvaluateOptions = {}): Promise<ScrubResult> {
  const start = performance.now();
  const { model, T, assignment } = prepared;
  const batchSize = options.batchSize ?? 32;
  const { start: first, end: N } = rowRange(prepared.samples, batchSize, options);
  const weights = prepared.modification?.params ? prepared.modification.params(model.weights) : model.weights;
  const own = new Set(treeTensors(model.weights));
  const made = treeTensors(weights).filter((t) => !own.has(t));
  const loss = new Float32Array((N - first) * T);
  let attnSum: tf.Tensor3D | null = null; // [L·H, T, T]
  try {
    if (options.signal?.aborted) throw abortReason(options.signal);
    for (let s = first; s < N; s += batchSize) {
      const n = Math.min(batchSize, N - s);
      const { nll, attn } = evaluateBatch(prepared, weights, s, n, options.attention);
      loss.set((await nll.data()) as Float32Array, (s - first) * T);
      nll.dispose();
      if (attn) attnSum = accumulate(attnSum, attn);
      options.onProgress?.(s + n - first, N - first);
      await yieldToEventLoop(); // lets progress bars, Ctrl-C and a worker's cancel message through
      if (options.signal?.aborted) throw abortReason(options.signal);
    }
  } catch (e) {
    (attnSum as tf.Tensor3D | null)?.dispose();
    throw e;
  } finally {
    for (const t of made) t.dispose();
  }
  const attention = attnSum && options.attention ? await meanAttention(attnSum, options.attention, prepared) : undefined;
  return { loss, T, samples: N - first, refRows: prepared.refRows.subarray(first, N), assignment, attention, seconds: (performance.now() - start) / 1000 };
}

/** The samples to evaluate: all, or a shard aligned to the batches of the whole run. */
function rowRange(samples: number, batchSize: number, options: EvaluateOptions): { start: number; end: number } {
  const r = options.rows;
  if (!r) return { start: 0, end: samples };
  if (!(Number.isInteger(r.start) && Number.isInteger(r.end) && 0 <= r.start && r.start < r.end && r.end <= samples)) {
    throw new UsageError(`rows [${r.start}, ${r.end}) are not a range inside the ${samples} samples`);
  }
  if (r.start % batchSize !== 0) throw new UsageError(`rows start at ${r.start}, not a multiple of the batch size ${batchSize}: the shard's batches would differ from the whole run's`);
  if (options.attention) throw new UsageError("mean attention is averaged over the whole run: it cannot be taken over a shard of rows");
  return r;
}

/** Rows [s, s + n) of every source through the plan: nll [n, T], and attention sums [L·H, T, T] if asked. */
function evaluateBatch(prepared: PreparedScrub, weights: ParamTree, s: number, n: number, attention?: "pattern" | "scores") {
  const { model, dataset: ds, assignment, plan, T } = prepared;
  const used = new Set([...assignment.sourceOf, assignment.labelSource]);
  const tokens = assignment.sources.map((rows, i) => (used.has(i) ? tf.tensor2d(ds.gather(rows.subarray(s, s + n)), [n, ds.width], "int32") : null));
  try {
    return tf.tidy(() => {
      const ev = new BatchEvaluator(model.cfg, weights, tokens, T, attention);
      const nll = ev.nll(plan.root, assignment.labelSource);
      return (attention ? { nll, attn: attentionSums(ev, plan, model.cfg.n_layers, model.cfg.n_heads) } : { nll }) as unknown as tf.TensorContainer;
    }) as unknown as { nll: tf.Tensor2D; attn?: tf.Tensor3D };
  } finally {
    for (const t of tokens) t?.dispose();
  }
}

/** Each head's attention summed over the batch: [L·H, T, T]. */
function attentionSums(ev: BatchEvaluator, plan: ScrubPlan, L: number, H: number): tf.Tensor3D {
  const per: tf.Tensor2D[] = [];
  for (let l = 0; l < L; l++) {
    for (let h = 0; h < H; h++) {
      const { group, index } = plan.groupAt(attentionPrefix(L, l), l, h);
      const a = ev.group(group).attn!; // [B, G, T, T]
      const [B, , T] = a.shape;
      per.push(tf.sum(tf.slice(a, [0, index, 0, 0], [B, 1, T, T]), [0, 1]));
    }
  }
  return tf.stack(per) as tf.Tensor3D;
}

/** Where each head's mean attention is read: last-layer heads as they feed the logits; earlier ones in the copy feeding head 0's query of each later layer (as the original code did). */
function attentionPrefix(nLayers: number, layer: number): Hop[] {
  const prefix: Hop[] = [];
  for (let l = nLayers - 1; l > layer; l--) prefix.push({ layer: l, head: 0, slot: "q" });
  return prefix;
}

function accumulate(sum: tf.Tensor3D | null, batch: tf.Tensor3D): tf.Tensor3D {
  if (!sum) return batch;
  const next = tf.add(sum, batch) as tf.Tensor3D;
  tf.dispose([sum, batch]);
  return next;
}

async function meanAttention(sum: tf.Tensor3D, kind: "pattern" | "scores", prepared: PreparedScrub): Promise<MeanAttention> {
  const data = (await sum.data()) as Float32Array;
  sum.dispose();
  for (let i = 0; i < data.length; i++) data[i] /= prepared.samples;
  const { n_layers, n_heads } = prepared.model.cfg;
  const heads = Array.from({ length: n_layers * n_heads }, (_, i) => `a${Math.floor(i / n_heads)}.${i % n_heads}`);
  return { kind, heads, T: prepared.T, data };
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
