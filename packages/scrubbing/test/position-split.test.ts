/**
 * Token-position-resolved inputs (docs/semantics.md §5.6) against an independent computation: for
 * each query position i, the model is run through its hooks on the explicitly mixed row (inside the
 * window: one row's tokens; outside: the other's), and layer 0's split heads are read at position i.
 */
import assert from "node:assert/strict";
import { before, test } from "node:test";
import { type HookedTransformer, tf } from "@isc/core";
import {
  chain,
  Correspondence,
  enumeratePaths,
  ExactSampler,
  HypothesisError,
  InterpNode,
  pathKey,
  type PositionSplit,
  prepareScrub,
  runScrub,
  type Sampler,
  type Slot,
  splitByPosition,
  through,
  type TokenDataset,
  UncondSampler,
  windowMatrix,
} from "../src/index.js";
import { cfg, tinySetup } from "./tiny-setup.js";

let model: HookedTransformer;
let ds: TokenDataset;

before(async () => {
  ({ model, ds } = await tinySetup());
});

const T = cfg.n_ctx;

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** A root with one Uncond child on every outside path (REPO's `rc.Matcher("outside_input_toks_int")`). */
function outsideScrubbed(sampler: Sampler = new UncondSampler()): Correspondence {
  const root = new InterpNode("logits");
  const corr = new Correspondence(root);
  corr.addChild(root, "outside", through({ layer: 0, window: ["outside"] }), sampler);
  return corr;
}

/** Rows `a` with the tokens outside query position i's window taken from rows `b`: [B, T + 1]. */
function mixedRows(a: Int32Array, b: Int32Array, s: PositionSplit, i: number): Int32Array {
  const W = ds.width;
  const inside = windowMatrix(s, T).subarray(i * T, (i + 1) * T);
  const x = ds.gather(a);
  const y = ds.gather(b);
  return x.map((t, n) => (n % W < T && !inside[n % W] ? y[n] : t));
}

/** Layer 0's per-head outputs [B, T, H, D], row i of each from the model run on the rows mixed for position i. */
function perPositionResults(inside: Int32Array, outside: Int32Array, s: PositionSplit): tf.Tensor4D {
  const name = "blocks.0.attn.hook_result";
  const rows: tf.Tensor4D[] = [];
  for (let i = 0; i < T; i++) {
    const o = model.runWithCache({ data: mixedRows(inside, outside, s, i), batch: inside.length, width: ds.width }, { namesFilter: [name] });
    const r = o.cache.get(name) as tf.Tensor4D; // [B, T, H, D]
    rows.push(tf.slice(r, [0, i, 0, 0], [r.shape[0], 1, r.shape[2], r.shape[3]]));
    o.nll.dispose();
    o.cache.dispose();
  }
  const out = tf.concat(rows, 1);
  tf.dispose(rows);
  return out;
}

/**
 * The per-token NLL when `s.reader` reads, at each position i, the reference embedding, the unsplit
 * layer-0 heads on the reference row, and the split heads on the row mixed for position i from the
 * `inside` and `outside` rows.
 */
async function byHand(ref: Int32Array, inside: Int32Array, outside: Int32Array, s: PositionSplit): Promise<Float32Array> {
  const x = { data: ds.gather(ref), batch: ref.length, width: ds.width };
  const mine = model.runWithCache(x, { namesFilter: ["hook_embed", "blocks.0.attn.hook_result"] });
  const mixed = perPositionResults(inside, outside, s);
  const H = cfg.n_heads;
  const input = tf.tidy(() => {
    const split = tf.reshape(tf.tensor1d(Array.from({ length: H }, (_, h) => (s.heads.includes(h) ? 1 : 0))), [1, 1, H, 1]);
    const heads = tf.add(tf.mul(mixed, split), tf.mul(mine.cache.get("blocks.0.attn.hook_result"), tf.sub(1, split)));
    return tf.add(mine.cache.get("hook_embed"), tf.sum(heads, 2)) as tf.Tensor3D; // [B, T, D]
  });
  const sel = tf.tidy(() => tf.reshape(tf.oneHot([s.reader.head], H), [1, 1, H, 1]));
  const r = model.runWithHooks(x, {
    [`blocks.1.hook_${s.reader.slot}_input`]: (cur) => tf.add(tf.mul(cur, tf.sub(1, sel)), tf.mul(tf.expandDims(input, 2), sel)),
  });
  const out = (await r.nll.data()) as Float32Array;
  tf.dispose([mixed, input, sel, r.nll, mine.nll]);
  mine.cache.dispose();
  return out;
}

const split = (slot: Slot, heads: number[], back: number, include: number): PositionSplit => ({ reader: { layer: 1, head: 1, slot }, heads, back, include });

for (const s of [split("v", [0, 1], 0, 1), split("k", [0], 1, 1), split("q", [1], 2, 3), split("k", [0, 1], 3, 4)]) {
  const label = `${s.reader.slot} of 1.1 via 0.{${s.heads.join(",")}}, window [i−${s.back}, i−${s.back}+${s.include})`;
  test(`position split, outside resampled: ${label} equals running layer 0 on each position's mixed row`, async () => {
    const before = tf.memory().numTensors;
    const res = await runScrub(model, ds, outsideScrubbed(), { samples: 6, batchSize: 4, modification: splitByPosition([s]) });
    assert.equal(tf.memory().numTensors, before, "runScrub leaked tensors");
    const other = res.assignment.sources[1];
    assert.ok(other.some((r, i) => r !== res.refRows[i]), "the outside paths must see other rows");
    const expected = await byHand(res.refRows, res.refRows, other, s);
    assert.ok(maxDiff(res.loss, expected) < 1e-4, `diff ${maxDiff(res.loss, expected)}`);
    const plain = await model.lossPerToken({ data: ds.gather(res.refRows), batch: 6, width: ds.width });
    assert.ok(maxDiff(res.loss, plain) > 1e-4, "resampling the outside tokens must change something");
    assert.equal(tf.memory().numTensors, before, "the test leaked tensors");
  });
}

test("inside and outside each on their own random rows: both sides of the mix leave the reference", async () => {
  const s = split("k", [0, 1], 2, 3);
  const root = new InterpNode("logits");
  const corr = new Correspondence(root);
  corr.addChild(root, "inside", through({ layer: 0, window: ["inside"] }));
  corr.addChild(root, "outside", through({ layer: 0, window: ["outside"] }));
  const before = tf.memory().numTensors;
  const res = await runScrub(model, ds, corr, { samples: 5, batchSize: 2, modification: splitByPosition([s]) });
  const [, inside, outside] = res.assignment.sources;
  const expected = await byHand(res.refRows, inside, outside, s);
  assert.ok(maxDiff(res.loss, expected) < 1e-4, `diff ${maxDiff(res.loss, expected)}`);
  assert.equal(tf.memory().numTensors, before);
});

test("position split with inside and outside on the same rows equals the unsplit run", async () => {
  const before = tf.memory().numTensors;
  const mod = splitByPosition([split("v", [0, 1], 0, 1), split("k", [0], 1, 1)]);
  const plain = await runScrub(model, ds, new Correspondence(new InterpNode("logits")), { samples: 6 });
  // Both on the root's rows: the same computation as the unsplit model, so the same bits.
  const same = await runScrub(model, ds, new Correspondence(new InterpNode("logits")), { samples: 6, modification: mod });
  assert.deepEqual(same.loss, plain.loss);
  // The outside on an Exact child: the same rows through another source, so the windowed mix runs.
  const exact = await runScrub(model, ds, outsideScrubbed(new ExactSampler()), { samples: 6, batchSize: 4, modification: mod });
  assert.ok(maxDiff(exact.loss, plain.loss) < 1e-5, `diff ${maxDiff(exact.loss, plain.loss)}`);
  const prepared = prepareScrub(model, ds, outsideScrubbed(new ExactSampler()), { samples: 6, modification: mod });
  assert.ok(prepared.plan.summary().groupsPerLayer[0] > 1, "the Exact child must reach the windowed computation");
  assert.equal(tf.memory().numTensors, before);
});

test("a position split turns each path through a split copy into an inside and an outside path", () => {
  const s = split("v", [0], 1, 2);
  const plain = enumeratePaths(cfg).map(pathKey);
  const keys = enumeratePaths(cfg, [s]).map(pathKey);
  assert.equal(keys.length, plain.length + 3, "one more path per slot of 0.0 in 1.1's V input");
  for (const slot of ["q", "k", "v"]) {
    assert.ok(!keys.includes(`1.1.v/0.0.${slot}`));
    assert.ok(keys.includes(`1.1.v/0.0.${slot}:inside`) && keys.includes(`1.1.v/0.0.${slot}:outside`));
    assert.ok(keys.includes(`1.0.v/0.0.${slot}`) && keys.includes(`1.1.k/0.0.${slot}`), "other copies stay whole");
  }
  const corr = new Correspondence(new InterpNode("logits"));
  corr.addChild(corr.root, "in", chain({ layer: 1, heads: [1] }, { layer: 0, window: ["inside"] }));
  const { paths, claimed } = corr.resolve(cfg, [s]);
  assert.deepEqual([...claimed.get(corr.root.children[0])!].map((i) => pathKey(paths[i])).sort(), ["1.1.v/0.0.k:inside", "1.1.v/0.0.q:inside", "1.1.v/0.0.v:inside"]);
  assert.throws(() => corr.resolve(cfg), (e: unknown) => e instanceof HypothesisError && /matches no path/.test((e as Error).message));
});

test("windows follow REPO's slices, and impossible splits are refused", () => {
  const rows = (back: number, include: number, i: number) => [...windowMatrix({ back, include }, 6).subarray(i * 6, i * 6 + 6)];
  assert.deepEqual(rows(0, 1, 3), [0, 0, 0, 1, 0, 0], "the current token");
  assert.deepEqual(rows(1, 1, 3), [0, 0, 1, 0, 0, 0], "the previous token");
  assert.deepEqual(rows(1, 1, 0), [0, 0, 0, 0, 0, 0], "position 0 has no previous token");
  assert.deepEqual(rows(3, 4, 2), [1, 1, 1, 0, 0, 0], "clamped at 0");
  assert.deepEqual(rows(2, 3, 5), [0, 0, 0, 1, 1, 1]);
  const bad = (s: PositionSplit, re: RegExp) => assert.throws(() => enumeratePaths(cfg, [s]), (e: unknown) => e instanceof HypothesisError && re.test((e as Error).message));
  bad({ ...split("v", [0], 0, 1), reader: { layer: 0, head: 1, slot: "v" } }, /reader must be a head of layers 1/);
  bad(split("v", [2], 0, 1), /unknown head 0\.2/);
  bad(split("v", [0], 0, 0), /include must be a whole number ≥ 1/);
  bad(split("v", [0], -1, 1), /back must be/);
  bad(split("v", [], 0, 1), /no layer-0 head/);
  assert.throws(() => enumeratePaths(cfg, [split("v", [0], 0, 1), split("v", [0, 1], 2, 3)]), /head 0\.0 is split twice/);
});
