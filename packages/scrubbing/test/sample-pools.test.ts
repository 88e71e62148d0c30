/**
 * UncondTogetherSampler and sample pools (docs/semantics.md §5.1), after Redwood's pool demo: which
 * nodes share rows, how many distinct rows a pool hands out, and that a shared row scrubs as one.
 */
import assert from "node:assert/strict";
import { before, test } from "node:test";
import { type HookedTransformer, Rng, tf } from "@isc/core";
import {
  chain,
  CondSampler,
  Correspondence,
  type HopPattern,
  InterpNode,
  PoolAnnotation,
  runScrub,
  SamplePools,
  type Sampler,
  type Slot,
  TokenDataset,
  UncondSampler,
  UncondTogetherSampler,
  union,
} from "../src/index.js";
import { cfg, maxDiff, tinySetup } from "./tiny-setup.js";

let model: HookedTransformer;
let ds: TokenDataset;

before(async () => {
  ({ model, ds } = await tinySetup());
});

/** One slot of one layer-1 head: six disjoint path sets on the tiny model (2 heads × q, k, v). */
const slotOf = (head: number, slot: Slot): HopPattern => ({ layer: 1, heads: [head], slots: [slot] });
const SIX: [number, Slot][] = [0, 1].flatMap((h) => (["q", "k", "v"] as Slot[]).map((s): [number, Slot] => [h, s]));

/** Each node's own rows (its other-inputs rows when it has children), by node name. */
function rowsByNode(corr: Correspondence, n = 12, seed = 3): Map<string, Int32Array> {
  const a = corr.assign(cfg, ds.sample(n, new Rng(seed)), ds, new Rng(seed + 1));
  return new Map(a.sourceNames.map((name, i) => [name.replace(" (other inputs)", ""), a.sources[i]]));
}

const same = (a: Int32Array, b: Int32Array) => a.every((r, i) => r === b[i]);

test("nodes with UncondTogetherSampler see the same rows; another id, or Uncond, others", () => {
  const root = new InterpNode("logits");
  const corr = new Correspondence(root);
  const samplers: Sampler[] = [new UncondTogetherSampler(), new UncondTogetherSampler(), new UncondTogetherSampler("other"), new UncondTogetherSampler("other"), new UncondSampler(), new UncondSampler()];
  SIX.forEach(([h, s], i) => corr.addChild(root, `n${i}`, chain(slotOf(h, s)), samplers[i]));
  const rows = rowsByNode(corr);
  assert.ok(same(rows.get("n0")!, rows.get("n1")!), "default id: one draw");
  assert.ok(same(rows.get("n2")!, rows.get("n3")!), "id 'other': one draw");
  assert.ok(!same(rows.get("n0")!, rows.get("n2")!), "different ids draw apart");
  assert.ok(!same(rows.get("n4")!, rows.get("n5")!), "plain Uncond draws apart");
  assert.ok(!same(rows.get("n0")!, rows.get("logits")!), "still a resample");
});

test("UncondTogether as other-inputs sampler: two parents' other inputs share one draw (Redwood's pool demo)", () => {
  const root = new InterpNode("logits");
  const corr = new Correspondence(root);
  const feature = (row: ArrayLike<number>) => row[2] % 2;
  for (const h of [0, 1]) {
    const node = root.makeDescendant(`b${h}`, new CondSampler(feature), new UncondTogetherSampler());
    corr.add(node, chain({ layer: 1, heads: [h] }));
    corr.addChild(node, `d${h}`, chain(slotOf(h, "q")), new CondSampler(feature));
  }
  const rows = rowsByNode(corr);
  assert.ok(same(rows.get("b0")!, rows.get("b1")!));
  assert.ok(!same(rows.get("d0")!, rows.get("d1")!));
});

