/**
 * Subspace splits (docs/semantics.md §5.5) on the tiny model: which paths they double, the two exact
 * limits (both sides on one row: the unsplit model bit for bit; an empty basis: the whole activation
 * scrubbed, bit for bit), the full basis (the unsplit model up to rounding), and one intermediate
 * dimension re-derived by hand through the model's hooks for each of the four activations.
 */
import assert from "node:assert/strict";
import { before, test } from "node:test";
import { type HookedTransformer, Rng, tf } from "@isc/core";
import {
  type Basis,
  chain,
  Correspondence,
  enumeratePaths,
  HypothesisError,
  InterpNode,
  type Matcher,
  pathKey,
  runScrub,
  type ScrubResult,
  type SplitActivation,
  splitWithProjection,
  subspacePart,
  TokenDataset,
  UncondSampler,
  withBases,
} from "../src/index.js";
import { cfg, tinySetup } from "./tiny-setup.js";

let model: HookedTransformer;
let ds: TokenDataset;
before(async () => {
  ({ model, ds } = await tinySetup());
});

const D = cfg.d_model;
const INTO = { layer: 1, head: 1, slot: "k" as const };
const KINDS: Record<string, SplitActivation> = {
  "pre-ln": { kind: "resid_pre" },
  "post-ln": { kind: "normalized" },
  "l0-out": { kind: "heads", layer: 0, heads: [0, 1] },
  "l0h0-out": { kind: "heads", layer: 0, heads: [0] },
};

/** A random orthonormal basis of R^D (Gram–Schmidt in float64), rows in a fixed random order. */
function randomBasis(seed: number): Basis {
  const r = new Rng(seed);
  const rows: Float64Array[] = [];
  while (rows.length < D) {
    const v = Float64Array.from({ length: D }, () => r.normal());
    for (const u of rows) {
      const dot = u.reduce((s, x, i) => s + x * v[i], 0);
      for (let i = 0; i < D; i++) v[i] -= dot * u[i];
    }
    const norm = Math.hypot(...v);
    rows.push(v.map((x) => x / norm));
  }
  const vectors = new Float32Array(D * D);
  rows.forEach((u, i) => vectors.set(u, i * D));
  return { d: D, k: D, vectors, source: `random basis ${seed}` };
}
const BASIS = randomBasis(3);

function split(kind: string, dim: number) {
  return withBases(splitWithProjection(INTO, KINDS[kind], dim), () => BASIS);
}

/** Root (Exact) plus, when given, one Uncond child claiming `m`. */
function hypothesis(m?: Matcher): Correspondence {
  const root = new InterpNode("logits");
  const corr = new Correspondence(root);
  if (m) corr.addChild(root, "0", m, new UncondSampler());
  return corr;
}

const run = (corr: Correspondence, modification?: ReturnType<typeof split>) => runScrub(model, ds, corr, { samples: 6, batchSize: 4, modification });

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

test("a split doubles exactly the paths through the split activation, tagged on the hop named in subspace-paths.ts", () => {
  const plain = enumeratePaths(cfg).length; // 1 + 6 + 6·7
  const keys = (kind: string) => enumeratePaths(cfg, split(kind, 4).splits).map(pathKey);
  assert.equal(plain, 49);
  assert.equal(keys("pre-ln").length, plain + 7, "1.1.k alone and its 6 paths through layer 0");
  assert.ok(keys("post-ln").includes("1.1.k[proj_residual]") && keys("post-ln").includes("1.1.k[proj_target]/0.0.v"));
  assert.equal(keys("l0-out").length, plain + 6, "the direct embedding into 1.1.k is not part of layer 0's output");
  assert.ok(keys("l0-out").includes("1.1.k/0.1.q[proj_target]") && keys("l0-out").includes("1.1.k"));
  assert.deepEqual(
    keys("l0h0-out").filter((k) => k.includes("[")),
    ["q", "k", "v"].flatMap((s) => [`1.1.k/0.0.${s}[proj_target]`, `1.1.k/0.0.${s}[proj_residual]`]),
  );
  const m = subspacePart("proj_residual");
  assert.equal(enumeratePaths(cfg, split("pre-ln", 4).splits).filter((p) => m.test(p)).length, 7);
  const narrow = chain({ layer: 1, heads: [1], slots: ["k"] }, { layer: 0, heads: [0], subspaces: ["proj_residual"] });
  assert.equal(enumeratePaths(cfg, split("l0h0-out", 4).splits).filter((p) => narrow.test(p)).length, 3);
});

