/**
 * The experiment catalogue against path sets derived by hand from REPO's matchers
 * (docs/semantics.md §5.3, §6), plus head roles, name lookup and a few end-to-end runs.
 */
import assert from "node:assert/strict";
import { before, test } from "node:test";
import { HookedTransformer, initBackend, type ModelConfig, type ParamTree, Rng, tf, TINY_ATTN_2L, treeTensors } from "@isc/core";
import {
  experimentCatalogue,
  FixedSampler,
  getExperiment,
  HeadRolesError,
  HypothesisError,
  parseHeadRoles,
  pathKey,
  PRELIMINARY_EXPERIMENTS,
  REDWOOD_ROLES,
  runScrub,
  TokenDataset,
  UnknownExperimentError,
} from "../src/index.js";

// Redwood's layout (8 heads per layer) at toy width, so REDWOOD_ROLES fit.
const cfg: ModelConfig = { ...TINY_ATTN_2L, n_heads: 8, d_head: 4 };
const cat = experimentCatalogue(cfg, REDWOOD_ROLES);
const SL = ["q", "k", "v"];
const L0 = [0, 1, 2, 3, 4, 5, 6, 7];

let model: HookedTransformer;
let ds: TokenDataset;
before(async () => {
  await initBackend({ quiet: true });
  model = HookedTransformer.random(cfg, 11);
  const r = new Rng(5);
  const W = cfg.n_ctx + 1;
  ds = new TokenDataset(Int32Array.from({ length: 30 * W }, () => r.int(cfg.d_vocab)), W, "tiny rows");
});

/** Path keys claimed by each child of an experiment, in child order. */
function childKeys(name: string, catalogue = cat): Set<string>[] {
  const { corr } = getExperiment(catalogue, name).build();
  const { paths, claimed } = corr.resolve(cfg);
  return corr.root.children.map((c) => new Set([...claimed.get(c)!].map((i) => pathKey(paths[i]))));
}

// Hand-written path keys ("1.5.v/0.3.q" = embed →q 0.3 →v 1.5 → logits), independent of the matchers.
/** Layer-0 heads `hs` on their direct paths to the logits (any slot of theirs). */
const direct0 = (hs: number[]) => hs.flatMap((h) => SL.map((s) => `0.${h}.${s}`));
/** Into the `slots` of layer-1 heads `l1`: via layer-0 heads `l0` (any of their slots), plus the direct embedding if `embed`. */
function into(l1: number[], slots: string[], l0: number[], embed: boolean): string[] {
  const out: string[] = [];
  for (const h of l1) {
    for (const s of slots) {
      if (embed) out.push(`1.${h}.${s}`);
      for (const j of l0) for (const s0 of SL) out.push(`1.${h}.${s}/0.${j}.${s0}`);
    }
  }
  return out;
}
const set = (...parts: string[][]) => new Set(parts.flat());

function assertChildren(name: string, expected: Set<string>[], catalogue = cat) {
  const got = childKeys(name, catalogue);
  assert.equal(got.length, expected.length, `${name}: ${got.length} children, expected ${expected.length}`);
  got.forEach((g, i) => assert.deepEqual([...g].sort(), [...expected[i]].sort(), `${name}: child ${i}`));
}

test("every catalogue entry builds a valid hypothesis; modifications carry no child, scrubs no modification (except head splits)", () => {
  assert.ok(cat.size > 2000, `only ${cat.size} experiments`);
  for (const e of cat.values()) {
    assert.ok(e.description.length > 10, `${e.name}: no description`);
    const { corr, modification } = e.build();
    assert.doesNotThrow(() => corr.resolve(cfg, modification?.splits ?? []), `${e.name} does not resolve`);
    if (modification?.splits) {
      assert.ok(corr.root.children.length > 0, `${e.name}: a head split alone changes nothing`);
    } else if (e.group === "modification") {
      assert.ok(modification, `${e.name}: no modification`);
      assert.equal(corr.root.children.length, 0, `${e.name}: a modification experiment scrubs nothing`);
    } else {
      assert.equal(modification, undefined, `${e.name}: unexpected modification`);
      assert.ok(corr.root.children.length > 0 || e.name === "unscrubbed", `${e.name}: no child`);
    }
  }
  for (const n of PRELIMINARY_EXPERIMENTS) assert.equal(getExperiment(cat, n).group, "preliminary");
});

