/**
 * The treeified runner against independent computations through the model's hooks: each scrub is
 * re-derived by hand from its definition (docs/semantics.md §5.3).
 */
import assert from "node:assert/strict";
import { before, test } from "node:test";
import { type HookedTransformer, tf } from "@isc/core";
import {
  chain,
  CondSampler,
  Correspondence,
  ExactSampler,
  FixedSampler,
  HypothesisError,
  InterpNode,
  replacePattern,
  splitPreviousToken,
  runScrub,
  type Sampler,
  through,
  TokenDataset,
  UncondSampler,
} from "../src/index.js";
import { cfg, maxDiff, tinySetup } from "./tiny-setup.js";

let model: HookedTransformer;
let ds: TokenDataset;

before(async () => {
  ({ model, ds } = await tinySetup());
});

function tokensOf(rows: Int32Array) {
  return { data: ds.gather(rows), batch: rows.length, width: ds.width };
}

/** A root (Exact) with one Uncond child claiming `m`. */
function oneChild(m: Parameters<Correspondence["add"]>[1], sampler: Sampler = new UncondSampler()) {
  const root = new InterpNode("logits");
  const corr = new Correspondence(root);
  corr.addChild(root, "scrubbed", m, sampler);
  return corr;
}

/** Per-token NLL of `rows` with head `h` of `layer` replaced by its output on `other` rows. */
async function headOnOtherRows(layer: number, h: number, rows: Int32Array, other: Int32Array): Promise<Float32Array> {
  const name = `blocks.${layer}.attn.hook_result`;
  const o = model.runWithCache(tokensOf(other), { namesFilter: [name] });
  const theirs = o.cache.get(name); // [B, T, H, D]
  const sel = tf.reshape(tf.oneHot([h], cfg.n_heads), [1, 1, cfg.n_heads, 1]);
  const r = model.runWithHooks(tokensOf(rows), { [name]: (mine) => tf.add(tf.mul(mine, tf.sub(1, sel)), tf.mul(theirs, sel)) });
  const out = (await r.nll.data()) as Float32Array;
  tf.dispose([r.nll, o.nll, sel]);
  o.cache.dispose();
  return out;
}

test("treeification alone, and a child with ExactSampler, change nothing", async () => {
  const before = tf.memory().numTensors;
  const plain = await runScrub(model, ds, new Correspondence(new InterpNode("logits")), { samples: 12, batchSize: 5 });
  const direct = await model.lossPerToken(tokensOf(plain.refRows));
  assert.ok(maxDiff(plain.loss, direct) < 1e-5, `root-only differs from forward by ${maxDiff(plain.loss, direct)}`);
  const exact = await runScrub(model, ds, oneChild(chain({ layer: 1, heads: [1] }), new ExactSampler()), { samples: 12, batchSize: 5 });
  assert.deepEqual([...exact.refRows], [...plain.refRows]);
  assert.ok(maxDiff(exact.loss, plain.loss) < 1e-5);
  assert.equal(tf.memory().numTensors, before, "runScrub leaked tensors");
});

test("resampling every input of a layer-1 head equals running that head on the other row", async () => {
  const res = await runScrub(model, ds, oneChild(chain({ layer: 1, heads: [1] })), { samples: 10, batchSize: 4 });
  const other = res.assignment.sources[1];
  assert.ok(other.some((r, i) => r !== res.refRows[i]), "the child must see other rows");
  const expected = await headOnOtherRows(1, 1, res.refRows, other);
  assert.ok(maxDiff(res.loss, expected) < 1e-4, `diff ${maxDiff(res.loss, expected)}`);
  const plain = await model.lossPerToken(tokensOf(res.refRows));
  assert.ok(maxDiff(res.loss, plain) > 1e-3, "scrubbing must change something");
});

test("resampling every copy of a layer-0 head equals running it on the other row everywhere", async () => {
  const res = await runScrub(model, ds, oneChild(through({ layer: 0, heads: [0] })), { samples: 10, batchSize: 10 });
  const expected = await headOnOtherRows(0, 0, res.refRows, res.assignment.sources[1]);
  assert.ok(maxDiff(res.loss, expected) < 1e-4, `diff ${maxDiff(res.loss, expected)}`);
});