test("a pool of size 4 hands 40 draws at most 4 distinct row sets, and at most 4 rows per reference row", () => {
  const pools = new SamplePools();
  const rng = new Rng(9);
  const parent = ds.sample(10, rng);
  const pooled = new UncondSampler(new PoolAnnotation(4));
  const draws = Array.from({ length: 40 }, () => pools.draw(pooled, parent, ds, rng));
  const distinct = new Set(draws.map((d) => d.join(",")));
  assert.ok(distinct.size >= 2 && distinct.size <= 4, `${distinct.size} distinct draws`);
  for (let i = 0; i < parent.length; i++) assert.ok(new Set(draws.map((d) => d[i])).size <= 4);
  // Another annotation of the same size is another pool; a sampler without one draws afresh each time.
  const other = new UncondSampler(new PoolAnnotation(4));
  const more = new Set(Array.from({ length: 40 }, () => pools.draw(other, parent, ds, rng).join(",")));
  assert.equal([...more].filter((d) => distinct.has(d)).length, 0);
  const plain = new Set(Array.from({ length: 10 }, () => pools.draw(new UncondSampler(), parent, ds, rng).join(",")));
  assert.equal(plain.size, 10);
  assert.throws(() => new PoolAnnotation(0), /positive integer/);
});

test("nodes of one pool in a hypothesis: six nodes, a pool of 2, at most 2 rows per reference row", () => {
  const root = new InterpNode("logits");
  const corr = new Correspondence(root);
  const annotation = new PoolAnnotation(2);
  // Distinct sampler objects with one annotation share the pool: Redwood compares samplers by value.
  SIX.forEach(([h, s], i) => corr.addChild(root, `n${i}`, chain(slotOf(h, s)), new UncondSampler(annotation)));
  const rows = rowsByNode(corr, 16);
  const nodes = SIX.map((_, i) => rows.get(`n${i}`)!);
  assert.ok(new Set(nodes.map((r) => r.join(","))).size <= 2);
  for (let i = 0; i < 16; i++) assert.ok(new Set(nodes.map((r) => r[i])).size <= 2);
});

test("pools are per class of parent rows: Cond parents agreeing on the feature share, unrelated parents do not", () => {
  const feature = (row: ArrayLike<number>) => row[1] % 3;
  const build = (parentSampler: () => Sampler) => {
    const root = new InterpNode("logits");
    const corr = new Correspondence(root);
    const shared = new CondSampler(feature, "Cond", new PoolAnnotation(1));
    for (const h of [0, 1]) {
      const b = corr.addChild(root, `b${h}`, chain({ layer: 1, heads: [h] }), parentSampler());
      corr.addChild(b, `d${h}`, chain(slotOf(h, "k")), shared);
    }
    return rowsByNode(corr);
  };
  const agreeing = build(() => new CondSampler(feature));
  assert.ok(!same(agreeing.get("b0")!, agreeing.get("b1")!), "the parents drew different rows");
  assert.ok(same(agreeing.get("d0")!, agreeing.get("d1")!), "…with the same features, so one class: one draw");
  const unrelated = build(() => new UncondSampler());
  assert.ok(!same(unrelated.get("d0")!, unrelated.get("d1")!));
});

test("two UncondTogether children scrub exactly as one child claiming both path sets with those rows", async () => {
  const before = tf.memory().numTensors;
  const [a, b] = [chain(slotOf(0, "v")), chain(slotOf(1, "q"), { layer: 0 })];
  const root = new InterpNode("logits");
  const together = new Correspondence(root);
  together.addChild(root, "a", a, new UncondTogetherSampler());
  together.addChild(root, "b", b, new UncondTogetherSampler());
  const res = await runScrub(model, ds, together, { samples: 8, batchSize: 3 });
  const shared = res.assignment.sources[1];
  assert.ok(same(shared, res.assignment.sources[2]));
  // Redwood's FixedOtherSampler, in two lines: these rows whatever the parent's.
  const given: Sampler = { name: "given", sample: () => shared.slice() };
  const root2 = new InterpNode("logits");
  const one = new Correspondence(root2);
  one.addChild(root2, "ab", union(a, b), given);
  const res2 = await runScrub(model, ds, one, { samples: 8 });
  assert.deepEqual([...res2.refRows], [...res.refRows]);
  assert.ok(maxDiff(res.loss, res2.loss) < 1e-6, `diff ${maxDiff(res.loss, res2.loss)}`);
  assert.equal(tf.memory().numTensors, before);
});
