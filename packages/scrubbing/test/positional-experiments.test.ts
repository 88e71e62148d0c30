/**
 * The positional family against REPO's own options: every `positional-*` name of experiments.py
 * with its `split_paths_by_position` tuples transcribed here, and hand-derived path sets for the
 * matchers (docs/semantics.md §5.6, §6).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { HookedTransformer, initBackend, type ModelConfig, Rng, tf, TINY_ATTN_2L } from "@isc/core";
import { experimentCatalogue, getExperiment, isPositionSplit, parseHeadRoles, pathKey, REDWOOD_ROLES, runScrub, TokenDataset } from "../src/index.js";

const cfg: ModelConfig = { ...TINY_ATTN_2L, n_heads: 8, d_head: 4 };
const cat = experimentCatalogue(cfg, REDWOOD_ROLES);
const ALL = [0, 1, 2, 3, 4, 5, 6, 7];

/** REPO's tuples: (l1 head, child, l0 heads, num_toks_back, num_toks_to_include). */
type Tuple = [number, string, number[], number, number];
const both = (child: string, back: number, include: number): Tuple[] => [5, 6].map((h) => [h, child, ALL, back, include]);
const one = (h: number, child: string, back: number, include: number): Tuple => [h, child, ALL, back, include];

const REPO: Record<string, Tuple[]> = {
  "positional-ev": both("v", 0, 1),
  "positional-eq": both("q", 0, 1),
  "positional-pth-k": both("k", 1, 1),
  "positional-all-naive": [...both("v", 0, 1), ...both("q", 0, 1), ...both("k", 1, 1)],
  "positional-eq-and-pth-k": [...both("q", 0, 1), ...both("k", 1, 1)],
  "positional-eq-with-multi-tok-ind": both("q", 2, 3),
  "positional-pth-k-with-multi-tok-ind": both("k", 3, 3),
  "positional-eq-and-pth-k-with-multi-tok-ind": [...both("q", 2, 3), ...both("k", 3, 3)],
  "positional-eq-and-pth-k-with-multi-tok-ind-with-1.5-positional-ek": [...both("q", 2, 3), one(5, "k", 3, 4), one(6, "k", 3, 3)],
  "positional-all-naive-with-multi-tok-ind": [...both("v", 0, 1), ...both("q", 2, 3), ...both("k", 3, 3)],
  "positional-all-naive-with-multi-tok-ind-1.5": [one(5, "v", 0, 1), one(5, "q", 2, 3), one(5, "k", 3, 3)],
  "positional-all-naive-with-multi-tok-ind-1.6": [one(6, "v", 0, 1), one(6, "q", 2, 3), one(6, "k", 3, 3)],
  "positional-all-naive-with-multi-tok-ind-1.5-with-positional-ek": [one(5, "v", 0, 1), one(5, "q", 2, 3), one(5, "k", 3, 4)],
  "positional-all-naive-with-multi-tok-ind-1.6-with-positional-ek": [one(6, "v", 0, 1), one(6, "q", 2, 3), one(6, "k", 3, 4)],
  "positional-ek": both("k", 0, 1),
  "positional-ek-1.5": [one(5, "k", 0, 1)],
  "positional-all-naive-with-multi-tok-ind-with-1.5-positional-ek": [...both("v", 0, 1), ...both("q", 2, 3), one(5, "k", 3, 4), one(6, "k", 3, 3)],
  "positional-all-naive-with-multi-tok-ind-with-1.5-positional-ek-fine-grained": [
    [5, "v", [1, 2, 3, 5, 6], 0, 1],
    [6, "v", [1, 2, 3, 5, 6], 0, 1],
    [5, "q", [0, 6], 2, 3],
    [5, "q", [1, 2, 3, 5], 0, 1],
    [6, "q", [0, 6], 2, 3],
    [6, "q", [1, 2, 3, 5], 0, 1],
    [5, "k", [0], 3, 3],
    [5, "k", [6], 3, 4],
    [5, "k", [1, 2, 3, 5], 0, 1],
    [6, "k", [0, 6], 3, 3],
  ],
};

function tuples(name: string, catalogue = cat): string[] {
  const splits = getExperiment(catalogue, name).build().modification!.splits!.filter(isPositionSplit);
  return splits.map((s) => JSON.stringify([s.reader.head, s.reader.slot, s.heads, s.back, s.include])).sort();
}

/** The path keys the (single) child claims. */
function claimed(name: string, catalogue = cat): Set<string> {
  const { corr, modification } = getExperiment(catalogue, name).build();
  const { paths, claimed: c } = corr.resolve(cfg, modification?.splits ?? []);
  assert.equal(corr.root.children.length, 1, `${name}: one child, as REPO's make_corr with one matcher`);
  return new Set([...c.get(corr.root.children[0])!].map((i) => pathKey(paths[i])));
}

/** Keys `1.h.s/0.j.s0[:window]` for the given heads, slots and windows. */
function keys(l1: number[], slots: string[], l0: number[], windows: string[]): string[] {
  return l1.flatMap((h) => slots.flatMap((s) => l0.flatMap((j) => ["q", "k", "v"].flatMap((s0) => windows.map((w) => `1.${h}.${s}/0.${j}.${s0}${w ? `:${w}` : ""}`)))));
}