test("pth-k-full claims pth-k's paths, 0.0's non-previous part, and only the pattern inputs of its previous part", () => {
  const { corr, modification } = getExperiment(cat, "pth-k-full").build();
  const { paths, claimed } = corr.resolve(cfg, modification!.splits!);
  const keys = new Set([...claimed.get(corr.root.children[0])!].map((i) => pathKey(paths[i])));
  assert.ok(keys.has("1.5.k"), "direct embedding → K");
  assert.ok(keys.has("1.6.k/0.3.v"), "another layer-0 head");
  assert.ok(keys.has("1.5.k/0.0[rest].v"), "0.0's non-previous part, value");
  assert.ok(keys.has("1.5.k/0.0[prev].q") && keys.has("1.5.k/0.0[prev].k"), "0.0's previous part, pattern inputs");
  assert.ok(!keys.has("1.5.k/0.0[prev].v"), "0.0's previous part keeps its values");
  assert.ok(!keys.has("1.5.v/0.0[prev].v") && !keys.has("1.5.q"), "only K");
});

test("preliminary experiments claim exactly the hand-derived paths", () => {
  const notPrev = [1, 2, 3, 4, 5, 6, 7];
  assertChildren("unscrubbed", []);
  assertChildren("ev", [set(into([5, 6], ["v"], L0, false))]);
  assertChildren("eq", [set(into([5, 6], ["q"], L0, false))]);
  assertChildren("pth-k", [set(into([5, 6], ["k"], notPrev, true))]);
  assertChildren("baseline", [set(into([5, 6], SL, L0, true))]);
  assertChildren("ev+", [set(into([5, 6], ["v"], [0, 4, 6, 7], false))]);
  assertChildren("eq+", [set(into([5, 6], ["q"], [0, 4, 6, 7], false))]);
  assertChildren("pth-k+", [set(into([5, 6], ["k"], [1, 2, 3, 4, 5, 7], true))]);
});

test("all is ev ∪ eq ∪ pth-k as ONE child (coherent)", () => {
  const [ev] = childKeys("ev");
  const [eq] = childKeys("eq");
  const [pthK] = childKeys("pth-k");
  const all = childKeys("all");
  assert.equal(all.length, 1);
  assert.deepEqual([...all[0]].sort(), [...ev, ...eq, ...pthK].sort());
});

test("decoherent variants give each head its own child", () => {
  assertChildren("ev+-decoherent", [0, 4, 6, 7].map((h) => set(into([5, 6], ["v"], [h], false))));
  // REPO's eq+-decoherent also scrubs the direct embedding, as its first child.
  assertChildren("eq+-decoherent", [set(into([5, 6], ["q"], [], true)), ...[0, 4, 6, 7].map((h) => set(into([5, 6], ["q"], [h], false)))]);
  assertChildren("scrub-0.2-decoherent", L0.map((j) => set(into([j], SL, [2], false))));
  assertChildren("baseline-decohered-by-child", ["v", "q", "k"].map((s) => set(into([5, 6], [s], L0, true))));
});

test("per-head scrubs: scrub-1.i, scrub-0.i (direct path and inside every layer-1 input), scrub-resid-0.i, scrub-1-0.i", () => {
  assertChildren("scrub-1.5", [set(into([5], SL, L0, true))]);
  assertChildren("scrub-0.0", [set(direct0([0]), into(L0, SL, [0], false))]);
  assertChildren("scrub-resid-0.3", [set(direct0([3]))]);
  assertChildren("scrub-1-0.4", [set(into(L0, SL, [4], false))]);
  assertChildren("resid-0", [set([""], direct0(L0))]);
  assertChildren("not-baseline-full", [set(into([0, 1, 2, 3, 4, 7], SL, L0, true), [""], direct0(L0))]);
  assertChildren("1.3-0.6", [set(into([3], SL, [6], false))]);
});

test("{q,k,v}-1.i-0.j family", () => {
  assertChildren("k-1.6-0.2", [set(into([6], ["k"], [2], false))]);
  assertChildren("q-1.1-0.2e", [set(into([1], ["q"], [2], true))]);
  assertChildren("v-1.5-0.1235e", [set(into([5], ["v"], [1, 2, 3, 5], true))]);
  assertChildren("v-1.5-0.1235e-split", [...[1, 2, 3, 5].map((h) => set(into([5], ["v"], [h], false))), set(into([5], ["v"], [], true))]);
  assertChildren("q-1.0-0.0647", [set(into([0], ["q"], [0, 6, 4, 7], false))]);
  assertChildren("k-1.7-emb", [set(into([7], ["k"], [], true))]);
  assertChildren("v-1.2-0", [set(into([2], ["v"], L0, false))]);
  // The later revisions' spelling is the same experiment.
  assert.deepEqual(childKeys("scrub-k-1.6-0.2"), childKeys("k-1.6-0.2"));
});

