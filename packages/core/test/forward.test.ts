/** Properties of the forward pass and hooks that hold for any weights. */
import assert from "node:assert/strict";
import { before, test } from "node:test";
import { HookedTransformer, HookError, hookNames, initBackend, Rng, tf, TINY_ATTN_2L, TokenError, type ModelConfig } from "../src/index.js";
import { maxAbsDiff } from "./helpers.js";

before(async () => {
  await initBackend({ quiet: true });
});

const cfg = TINY_ATTN_2L;
function rows(n: number, width = cfg.n_ctx + 1, seed = 7): number[][] {
  const r = new Rng(seed);
  return Array.from({ length: n }, () => Array.from({ length: width }, () => r.int(cfg.d_vocab)));
}

test("bad tokens give clear errors", () => {
  const m = HookedTransformer.random(cfg, 1);
  const before = tf.memory().numTensors;
  const good = rows(2);
  assert.throws(() => m.forward([]), (e: unknown) => e instanceof TokenError && /empty batch/.test((e as Error).message));
  assert.throws(() => m.forward({ data: new Int32Array(0), batch: 0, width: 21 }), /empty batch/);
  const big = good.map((r) => r.slice());
  big[1][4] = cfg.d_vocab;
  assert.throws(() => m.forward(big), /token id 50 at row 1, position 4 is outside the vocabulary \[0, 50\)/);
  const neg = good.map((r) => r.slice());
  neg[0][0] = -1;
  assert.throws(() => m.forward(neg), /token id -1 at row 0, position 0 is outside the vocabulary/);
  const frac = good.map((r) => r.slice());
  frac[0][3] = 2.5;
  assert.throws(() => m.forward(frac), /token id 2\.5/);
  assert.throws(() => m.forward(rows(1, cfg.n_ctx + 2)), /rows of 22 tokens are longer than n_ctx \+ 1 = 21/);
  assert.throws(() => m.forward([[1]]), /at least 2 tokens/);
  assert.throws(() => m.forward([good[0], good[1].slice(0, 5)]), /row 1 has 5 tokens but row 0 has 21/);
  assert.throws(() => m.forward({ data: new Int32Array(5), batch: 2, width: 3 }), /token data has 5 ids but batch 2 × width 3 needs 6/);
  assert.equal(tf.memory().numTensors, before, "a refused input leaked tensors");
  m.dispose();
});

test("forward, cached and hooked runs leave numTensors unchanged", async () => {
  const m = HookedTransformer.random(cfg, 1);
  const before = tf.memory().numTensors;
  await m.lossPerToken(rows(3));
  const c = m.runWithCache(rows(3));
  assert.equal(c.cache.keys().length, hookNames(cfg).length - 3 * cfg.n_layers, "everything but per-head inputs");
  c.nll.dispose();
  c.cache.dispose();
  const h = m.runWithHooks(rows(3), { "blocks.0.attn.hook_pattern": (p) => tf.mul(p, 0.5) });
  h.nll.dispose();
  assert.throws(() => m.runWithHooks(rows(3), { "blocks.0.attn.hook_pattern": () => tf.zeros([1]) }));
  assert.equal(tf.memory().numTensors, before);
  m.dispose();
});

test("shorter rows are fine and positions are causal", async () => {
  const m = HookedTransformer.random(cfg, 2);
  const a = rows(1)[0];
  const b = a.slice();
  b[15] = (b[15] + 1) % cfg.d_vocab;
  const la = await m.lossPerToken([a]);
  const lb = await m.lossPerToken([b]);
  // Changing input token 15 cannot change the loss at positions before 14 (position 14's label is token 15).
  assert.ok(maxAbsDiff(la.subarray(0, 14), lb.subarray(0, 14)) < 1e-6);
  assert.ok(maxAbsDiff(la.subarray(15), lb.subarray(15)) > 1e-4);
  const short = await m.lossPerToken([a.slice(0, 10)]);
  assert.ok(maxAbsDiff(short, la.subarray(0, 9)) < 1e-5);
  m.dispose();
});

test("per-head q/k/v inputs and per-head results give the same loss as the fused path", async () => {
  for (const c of [cfg, { ...cfg, positional_embedding_type: "standard", normalization_type: null } as ModelConfig]) {
    const m = HookedTransformer.random(c, 3);
    const plain = await m.lossPerToken(rows(2));
    const { nll, cache } = m.runWithCache(rows(2), { namesFilter: [/hook_[qkv]_input$/, /hook_result$/, /hook_attn_out$/] });
    assert.ok(maxAbsDiff(await nll.data(), plain) < 1e-5);
    const summed = tf.sum(cache.get("blocks.1.attn.hook_result"), 2);
    assert.ok(maxAbsDiff(await summed.data(), await cache.get("blocks.1.hook_attn_out").data()) < 1e-5);
    tf.dispose([nll, summed]);
    cache.dispose();
    m.dispose();
  }
});