test("both sides on the same rows compute the unsplit model bit for bit, at any dimension", async () => {
  const before = tf.memory().numTensors;
  const plain = await run(hypothesis());
  for (const kind of Object.keys(KINDS)) {
    for (const dim of [0, 5, D]) {
      const r = await run(hypothesis(), split(kind, dim));
      assert.equal(maxDiff(r.loss, plain.loss), 0, `${kind} ${dim}d`);
    }
  }
  assert.equal(tf.memory().numTensors, before, "leaked tensors");
});

test("the full basis with the residual resampled is the unsplit model up to rounding", async () => {
  const plain = await run(hypothesis());
  for (const kind of Object.keys(KINDS)) {
    const r = await run(hypothesis(subspacePart("proj_residual")), split(kind, D));
    assert.ok(r.assignment.sources[1].some((row, i) => row !== r.refRows[i]), "the residual must see other rows");
    assert.ok(maxDiff(r.loss, plain.loss) < 1e-4, `${kind}: ${maxDiff(r.loss, plain.loss)}`);
  }
});

test("an empty basis with the residual resampled is the whole activation scrubbed, bit for bit", async () => {
  const k = { layer: 1, heads: [1], slots: ["k" as const] };
  const same: Record<string, Matcher> = { "pre-ln": chain(k), "post-ln": chain(k), "l0-out": chain(k, { layer: 0 }), "l0h0-out": chain(k, { layer: 0, heads: [0] }) };
  for (const kind of Object.keys(KINDS)) {
    const r = await run(hypothesis(subspacePart("proj_residual")), split(kind, 0));
    const whole = await run(hypothesis(same[kind]));
    assert.deepEqual([...r.assignment.sources[1]], [...whole.assignment.sources[1]]);
    assert.equal(maxDiff(r.loss, whole.loss), 0, kind);
    assert.ok(maxDiff(r.loss, (await run(hypothesis())).loss) > 1e-3, `${kind}: scrubbing must change something`);
  }
});

test("a split refuses to run without a basis, with a short one, or twice on one input", async () => {
  const bare = splitWithProjection(INTO, KINDS["pre-ln"], 3);
  await assert.rejects(run(hypothesis(), bare), (e: unknown) => e instanceof HypothesisError && /has no basis/.test((e as Error).message));
  const short = withBases(splitWithProjection(INTO, KINDS["pre-ln"], 3), () => ({ ...BASIS, k: 2, vectors: BASIS.vectors.slice(0, 2 * D) }));
  await assert.rejects(run(hypothesis(), short), /keeps 3 directions but the basis \(random basis 3\) has only 2/);
  const twice = { name: "twice", splits: [...split("pre-ln", 2).splits!, ...split("post-ln", 2).splits!] };
  assert.throws(() => enumeratePaths(cfg, twice.splits), /that input is split twice/);
  assert.throws(() => enumeratePaths(cfg, splitWithProjection(INTO, { kind: "heads", layer: 1, heads: [0] }, 1).splits), /outputs of layers 0\.\.0/);
});

// By hand: rows x (reference) and x' (the child's), activations read from the model's caches, the
// projection in float64, and the mixed activation written into head 1.1's K input through hooks.

/** t, r [N·D] -> r + P(t − r) with P the first `dim` rows of BASIS, in float64. */
function mixByHand(t: Float32Array, r: Float32Array, dim: number): Float32Array {
  const out = new Float32Array(r.length);
  for (let n = 0; n < r.length / D; n++) {
    const mixed = Float64Array.from(r.subarray(n * D, (n + 1) * D));
    for (let i = 0; i < dim; i++) {
      let c = 0;
      for (let j = 0; j < D; j++) c += BASIS.vectors[i * D + j] * (t[n * D + j] - r[n * D + j]);
      for (let j = 0; j < D; j++) mixed[j] += c * BASIS.vectors[i * D + j];
    }
    out.set(mixed, n * D);
  }
  return out;
}

async function cached(rows: Int32Array, names: string[]): Promise<Map<string, Float32Array>> {
  const c = model.runWithCache({ data: ds.gather(rows), batch: rows.length, width: ds.width }, { namesFilter: names });
  const out = new Map<string, Float32Array>();
  for (const n of names) out.set(n, (await c.cache.get(n).data()) as Float32Array);
  c.nll.dispose();
  c.cache.dispose();
  return out;
}