test("single-head K experiments: 1.i-pth-k+, 1.5-ek, 1.5-e46k", () => {
  assertChildren("1.5-pth-k+", [set(into([5], ["k"], [1, 2, 3, 4, 5, 7], true))]);
  assertChildren("1.6-pth-k+", [set(into([6], ["k"], [1, 2, 3, 4, 5, 7], true))]);
  assertChildren("1.5-ek", [set(into([5], ["k"], [0, 4, 6, 7], false))]);
  assertChildren("1.5-e46k", [set(into([5], ["k"], [0, 7], false))]);
  // REPO's loop leaves "all-1.6" as the naive hypothesis for 1.6 alone.
  assertChildren("all-1.6", [set(into([6], ["v"], L0, false), into([6], ["q"], L0, false), into([6], ["k"], [1, 2, 3, 4, 5, 6, 7], true))]);
  assert.equal(childKeys("all-1.6-ind").length, 22);
});

test("pattern modifications target 0.0's copies feeding the named heads and slots only", () => {
  const hop = (head: number, slot: "q" | "k" | "v") => [{ layer: 1, head, slot }];
  const all = getExperiment(cat, "real-0.0").build().modification!;
  assert.ok(all.pattern!(hop(3, "q"), 0, 0));
  assert.equal(all.pattern!([], 0, 0), null, "the direct path is untouched");
  assert.equal(all.pattern!(hop(3, "q"), 0, 1), null, "only 0.0");
  const one = getExperiment(cat, "1.5-diag-0.0").build().modification!;
  assert.ok(one.pattern!(hop(5, "v"), 0, 0));
  assert.equal(one.pattern!(hop(6, "v"), 0, 0), null);
  const slotOnly = getExperiment(cat, "k-1.5-zero-0.0").build().modification!;
  assert.ok(slotOnly.pattern!(hop(5, "k"), 0, 0));
  assert.equal(slotOnly.pattern!(hop(5, "q"), 0, 0), null);
  const pos20 = getExperiment(cat, "1.6-pos20-0.0").build().modification!.pattern!(hop(6, "k"), 0, 0)!;
  const m = tf.tidy(() => tf.reshape(pos20.apply!(tf.zeros([1, 1, 24, 24]) as tf.Tensor4D), [24, 24]));
  const a = m.arraySync() as number[][];
  m.dispose();
  assert.equal(a[3][20], 1);
  assert.equal(a[3][0], 0);
});

/** Layer `l`'s attention weight `name` of a tree. */
const attnW = (w: ParamTree, l: number, name: "W_Q" | "W_K") => w.blocks[l].attn[name];

/** Frees the tensors a modification made (those not in the model's own tree). */
function disposeMade(made: ParamTree, own: ParamTree): void {
  const mine = new Set(treeTensors(own));
  for (const t of treeTensors(made)) if (!mine.has(t)) t.dispose();
}

test("a swap across layers exchanges the two heads' rows and nothing else", () => {
  const other = HookedTransformer.random(cfg, 3);
  const before = tf.memory().numTensors;
  const mod = getExperiment(cat, "swap-q-0.1-1.2").build().modification!;
  const p = mod.params!(other.weights);
  const row = (l: number, h: number, w = other.weights) => (attnW(w, l, "W_Q").arraySync() as number[][][])[h];
  assert.deepEqual(row(0, 1, p), row(1, 2));
  assert.deepEqual(row(1, 2, p), row(0, 1));
  assert.deepEqual(row(0, 0, p), row(0, 0));
  assert.equal(attnW(p, 0, "W_K"), attnW(other.weights, 0, "W_K"));
  disposeMade(p, other.weights);
  assert.equal(tf.memory().numTensors, before);
  other.dispose();
});