test("patching a head's q input with the residual of another row equals running the other row through that head", async () => {
  const m = HookedTransformer.random(cfg, 4);
  const [x, y] = rows(2, cfg.n_ctx + 1, 11);
  // Reference: cache layer 1's q of row y, computed with y everywhere.
  const ref = m.runWithCache([y], { namesFilter: ["blocks.1.attn.hook_q"] });
  const qY = ref.cache.get("blocks.1.attn.hook_q"); // [1, T, H, C]
  const resY = m.runWithCache([y], { namesFilter: ["blocks.1.hook_resid_pre"] });
  const residY = resY.cache.get("blocks.1.hook_resid_pre"); // [1, T, D]
  // Give head 1's query input the residual of y, keep x elsewhere.
  const patched = m.runWithCache([x], {
    namesFilter: ["blocks.1.attn.hook_q"],
    hooks: {
      "blocks.1.hook_q_input": (qIn) => {
        const [B, T, H, D] = qIn.shape;
        const ySlot = tf.reshape(residY, [B, T, 1, D]);
        const mask = tf.reshape(tf.oneHot([1], H), [1, 1, H, 1]);
        return tf.add(tf.mul(qIn, tf.sub(1, mask)), tf.mul(ySlot, mask));
      },
    },
  });
  const qP = patched.cache.get("blocks.1.attn.hook_q");
  const headOf = (q: tf.Tensor, h: number) => tf.tidy(() => tf.slice(q, [0, 0, h, 0], [1, cfg.n_ctx, 1, cfg.d_head]));
  const [a, b, c0, d0] = [headOf(qP, 1), headOf(qY, 1), headOf(qP, 0), headOf(qY, 0)];
  assert.ok(maxAbsDiff(await a.data(), await b.data()) < 1e-5, "patched head sees row y");
  assert.ok(maxAbsDiff(await c0.data(), await d0.data()) > 1e-3, "other head still sees row x");
  tf.dispose([a, b, c0, d0, ref.nll, resY.nll, patched.nll]);
  for (const r of [ref, resY, patched]) r.cache.dispose();
  m.dispose();
});

test("hook errors name the problem", () => {
  const m = HookedTransformer.random(cfg, 1);
  assert.throws(() => m.runWithHooks(rows(1), { "blocks.0.attn.hook_patern": () => undefined }), (e: unknown) =>
    e instanceof HookError && /unknown hook point "blocks\.0\.attn\.hook_patern"/.test((e as Error).message),
  );
  assert.throws(() => m.runWithHooks(rows(1), [[/nothing_like_this/, () => undefined]]), /matches no hook point/);
  assert.throws(
    () => m.runWithHooks(rows(1), { "blocks.0.hook_q_input": () => undefined, "blocks.0.ln1.hook_scale": () => undefined }),
    /ln1 hooks and hook_\{q,k,v\}_input cannot be used together/,
  );
  assert.throws(
    () => m.runWithHooks(rows(1), { "blocks.0.attn.hook_pattern": (p) => tf.zeros([p.shape[0], 1]) }),
    /hook on blocks\.0\.attn\.hook_pattern returned shape \[1,1\], expected \[1,2,20,20\]/,
  );
  m.dispose();
});

test("a hook's replacement changes the output (zeroing every attention pattern leaves embed-only predictions)", async () => {
  const m = HookedTransformer.random(cfg, 5);
  const x = rows(1);
  const zero = (p: tf.Tensor) => tf.zerosLike(p);
  const ablated = m.runWithCache(x, { hooks: [[/hook_pattern$/, zero]], namesFilter: ["ln_final.hook_normalized", "hook_embed"] });
  const plain = await m.lossPerToken(x);
  assert.ok(maxAbsDiff(await ablated.nll.data(), plain) > 1e-3);
  ablated.nll.dispose();
  ablated.cache.dispose();
  m.dispose();
});

test("caching everything reaches exactly hookNames(), in its order", () => {
  for (const c of [cfg, { ...cfg, normalization_type: null } as ModelConfig]) {
    const m = HookedTransformer.random(c, 6);
    const all = hookNames(c);
    // Per-head inputs and ln1's hooks exclude each other (LayerNorm then runs per head): two runs cover every point.
    const ln1 = (n: string) => /blocks\.\d+\.ln1\./.test(n);
    const perHead = m.runWithCache(rows(1), { namesFilter: (n) => !ln1(n) });
    const fused = m.runWithCache(rows(1), { namesFilter: (n) => !/hook_[qkv]_input$/.test(n) });
    assert.deepEqual(perHead.cache.keys(), all.filter((n) => !ln1(n)));
    assert.deepEqual(fused.cache.keys(), all.filter((n) => !/hook_[qkv]_input$/.test(n)));
    assert.deepEqual(all.filter((n) => perHead.cache.has(n) || fused.cache.has(n)), all);
    for (const r of [perHead, fused]) {
      r.nll.dispose();
      r.cache.dispose();
    }
    m.dispose();
  }
});