/** Per-token NLL on the reference rows with one head's slice of `hook` ([B, T, H, X]) replaced by `value` [B, T, X]. */
async function withHeadInput(rows: Int32Array, hook: string, value: Float32Array): Promise<Float32Array> {
  const r = model.runWithHooks({ data: ds.gather(rows), batch: rows.length, width: ds.width }, {
    [hook]: (a) => {
      const [B, T, H, X] = a.shape;
      const sel = tf.reshape(tf.oneHot([INTO.head], H), [1, 1, H, 1]);
      return tf.add(tf.mul(a, tf.sub(1, sel)), tf.mul(tf.reshape(tf.tensor(value), [B, T, 1, X]), sel));
    },
  });
  const out = (await r.nll.data()) as Float32Array;
  r.nll.dispose();
  return out;
}

/** The mixed pre-LN residual feeding 1.1's K input, for the three splits made before the LayerNorm. */
async function residualByHand(kind: string, x: Int32Array, xs: Int32Array, dim: number): Promise<Float32Array> {
  const [resid, out0, heads0] = ["blocks.1.hook_resid_pre", "blocks.0.hook_attn_out", "blocks.0.attn.hook_result"];
  const mine = await cached(x, [resid, out0, heads0]);
  const theirs = await cached(xs, [resid, out0, heads0]);
  if (kind === "pre-ln") return mixByHand(mine.get(resid)!, theirs.get(resid)!, dim);
  // Layer 0's output (all heads, or head 0 alone) on x' in place of x's, the rest of the residual x's own.
  const part = (m: Map<string, Float32Array>) => (kind === "l0-out" ? m.get(out0)! : head0(m.get(heads0)!));
  const [a1, a2] = [part(mine), part(theirs)];
  const mixed = mixByHand(a1, a2, dim);
  return mine.get(resid)!.map((v, i) => v - a1[i] + mixed[i]);
}

/** Head 0's term [B·T·D] of a [B, T, H, D] hook_result. */
function head0(result: Float32Array): Float32Array {
  const H = cfg.n_heads;
  const out = new Float32Array(result.length / H);
  for (let n = 0; n < out.length / D; n++) out.set(result.subarray((n * H + 0) * D, (n * H + 1) * D), n * D);
  return out;
}

/** 1.1's K vectors [B·T·C] from the mixed LayerNorm outputs: (n + P) W_K[1]. */
async function keysByHand(x: Int32Array, xs: Int32Array, dim: number): Promise<Float32Array> {
  const n = "blocks.1.ln1.hook_normalized";
  const mixed = mixByHand((await cached(x, [n])).get(n)!, (await cached(xs, [n])).get(n)!, dim);
  const T = cfg.n_ctx;
  const k = tf.tidy(() => {
    const pos = tf.slice(model.weights.pos_embed.W_pos, [0, 0], [T, D]);
    const inp = tf.add(tf.reshape(tf.tensor(mixed), [x.length, T, D]), pos);
    const W = tf.squeeze(tf.slice(model.weights.blocks[1].attn.W_K, [INTO.head, 0, 0], [1, D, cfg.d_head]), [0]);
    return tf.matMul(tf.reshape(inp, [x.length * T, D]), W);
  });
  const out = (await k.data()) as Float32Array;
  k.dispose();
  return out;
}

test("an intermediate dimension equals the split made by hand through hooks, for each activation", async () => {
  const before = tf.memory().numTensors;
  for (const kind of Object.keys(KINDS)) {
    const r: ScrubResult = await run(hypothesis(subspacePart("proj_residual")), split(kind, 5));
    const [x, xs] = [r.refRows, r.assignment.sources[1]];
    const expected =
      kind === "post-ln" ? await withHeadInput(x, "blocks.1.attn.hook_k", await keysByHand(x, xs, 5)) : await withHeadInput(x, "blocks.1.hook_k_input", await residualByHand(kind, x, xs, 5));
    assert.ok(maxDiff(r.loss, expected) < 1e-4, `${kind}: ${maxDiff(r.loss, expected)}`);
    const [none, all] = [await run(hypothesis(subspacePart("proj_residual")), split(kind, 0)), await run(hypothesis())];
    assert.ok(maxDiff(r.loss, none.loss) > 1e-4 && maxDiff(r.loss, all.loss) > 1e-4, `${kind}: 5 of ${D} directions is neither limit`);
  }
  assert.equal(tf.memory().numTensors, before, "leaked tensors");
});