test("a swap within a layer and a Q/K flip exchange the rows bit for bit and free what they made", () => {
  const other = HookedTransformer.random(cfg, 4);
  const before = tf.memory().numTensors;
  const bits = (l: number, name: "W_Q" | "W_K", h: number, w = other.weights) =>
    Array.from(new Uint32Array(new Float32Array((attnW(w, l, name).arraySync() as number[][][])[h].flat()).buffer));
  const swap = getExperiment(cat, "swap-k-1.3-1.6").build().modification!.params!(other.weights);
  assert.deepEqual(bits(1, "W_K", 3, swap), bits(1, "W_K", 6));
  assert.deepEqual(bits(1, "W_K", 6, swap), bits(1, "W_K", 3));
  assert.deepEqual(bits(1, "W_K", 5, swap), bits(1, "W_K", 5));
  assert.equal(attnW(swap, 1, "W_Q"), attnW(other.weights, 1, "W_Q"));
  const flip = getExperiment(cat, "transpose-02-nopos").build().modification!.params!(other.weights);
  assert.deepEqual(bits(0, "W_Q", 2, flip), bits(0, "W_K", 2));
  assert.deepEqual(bits(0, "W_K", 2, flip), bits(0, "W_Q", 2));
  assert.deepEqual(bits(0, "W_Q", 1, flip), bits(0, "W_Q", 1));
  for (const p of [swap, flip]) disposeMade(p, other.weights);
  assert.equal(tf.memory().numTensors, before);
  other.dispose();
});

test("roles from a model card generate the names: induction heads 1.2 and 1.7", () => {
  const card = { roles: { previousTokenHead: "0.3", inductionHeads: ["1.7", "1.2"], plusHeads: [3, 1], pthKPlusKept: [3], ekNarrowScrubbed: [1] } };
  const roles = parseHeadRoles(card.roles, cfg);
  assert.deepEqual(roles.inductionHeads, { layer: 1, heads: [2, 7] });
  assert.deepEqual(roles.previousTokenHead, { layer: 0, head: 3 });
  const mine = experimentCatalogue(cfg, roles);
  for (const n of ["scrub-1.2", "1.2-pth-k+", "1.7-pth-k+", "all-1.7", "1.2-e3k", "real-0.3", "1.7-pos1-0.3"]) assert.ok(mine.has(n), `missing ${n}`);
  assert.ok(!mine.has("1.5-pth-k+") && !mine.has("real-0.0"));
  assertChildren("1.7-pth-k+", [set(into([7], ["k"], [0, 1, 2, 4, 5, 6, 7], true))], mine);
  assertChildren("pth-k", [set(into([2, 7], ["k"], [0, 1, 2, 4, 5, 6, 7], true))], mine);
  assertChildren("ev+", [set(into([2, 7], ["v"], [1, 3], false))], mine);
  assert.throws(() => getExperiment(mine, "1.5-pth-k+"), /did you mean "1\.2-pth-k\+", "1\.7-pth-k\+"/);
  // The object form round-trips through JSON.
  assert.deepEqual(parseHeadRoles(JSON.parse(JSON.stringify(REDWOOD_ROLES)), cfg), REDWOOD_ROLES);
});

test("bad roles JSON: errors name the field", () => {
  const good = JSON.parse(JSON.stringify(REDWOOD_ROLES)) as Record<string, unknown>;
  const bad = (patch: Record<string, unknown>, re: RegExp) =>
    assert.throws(() => parseHeadRoles({ ...good, ...patch }, cfg), (e: Error) => e instanceof HeadRolesError && re.test(e.message), `expected ${re}`);
  assert.throws(() => parseHeadRoles([1, 2], cfg), /roles must be a JSON object/);
  bad({ inductonHeads: [] }, /roles\.inductonHeads: unknown field/);
  bad({ plusHeads: undefined }, /roles\.plusHeads is missing/);
  bad({ plusHeads: [0, 9] }, /roles\.plusHeads\[1\] must be a head 0\.\.7/);
  bad({ plusHeads: [0, 4, 4] }, /roles\.plusHeads lists head 4 twice/);
  bad({ pthKPlusKept: [6] }, /roles\.pthKPlusKept must include the previous-token head 0\.0/);
  bad({ ekNarrowScrubbed: [1] }, /roles\.ekNarrowScrubbed must be a subset of roles\.plusHeads/);
  bad({ inductionHeads: { layer: 2, heads: [5] } }, /roles\.inductionHeads\.layer must be a layer 0\.\.1/);
  bad({ inductionHeads: { layer: 0, heads: [5] } }, /roles\.inductionHeads\.layer is 0/);
  bad({ inductionHeads: { layer: 1, heads: [] } }, /roles\.inductionHeads\.heads is empty/);
  bad({ previousTokenHead: "0-0" }, /roles\.previousTokenHead must look like "layer\.head"/);
  bad({ previousTokenHead: { layer: 0 } }, /roles\.previousTokenHead\.head must be a head/);
  // Redwood's roles do not fit a model with 2 heads per layer.
  assert.throws(() => experimentCatalogue(TINY_ATTN_2L, REDWOOD_ROLES), /roles\.inductionHeads\.heads\[0\] must be a head 0\.\.1/);
  assert.throws(() => experimentCatalogue({ ...cfg, n_layers: 3 }, REDWOOD_ROLES), HypothesisError);
});

