/** The two stages of a scrub: what `prepareScrub` decides before any tensor exists, and `evaluate` running it. */
import assert from "node:assert/strict";
import { before, test } from "node:test";
import { type HookedTransformer, tf } from "@isc/core";
import { chain, Correspondence, evaluate, InterpNode, prepareScrub, runScrub, type TokenDataset, UncondSampler } from "../src/index.js";
import { tinySetup } from "./tiny-setup.js";

let model: HookedTransformer;
let ds: TokenDataset;

before(async () => {
  ({ model, ds } = await tinySetup());
});

/** The root alone, or with a child resampling layer 0 → V of head 1.1. */
function hypothesis(scrubV: boolean): Correspondence {
  const root = new InterpNode("logits");
  const corr = new Correspondence(root);
  if (scrubV) corr.addChild(root, "v", chain({ layer: 1, heads: [1], slots: ["v"] }, { layer: 0 }), new UncondSampler());
  return corr;
}

test("prepareScrub samples rows, assigns paths and plans without making a tensor", () => {
  const before = tf.memory().numTensors;
  const plain = prepareScrub(model, ds, hypothesis(false), { samples: 6, seed: 3 });
  const scrubbed = prepareScrub(model, ds, hypothesis(true), { samples: 6, seed: 3 });
  assert.equal(tf.memory().numTensors, before);
  assert.deepEqual(plain.refRows, scrubbed.refRows, "the reference rows come first from the same seed");
  assert.deepEqual(plain.assignment.sourceNames, ["logits"]);
  assert.deepEqual(scrubbed.assignment.sourceNames, ["logits (other inputs)", "v"]);
  // Unscrubbed, every copy of a layer is the same computation: residuals entering layer 0, layer 1 and
  // the unembedding; one group per layer, all heads in it.
  assert.deepEqual(plain.plan.summary(), { residuals: 3, groupsPerLayer: [1, 1], headsPerLayer: [2, 2] });
  // Head 1.1's V reads the reference embedding plus layer-0 heads that saw the child's rows: two more
  // residuals (the child's embedding, 1.1's V input), one more layer-0 group, and 1.1 apart from 1.0.
  assert.deepEqual(scrubbed.plan.summary(), { residuals: 5, groupsPerLayer: [2, 2], headsPerLayer: [4, 2] });
  const vPaths = scrubbed.assignment.paths.filter((_, i) => scrubbed.assignment.sourceOf[i] === 1);
  assert.ok(vPaths.length > 0 && vPaths.every((p) => p[0].layer === 1 && p[0].head === 1 && p[0].slot === "v" && p.length === 2));
});

test("evaluate runs a prepared scrub exactly as runScrub does, whatever the batch size", async () => {
  const prepared = prepareScrub(model, ds, hypothesis(true), { samples: 7, seed: 5 });
  const before = tf.memory().numTensors;
  const a = await evaluate(prepared, { batchSize: 3 });
  const b = await runScrub(model, ds, hypothesis(true), { samples: 7, seed: 5, batchSize: 7 });
  assert.equal(tf.memory().numTensors, before);
  assert.deepEqual(a.loss, b.loss);
  assert.deepEqual(a.refRows, b.refRows);
});

test("shards of rows aligned to the batches give the whole run's losses bit for bit", async () => {
  const before = tf.memory().numTensors;
  const prepared = prepareScrub(model, ds, hypothesis(true), { samples: 11, seed: 5 });
  const whole = await evaluate(prepared, { batchSize: 3 });
  const parts: Awaited<ReturnType<typeof evaluate>>[] = [];
  for (const [start, end] of [[6, 11], [0, 3], [3, 6]] as const) parts[start] = await evaluate(prepared, { batchSize: 3, rows: { start, end } });
  const merged = Float32Array.from([0, 3, 6].flatMap((s) => [...parts[s]!.loss]));
  assert.deepEqual(merged, whole.loss);
  assert.deepEqual(parts[6]!.refRows, whole.refRows.subarray(6));
  assert.equal(parts[6]!.samples, 5);
  await assert.rejects(evaluate(prepared, { batchSize: 3, rows: { start: 4, end: 8 } }), /rows start at 4, not a multiple of the batch size 3/);
  await assert.rejects(evaluate(prepared, { batchSize: 3, rows: { start: 0, end: 12 } }), /not a range inside the 11 samples/);
  assert.equal(tf.memory().numTensors, before);
});
