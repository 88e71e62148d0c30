/**
 * The original's `transpose_head` option (docs/semantics.md §6) against the same change made by
 * hand on the forward pass's masked scores (hook_attn_scores), on the tiny model.
 */
import assert from "node:assert/strict";
import { before, test } from "node:test";
import { causalMask, type HookedTransformer, type ModelConfig, tf, TINY_ATTN_2L } from "@isc/core";
import { Correspondence, experimentCatalogue, InterpNode, REDWOOD_ROLES, runScrub, TokenDataset, TRANSPOSED_SCORES, transposeScores } from "../src/index.js";
import { cfg, maxDiff, tinySetup } from "./tiny-setup.js";

let model: HookedTransformer;
let ds: TokenDataset;

before(async () => {
  ({ model, ds } = await tinySetup());
});

/**
 * Per-token NLL of `rows` with the masked scores S [B, H, T, T] of `heads` of `layer` replaced,
 * through the hook, by (S·M)ᵀ − 10000·(1 − M): S·M is the original's a.attn_scores_raw.
 */
async function transposedByHook(rows: Int32Array, layer: number, heads: number[]): Promise<Float32Array> {
  const T = ds.width - 1;
  const mask = causalMask(T);
  const sel = tf.tidy(() => tf.reshape(tf.sum(tf.oneHot(heads, cfg.n_heads), 0), [1, cfg.n_heads, 1, 1])); // [1, H, 1, 1]
  const hook = (s: tf.Tensor) =>
    tf.tidy(() => {
      const transposed = tf.add(tf.transpose(tf.mul(s, mask.mult), [0, 1, 3, 2]), mask.add);
      return tf.add(tf.mul(s, tf.sub(1, sel)), tf.mul(transposed, sel));
    });
  const r = model.runWithHooks({ data: ds.gather(rows), batch: rows.length, width: ds.width }, { [`blocks.${layer}.attn.hook_attn_scores`]: hook });
  const out = (await r.nll.data()) as Float32Array;
  tf.dispose([r.nll, sel, mask.mult, mask.add]);
  return out;
}

const unscrubbed = () => new Correspondence(new InterpNode("logits"));

test("transposing a layer-0 head's scores equals transposing them through hook_attn_scores (every copy)", async () => {
  const before = tf.memory().numTensors;
  const res = await runScrub(model, ds, unscrubbed(), { samples: 7, batchSize: 3, modification: transposeScores(0, [1]) });
  const expected = await transposedByHook(res.refRows, 0, [1]);
  assert.ok(maxDiff(res.loss, expected) < 1e-4, `diff ${maxDiff(res.loss, expected)}`);
  const plain = await model.lossPerToken({ data: ds.gather(res.refRows), batch: res.refRows.length, width: ds.width });
  assert.ok(maxDiff(res.loss, plain) > 1e-3, "the transposition should change the loss");
  assert.equal(tf.memory().numTensors, before, "leaked tensors");
});

test("transposing both layer-1 heads (a1-ind-transpose on the tiny model) equals the hooked forward pass", async () => {
  const before = tf.memory().numTensors;
  const res = await runScrub(model, ds, unscrubbed(), { samples: 6, modification: transposeScores(1, [0, 1]) });
  const expected = await transposedByHook(res.refRows, 1, [0, 1]);
  assert.ok(maxDiff(res.loss, expected) < 1e-4, `diff ${maxDiff(res.loss, expected)}`);
  assert.equal(tf.memory().numTensors, before, "leaked tensors");
});

test("a transposed head attends uniformly to its past, to itself by its own score, never to the future", async () => {
  const res = await runScrub(model, ds, unscrubbed(), { samples: 5, modification: transposeScores(1, [1]), attention: "pattern" });
  const T = ds.width - 1;
  const H = cfg.n_heads;
  const A = res.attention!.data; // [L·H, T, T], mean over samples
  const at = (i: number, j: number) => A[(H + 1) * T * T + i * T + j];
  for (let i = 1; i < T; i++) {
    for (let j = 1; j < i; j++) assert.equal(at(i, j), at(i, 0), `row ${i}: past key ${j} differs from key 0`);
    for (let j = i + 1; j < T; j++) assert.equal(at(i, j), 0, `row ${i}: future key ${j}`);
  }
  const scores = await runScrub(model, ds, unscrubbed(), { samples: 5, modification: transposeScores(1, [1]), attention: "scores" });
  const S = scores.attention!.data;
  // The recorded scores are the transposed ones: 0 on the past, as the original's a.attn_scores.
  for (let i = 1; i < T; i++) for (let j = 0; j < i; j++) assert.equal(S[(H + 1) * T * T + i * T + j], 0);
});

test("the catalogue's transposes: names, the authors' label, which heads and copies", () => {
  const c8: ModelConfig = { ...TINY_ATTN_2L, n_heads: 8, d_head: 4 };
  const cat = experimentCatalogue(c8, REDWOOD_ROLES);
  const a1 = cat.get("a1-ind-transpose")!;
  assert.equal(a1.split, "labelled");
  const { corr, modification } = a1.build();
  assert.equal(corr.root.children.length, 0);
  for (let h = 0; h < 8; h++) assert.equal(modification!.pattern!([], 1, h), h === 5 || h === 6 ? TRANSPOSED_SCORES : null, `1.${h}`);
  assert.equal(modification!.pattern!([], 0, 0), null);
  for (const [l, h] of [
    [0, 3],
    [1, 7],
  ]) {
    const e = cat.get(`transpose-${l}${h}`)!;
    assert.equal(e.split, "all");
    assert.match(e.description, /"probably wrong" \(the authors' label\)/);
    const m = e.build().modification!;
    assert.equal(m.pattern!([], l, h), TRANSPOSED_SCORES);
    assert.equal(m.pattern!([{ layer: 1, head: 2, slot: "k" }], l, h), TRANSPOSED_SCORES, "every copy");
    assert.equal(m.pattern!([], l, (h + 1) % 8), null);
    assert.ok(cat.has(`transpose-${l}${h}-nopos`));
  }
  assert.match(a1.description, /"probably wrong"/);
  assert.equal([...cat.keys()].filter((n) => /^transpose-\d\d$/.test(n)).length, 16);
});