test("every positional experiment of REPO exists, with REPO's split_paths_by_position options", () => {
  const mine = [...cat.values()].filter((e) => e.group === "positional").map((e) => e.name);
  assert.deepEqual(mine.sort(), Object.keys(REPO).sort());
  for (const [name, want] of Object.entries(REPO)) assert.deepEqual(tuples(name), want.map((t) => JSON.stringify(t)).sort(), name);
});

test("positional matchers claim the outside paths of the split copies, and the direct embedding → K where REPO adds it", () => {
  assert.deepEqual([...claimed("positional-ev")].sort(), keys([5, 6], ["v"], ALL, ["outside"]).sort());
  assert.deepEqual([...claimed("positional-pth-k")].sort(), [...keys([5, 6], ["k"], ALL, ["outside"]), "1.5.k", "1.6.k"].sort());
  const ek = claimed("positional-eq-and-pth-k-with-multi-tok-ind-with-1.5-positional-ek");
  assert.ok(ek.has("1.6.k") && !ek.has("1.5.k"), "only 1.6's direct embedding → K is resampled");
  assert.ok(ek.has("1.5.q/0.3.v:outside") && !ek.has("1.5.q/0.3.v:inside"));
  assert.ok(!claimed("positional-all-naive-with-multi-tok-ind-1.5-with-positional-ek").has("1.5.k"));
});

test("the fine-grained entry resamples some heads whole and the outside of the rest", () => {
  const c = claimed("positional-all-naive-with-multi-tok-ind-with-1.5-positional-ek-fine-grained");
  const expected = [
    ...keys([5, 6], ["v"], [0, 4, 7], [""]),
    ...keys([5, 6], ["v"], [1, 2, 3, 5, 6], ["outside"]),
    ...keys([5, 6], ["q"], [4, 7], [""]),
    ...keys([5, 6], ["q"], [0, 1, 2, 3, 5, 6], ["outside"]),
    ...keys([5], ["k"], [4, 7], [""]),
    ...keys([5], ["k"], [0, 1, 2, 3, 5, 6], ["outside"]),
    ...keys([6], ["k"], [1, 2, 3, 4, 5, 7], [""]),
    ...keys([6], ["k"], [0, 6], ["outside"]),
    "1.6.k",
  ];
  assert.deepEqual([...c].sort(), expected.sort());
});

test("on the default model's roles the names carry its induction heads and the fine-grained sets still partition layer 0", () => {
  const roles = parseHeadRoles({ previousTokenHead: "0.0", inductionHeads: ["1.6", "1.7"], plusHeads: [0, 2, 4, 6], pthKPlusKept: [0], ekNarrowScrubbed: [0, 4] }, cfg);
  const mine = experimentCatalogue(cfg, roles);
  for (const n of ["positional-ek-1.6", "positional-all-naive-with-multi-tok-ind-1.7", "positional-all-naive-with-multi-tok-ind-with-1.6-positional-ek-fine-grained"]) assert.ok(mine.has(n), n);
  assert.deepEqual(tuples("positional-all-naive-with-multi-tok-ind-with-1.6-positional-ek-fine-grained", mine), [
    [6, "k", [0], 3, 3],
    [6, "k", [1, 3, 5, 7], 0, 1],
    [6, "q", [0], 2, 3],
    [6, "q", [1, 3, 5, 7], 0, 1],
    [6, "v", [1, 3, 5, 7], 0, 1],
    [7, "k", [0], 3, 3],
    [7, "q", [0], 2, 3],
    [7, "q", [1, 3, 5, 7], 0, 1],
    [7, "v", [1, 3, 5, 7], 0, 1],
  ].map((t) => JSON.stringify(t)).sort());
});

test("positional experiments run end to end through runScrub and free every tensor", async () => {
  await initBackend({ quiet: true });
  const model = HookedTransformer.random(cfg, 11);
  const r = new Rng(5);
  const ds = new TokenDataset(Int32Array.from({ length: 30 * (cfg.n_ctx + 1) }, () => r.int(cfg.d_vocab)), cfg.n_ctx + 1, "tiny rows");
  const before = tf.memory().numTensors;
  const run = async (name: string) => {
    const { corr, modification } = getExperiment(cat, name).build();
    return runScrub(model, ds, corr, { samples: 6, batchSize: 4, seed: 1, modification });
  };
  const plain = await run("unscrubbed");
  for (const name of ["positional-ev", "positional-all-naive-with-multi-tok-ind-with-1.5-positional-ek-fine-grained"]) {
    const res = await run(name);
    assert.deepEqual([...res.refRows], [...plain.refRows]);
    assert.ok(res.loss.every(Number.isFinite), `${name}: non-finite loss`);
    assert.ok(res.loss.some((x, i) => Math.abs(x - plain.loss[i]) > 1e-4), `${name} changed nothing`);
  }
  assert.equal(tf.memory().numTensors, before, "tensors leaked");
  model.dispose();
});
