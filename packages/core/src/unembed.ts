/** The last stage: the final residual to per-token negative log-likelihood. N = B·T, D = d_model, V = d_vocab. */
import * as tf from "@tensorflow/tfjs-core";
import { gatherRows, mm } from "./ops.js";
import { rowLogSumExp } from "./wasm-kernels.js";

/** final [B, T, D] -> logits [B, T, V]. */
export function unembed(o: { final: tf.Tensor3D; W_U: tf.Tensor2D }): tf.Tensor3D {
  const [B, T, D] = o.final.shape;
  return tf.reshape(mm(tf.reshape(o.final, [B * T, D]), o.W_U), [B, T, o.W_U.shape[1]]);
}

/** logits [B, T, V], labels [B, T] -> nll [B, T] = logsumexp(logits) - logits[label]. */
export function nllFromLogits(o: { logits: tf.Tensor3D; labels: tf.Tensor2D }): tf.Tensor2D {
  const [B, T, V] = o.logits.shape;
  const flat = tf.reshape(o.logits, [B * T, V]) as tf.Tensor2D;
  const picked = tf.sum(tf.mul(flat, tf.oneHot(tf.reshape(o.labels, [B * T]) as tf.Tensor1D, V)), 1);
  return tf.reshape(tf.sub(rowLogSumExp(flat), picked), [B, T]);
}

/**
 * final [B, T, D], labels [B, T] -> nll [B, T] without ever holding all the logits: at most about
 * 2^24 floats (64 MB) live at once, whatever the batch.
 */
export function unembedNll(o: { final: tf.Tensor3D; W_U: tf.Tensor2D; labels: tf.Tensor2D }): tf.Tensor2D {
  const [B, T, D] = o.final.shape;
  const nll = chunkedNll(tf.reshape(o.final, [B * T, D]), o.W_U, tf.reshape(o.labels, [B * T]));
  return tf.reshape(nll, [B, T]);
}

const MAX_LOGIT_ELEMENTS = 2 ** 24;

/** final2d [N, D], W_U [D, V], labels [N] -> nll [N], in chunks of rows. */
export function chunkedNll(final2d: tf.Tensor2D, wU: tf.Tensor2D, labels: tf.Tensor1D): tf.Tensor1D {
  const [N, D] = final2d.shape;
  const V = wU.shape[1];
  const rows = Math.max(1, Math.floor(MAX_LOGIT_ELEMENTS / V));
  // The label logit is a dot product with one column of W_U: [N, D] work instead of a one-hot [N, V].
  const wUrows = tf.transpose(wU) as tf.Tensor2D; // [V, D]
  const parts: tf.Tensor1D[] = [];
  for (let start = 0; start < N; start += rows) {
    const n = Math.min(rows, N - start);
    const x = tf.slice(final2d, [start, 0], [n, D]) as tf.Tensor2D; // [n, D]
    const lab = tf.slice(labels, [start], [n]); // [n]
    const lse = rowLogSumExp(mm(x, wU)); // [n]
    const picked = tf.sum(tf.mul(x, gatherRows(wUrows, lab)), 1); // [n]
    parts.push(tf.sub(lse, picked) as tf.Tensor1D);
  }
  return parts.length === 1 ? parts[0] : (tf.concat(parts) as tf.Tensor1D);
}
