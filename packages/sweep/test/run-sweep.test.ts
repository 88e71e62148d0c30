/** A sweep's shards, wherever and in whatever order they run, merge to the one-process runs bit for bit; a resumed sweep computes only what is missing. */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { before, test } from "node:test";
import { initBackend } from "@isc/core";
import { type Bundle, loadBundle, loadRun, runExperiment, saveTarget } from "@isc/node";
import { writeTinyBundle } from "@isc/node/testing";
import { type Executor, runOnLocalPool, runSweep, type SweepSpec } from "../src/index.js";
import { runShard } from "../src/run-shard.js";

let dir: string;
let bundle: Bundle;

before(async () => {
  await initBackend({ quiet: true });
  dir = await writeTinyBundle();
  bundle = await loadBundle(dir);
});

function spec(name: string, extra: Partial<SweepSpec> = {}): SweepSpec {
  return { name, experiments: ["ev", "eq"], examples: null, samples: 22, seed: 9, batchSize: 3, shardRows: 6, model: { sha256: bundle.modelSha256 }, data: { sha256: bundle.datasetSha256 }, ...extra };
}

/** Runs the shards here, last first (order must not matter); stops with an error after `limit` of them. */
function backwards(limit = Infinity): Executor & { ran: number } {
  const ex = Object.assign(
    async (s: SweepSpec, shards: readonly Parameters<Parameters<Executor>[2]>[0][], onResult: Parameters<Executor>[2]) => {
      for (const shard of [...shards].reverse()) {
        if (ex.ran === limit) throw new Error("interrupted");
        onResult(shard, await runShard(bundle, s, shard));
        ex.ran++;
      }
    },
    { ran: 0 },
  );
  return ex;
}

async function oneProcess(results: string, name: string, s: SweepSpec, idx?: number) {
  const r = await runExperiment(bundle, name, { samples: s.samples, seed: s.seed, batchSize: s.batchSize, idx, saveDir: saveTarget(results, `one.${name}${idx === undefined ? "" : `_${idx}`}`) });
  return r.result.loss;
}

test("shards run in reverse order merge to the one-process runs; an interrupted sweep resumes with only the missing shards", async () => {
  const results = mkdtempSync(path.join(os.tmpdir(), "sweep-"));
  const s = spec("sw");
  await assert.rejects(runSweep(bundle, s, { resultsDir: results, executor: backwards(5) }), /interrupted/);
  const resumed = backwards();
  const out = await runSweep(bundle, s, { resultsDir: results, executor: resumed });
  // 4 shards per run (22 rows by 6), run last first: eq was merged at its 4th shard, ev had 1 of its 4.
  assert.deepEqual([out.computed, out.reused, resumed.ran], [3, 1, 3]);
  for (const e of ["ev", "eq"]) {
    const run = loadRun(path.join(results, `sw.${e}`));
    assert.deepEqual(run.loss, await oneProcess(results, e, s));
    assert.deepEqual(run.sources, loadRun(path.join(results, `one.${e}`)).sources);
  }
  const again = await runSweep(bundle, s, { resultsDir: results, executor: backwards() });
  assert.deepEqual([again.computed, again.reused], [0, 0], "a finished sweep computes nothing");
  await assert.rejects(runSweep(bundle, spec("sw", { samples: 23 }), { resultsDir: results, executor: backwards() }), /sw\.sweep\.json is a different sweep \(samples was 22, now 23\)/);
});

test("the local pool of worker processes gives the same bits, SAA examples included", async () => {
  const results = mkdtempSync(path.join(os.tmpdir(), "sweep-pool-"));
  const s = spec("pool", { experiments: ["ev"], examples: [1, 2] });
  const out = await runSweep(bundle, s, { resultsDir: results, executor: (sp, shards, onResult) => runOnLocalPool(sp, shards, { workers: 2, modelDir: dir }, onResult) });
  assert.deepEqual(out.runs.map((r) => path.basename(r)), ["pool.ev_saa_1", "pool.ev_saa_2"]);
  for (const i of [1, 2]) {
    const run = loadRun(path.join(results, `pool.ev_saa_${i}`));
    assert.equal(run.manifest.idx, i);
    assert.deepEqual(run.loss, await oneProcess(results, "ev", s, i));
  }
  assert.match(readFileSync(path.join(results, "logs.csv"), "utf8"), /^ev,/m);
});
