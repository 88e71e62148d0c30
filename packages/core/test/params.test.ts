/** The state dict and its typed tree hold the same tensors. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { HookedTransformer, initBackend, type ModelConfig, paramShapes, TINY_ATTN_2L, tf, treeTensors, withAttention } from "../src/index.js";

test("weights reach every parameter of the state dict by module path, without copies", async () => {
  await initBackend({ quiet: true });
  for (const cfg of [TINY_ATTN_2L, { ...TINY_ATTN_2L, normalization_type: null } as ModelConfig]) {
    const m = HookedTransformer.random(cfg, 1);
    const w = m.weights;
    assert.equal(w.blocks[1].attn.W_Q, m.params["blocks.1.attn.W_Q"]);
    assert.equal(w.unembed.W_U, m.params["unembed.W_U"]);
    assert.equal(w.ln_final?.w, m.params["ln_final.w"]);
    assert.deepEqual(new Set(treeTensors(w)), new Set(Object.values(m.params)));
    assert.equal(treeTensors(w).length, paramShapes(cfg).length);
    m.dispose();
  }
});

test("withAttention replaces one layer's weights and shares the rest", async () => {
  await initBackend({ quiet: true });
  const m = HookedTransformer.random(TINY_ATTN_2L, 2);
  const q = tf.zerosLike(m.weights.blocks[0].attn.W_Q);
  const w = withAttention(m.weights, 0, { W_Q: q });
  assert.equal(w.blocks[0].attn.W_Q, q);
  assert.equal(w.blocks[0].attn.W_K, m.weights.blocks[0].attn.W_K);
  assert.equal(w.blocks[1], m.weights.blocks[1]);
  assert.equal(m.weights.blocks[0].attn.W_Q, m.params["blocks.0.attn.W_Q"], "the original is untouched");
  q.dispose();
  m.dispose();
});