test("scrubbing layer-0 → V of head 1.1 feeds that slot a hybrid residual, layer-normed as a whole", async () => {
  const res = await runScrub(model, ds, oneChild(chain({ layer: 1, heads: [1], slots: ["v"] }, { layer: 0 })), { samples: 8 });
  const x = tokensOf(res.refRows);
  const xs = tokensOf(res.assignment.sources[1]);
  const mine = model.runWithCache(x, { namesFilter: ["hook_embed"] });
  const theirs = model.runWithCache(xs, { namesFilter: ["blocks.0.hook_attn_out"] });
  const hybrid = tf.add(mine.cache.get("hook_embed"), theirs.cache.get("blocks.0.hook_attn_out")); // [B, T, D]
  const sel = tf.reshape(tf.oneHot([1], cfg.n_heads), [1, 1, cfg.n_heads, 1]);
  const r = model.runWithHooks(x, {
    "blocks.1.hook_v_input": (v) => tf.add(tf.mul(v, tf.sub(1, sel)), tf.mul(tf.expandDims(hybrid, 2), sel)),
  });
  const expected = await r.nll.data();
  assert.ok(maxDiff(res.loss, expected) < 1e-4, `diff ${maxDiff(res.loss, expected)}`);
  tf.dispose([hybrid, sel, r.nll, mine.nll, theirs.nll]);
  mine.cache.dispose();
  theirs.cache.dispose();
});

test("a model modification equals the same change made by hand through hooks", async () => {
  const mod = replacePattern("zero", { layer: 0, head: 0 });
  const res = await runScrub(model, ds, new Correspondence(new InterpNode("logits")), { samples: 6, modification: mod });
  const x = tokensOf(res.refRows);
  // By hand: layer 1's q/k/v inputs see layer 0 with head 0's pattern zeroed; the direct path does not.
  const sel = tf.reshape(tf.oneHot([0], cfg.n_heads), [1, cfg.n_heads, 1, 1]);
  const zeroed = model.runWithCache(x, {
    namesFilter: ["blocks.0.hook_resid_post"],
    hooks: { "blocks.0.attn.hook_pattern": (p) => tf.mul(p, tf.sub(1, sel)) },
  });
  const modResid = zeroed.cache.get("blocks.0.hook_resid_post");
  const feed = () => tf.tile(tf.expandDims(modResid, 2), [1, 1, cfg.n_heads, 1]);
  const r = model.runWithHooks(x, { "blocks.1.hook_q_input": feed, "blocks.1.hook_k_input": feed, "blocks.1.hook_v_input": feed });
  const expected = await r.nll.data();
  assert.ok(maxDiff(res.loss, expected) < 1e-4, `diff ${maxDiff(res.loss, expected)}`);
  const plain = await model.lossPerToken(x);
  assert.ok(maxDiff(res.loss, plain) > 1e-3);
  tf.dispose([sel, zeroed.nll, r.nll]);
  zeroed.cache.dispose();
});

test("mean attention of an unscrubbed run is the mean of the model's patterns", async () => {
  const before = tf.memory().numTensors;
  const res = await runScrub(model, ds, new Correspondence(new InterpNode("logits")), { samples: 7, batchSize: 3, attention: "pattern" });
  const c = model.runWithCache(tokensOf(res.refRows), { namesFilter: [/hook_pattern$/] });
  const expected = tf.tidy(() => tf.concat([0, 1].map((l) => tf.mean(c.cache.get(`blocks.${l}.attn.hook_pattern`), 0))));
  assert.ok(maxDiff(res.attention!.data, await expected.data()) < 1e-5);
  assert.equal(res.attention!.heads[cfg.n_heads + 1], "a1.1");
  tf.dispose([expected, c.nll]);
  c.cache.dispose();
  assert.equal(tf.memory().numTensors, before);
});

test("same seed gives identical results; another seed other rows", async () => {
  const corr = () => oneChild(chain({ layer: 1 }));
  const a = await runScrub(model, ds, corr(), { samples: 6, seed: 3 });
  const b = await runScrub(model, ds, corr(), { samples: 6, seed: 3, batchSize: 4 });
  const c = await runScrub(model, ds, corr(), { samples: 6, seed: 4 });
  assert.deepEqual([...a.refRows], [...b.refRows]);
  assert.ok(maxDiff(a.loss, b.loss) < 1e-6);
  assert.notDeepEqual([...a.refRows], [...c.refRows]);
});

test("FixedSampler pins the reference row; CondSampler rows agree on the feature", async () => {
  const root = new InterpNode("logits", new FixedSampler(4), new FixedSampler(4));
  const corr = new Correspondence(root);
  const feature = (row: ArrayLike<number>) => row[3] % 3;
  corr.addChild(root, "cond", chain({ layer: 1 }), new CondSampler(feature));
  const res = await runScrub(model, ds, corr, { samples: 9 });
  assert.ok(res.refRows.every((r) => r === 4));
  const cond = res.assignment.sources[1];
  for (const r of cond) assert.equal(feature(ds.row(r)), feature(ds.row(4)));
  assert.ok(new Set(cond).size > 1, "CondSampler should still vary among agreeing rows");
  assert.throws(() => new FixedSampler(-1), /non-negative/);
  await assert.rejects(runScrub(model, ds, new Correspondence(new InterpNode("r", new FixedSampler(99))), { samples: 2 }), /row 99 is outside \[0, 40\)/);
});

