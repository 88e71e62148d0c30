/**
 * The first stage of the forward pass: token rows to the residual stream's start. B = batch,
 * T = loss positions (rows are T + 1 tokens), D = d_model.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { ModelConfig } from "./config.js";
import { gatherRows } from "./ops.js";

/** tokens [B, T+1] -> ids [B, T] that the model reads and labels [B, T]: position t predicts token t + 1. */
export function splitRows(tokens: tf.Tensor2D): { ids: tf.Tensor2D; labels: tf.Tensor2D } {
  const [B, W] = tokens.shape;
  return { ids: tf.slice(tokens, [0, 0], [B, W - 1]), labels: tf.slice(tokens, [0, 1], [B, W - 1]) };
}

/** ids [B, T] -> token embeddings [B, T, D]. */
export function embedTokens(o: { W_E: tf.Tensor2D; ids: tf.Tensor2D }): tf.Tensor3D {
  const [B, T] = o.ids.shape;
  return tf.reshape(gatherRows(o.W_E, tf.reshape(o.ids, [B * T])), [B, T, o.W_E.shape[1]]);
}

/** The first T rows of W_pos [n_ctx, D] -> [T, D]. */
export function positionEmbed(o: { W_pos: tf.Tensor2D; T: number }): tf.Tensor2D {
  return tf.slice(o.W_pos, [0, 0], [o.T, o.W_pos.shape[1]]);
}

/** embed [B, T, D] + pos [T, D] for standard positions; shortformer models keep positions out of the residual. */
export function residualStart(o: { embed: tf.Tensor3D; pos: tf.Tensor2D; positional: ModelConfig["positional_embedding_type"] }): tf.Tensor3D {
  return o.positional === "standard" ? tf.add(o.embed, o.pos) : o.embed;
}