test("k-1.i-{pre-ln,post-ln,l0-out,l0h0-out}-proj-{d}d: every induction head and dimension, the residual side resampled", () => {
  for (const i of [5, 6]) for (const site of ["pre-ln", "post-ln", "l0-out", "l0h0-out"]) for (const d of [0, 7, cfg.d_model]) assert.ok(cat.has(`k-1.${i}-${site}-proj-${d}d`));
  assert.ok(!cat.has(`k-1.6-pre-ln-proj-${cfg.d_model + 1}d`));
  const keys = (name: string) => {
    const { corr, modification } = getExperiment(cat, name).build();
    const { paths, claimed } = corr.resolve(cfg, modification!.splits!);
    return [...claimed.get(corr.root.children[0])!].map((i) => pathKey(paths[i])).sort();
  };
  const residualSide = (rest: string[]) => rest.map((r) => `1.6.k[proj_residual]${r}`);
  assert.deepEqual(keys("k-1.6-post-ln-proj-3d"), residualSide(["", ...L0.flatMap((j) => SL.map((s) => `/0.${j}.${s}`))]).sort());
  assert.deepEqual(keys("k-1.6-l0-out-proj-3d"), L0.flatMap((j) => SL.map((s) => `1.6.k/0.${j}.${s}[proj_residual]`)).sort());
  assert.deepEqual(keys("k-1.5-l0h0-out-proj-0d"), SL.map((s) => `1.5.k/0.0.${s}[proj_residual]`).sort());
  const split = getExperiment(cat, "k-1.5-pre-ln-proj-9d").build().modification!.splits![0];
  assert.deepEqual(split, { kind: "subspace", layer: 1, head: 5, slot: "k", activation: { kind: "resid_pre" }, dim: 9, basis: null });
});

test("unknown experiment names suggest close ones", () => {
  const err = (name: string) => {
    try {
      getExperiment(cat, name);
    } catch (e) {
      assert.ok(e instanceof UnknownExperimentError);
      return e;
    }
    throw new Error(`"${name}" was found`);
  };
  assert.ok(err("evv").suggestions.includes("ev"));
  assert.ok(err("pthk+").suggestions.includes("pth-k+"));
  assert.match(err("scrub-1.9").message, /unknown experiment "scrub-1\.9"; did you mean .*"scrub-1\.[0-7]"/);
  assert.match(err("qqqqqqqqqqqqqqqqqqqqqq").message, /no name is close/);
});

test("experiments run end to end through runScrub and free every tensor", async () => {
  const before = tf.memory().numTensors;
  const run = async (name: string, sampler?: FixedSampler) => {
    const { corr, modification } = getExperiment(cat, name).build(sampler);
    return runScrub(model, ds, corr, { samples: 6, batchSize: 4, seed: 1, modification });
  };
  const plain = await run("unscrubbed");
  for (const name of ["ev+", "all", "1.5-diag-0.0", "swap-0.1-1.2", "transpose-16-nopos"]) {
    const res = await run(name);
    assert.deepEqual([...res.refRows], [...plain.refRows], `${name}: same reference rows`);
    assert.ok(res.loss.every(Number.isFinite), `${name}: non-finite loss`);
    assert.ok(res.loss.some((x, i) => Math.abs(x - plain.loss[i]) > 1e-4), `${name} changed nothing`);
  }
  // SAA: a Fixed root sampler holds one example for every sample.
  const saa = await run("pth-k+", new FixedSampler(4));
  assert.ok(saa.refRows.every((r) => r === 4));
  assert.equal(tf.memory().numTensors, before, "tensors leaked");
});