test("invalid hypotheses are refused with a named reason", async () => {
  const bad = async (corr: Correspondence, re: RegExp) => assert.rejects(runScrub(model, ds, corr, { samples: 2 }), (e: unknown) => e instanceof HypothesisError && re.test((e as Error).message));
  await bad(oneChild(chain({ layer: 1, heads: [9] })), /unknown head 1\.9: the model has heads 0\.\.1/);
  await bad(oneChild(chain({ layer: 2 })), /unknown layer 2/);
  await bad(oneChild(chain({ layer: 0 }, { layer: 1 })), /matches no path/);
  await bad(new Correspondence(new InterpNode("root"), chain({ layer: 1 })), /root "root" must match every path; it misses embed → logits/);
  const root = new InterpNode("logits");
  const corr = new Correspondence(root);
  const a = corr.addChild(root, "a", chain({ layer: 1, heads: [0] }));
  corr.addChild(a, "a-child", chain({ layer: 1, heads: [1] }));
  await bad(corr, /node "a-child" matches paths its parent "a" does not/);
  const root2 = new InterpNode("logits");
  const corr2 = new Correspondence(root2);
  corr2.addChild(root2, "v", chain({ layer: 1, slots: ["v"] }));
  corr2.addChild(root2, "heads", chain({ layer: 1, heads: [0] }));
  await bad(corr2, /siblings "v" and "heads" both match/);
  await assert.rejects(runScrub(model, ds, oneChild(chain({ layer: 1 })), { samples: 0 }), /samples must be a positive integer/);
});

test("splitting 0.0 into previous-token part and rest changes nothing until a part is scrubbed", async () => {
  const mod = splitPreviousToken({ layer: 0, head: 0 });
  const plain = await runScrub(model, ds, new Correspondence(new InterpNode("logits")), { samples: 6 });
  const split = await runScrub(model, ds, new Correspondence(new InterpNode("logits")), { samples: 6, modification: mod });
  assert.ok(maxDiff(plain.loss, split.loss) < 1e-5, `split alone differs by ${maxDiff(plain.loss, split.loss)}`);
  assert.throws(() => oneChild(chain({ layer: 1 }, { layer: 0, heads: [0], parts: ["prev"] })).resolve(cfg), /matches no path/);
});

test("resampling only 0.0's non-previous part → K of head 1.1 matches the same scrub made by hand", async () => {
  const mod = splitPreviousToken({ layer: 0, head: 0 });
  const corr = oneChild(chain({ layer: 1, heads: [1], slots: ["k"] }, { layer: 0, heads: [0], parts: ["rest"] }));
  const res = await runScrub(model, ds, corr, { samples: 6, modification: mod });
  const x = tokensOf(res.refRows);
  const xs = tokensOf(res.assignment.sources[1]);
  const T = cfg.n_ctx;
  const prev = tf.tensor2d(Float32Array.from({ length: T * T }, (_, i) => (i % T === Math.floor(i / T) - 1 ? 1 : 0)), [T, T]);
  const head0 = tf.reshape(tf.oneHot([0], cfg.n_heads), [1, cfg.n_heads, 1, 1]);
  // Layer-0 output on x with head 0 keeping only its previous-position attention...
  const keepPrev = model.runWithCache(x, {
    namesFilter: ["blocks.0.hook_resid_post"],
    hooks: { "blocks.0.attn.hook_pattern": (p) => tf.add(tf.mul(p, tf.sub(1, head0)), tf.mul(tf.mul(p, prev), head0)) },
  });
  // ...plus head 0's other attention, computed on x' with every other head silenced.
  const restOnly = model.runWithCache(xs, {
    namesFilter: ["blocks.0.hook_attn_out"],
    hooks: { "blocks.0.attn.hook_pattern": (p) => tf.mul(tf.mul(p, tf.sub(1, prev)), head0) },
  });
  const hybrid = tf.add(keepPrev.cache.get("blocks.0.hook_resid_post"), restOnly.cache.get("blocks.0.hook_attn_out"));
  const sel = tf.reshape(tf.oneHot([1], cfg.n_heads), [1, 1, cfg.n_heads, 1]);
  const r = model.runWithHooks(x, { "blocks.1.hook_k_input": (k) => tf.add(tf.mul(k, tf.sub(1, sel)), tf.mul(tf.expandDims(hybrid, 2), sel)) });
  const expected = await r.nll.data();
  assert.ok(maxDiff(res.loss, expected) < 1e-4, `diff ${maxDiff(res.loss, expected)}`);
  tf.dispose([prev, head0, hybrid, sel, r.nll, keepPrev.nll, restOnly.nll]);
  keepPrev.cache.dispose();
  restOnly.cache.dispose();
});
