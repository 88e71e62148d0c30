/**
 * The playground's engine against the CLI on the same bundle: a catalogue experiment gives the CLI's
 * table to the last bit (same code path, same backend), a builder hypothesis written like `ev` gives
 * `ev`'s table, preliminary, SAA and cancel behave, and the export buttons' files spell everything
 * as `scrub recovered --format json|csv` does (the same field names and values).
 */
import assert from "node:assert/strict";
import { before, test } from "node:test";
import { dirSource, initBackend, tf, UsageError } from "@isc/core";
import { loadBundleFrom, recoveredComparison, type SourcedBundle } from "@isc/scrubbing";
import { formatComparisonAs, loadBundle, runExperiment } from "@isc/node";
import { writeTinyBundle } from "@isc/node/testing";
import { ScrubEngine } from "../src/engine.js";
import { exportCsv, exportJson, exportName } from "../src/export.js";
import type { HypothesisSpec } from "../src/hypothesis-spec.js";
import type { ExperimentOutcome } from "../src/protocol.js";

let dir: string;
let bundle: SourcedBundle;
const settings = { samples: 6, seed: 3, batchSize: 4 };

before(async () => {
  await initBackend({ quiet: true });
  dir = await writeTinyBundle({ rows: 40, tokensBelow: 40 });
  bundle = await loadBundleFrom(dirSource(dir));
});

/** The page's single run of `name`, and the CLI's runExperiment of unscrubbed, baseline and `name` with % recovered as `scrub recovered` computes it. */
async function pageAndCli(name: string, backend = "test") {
  const res = await new ScrubEngine(bundle, backend).run({ kind: "single", target: { kind: "experiment", name }, settings, attention: false });
  assert.ok(res.kind === "single");
  const cli = await loadBundle(dir);
  const run = (e: string) => runExperiment(cli, e, { samples: settings.samples, seed: settings.seed, batchSize: settings.batchSize });
  const [u, b, exp] = [await run("unscrubbed"), await run("baseline"), await run(name)];
  const recovered = recoveredComparison(cli.masks, { unscrubbed: u.result, baseline: b.result, exp: exp.result });
  cli.model.dispose();
  return { res: res as Extract<typeof res, { kind: "single" }>, u, b, exp, recovered };
}

test("a catalogue experiment's table equals the CLI's runExperiment table exactly, and % recovered has its references", async () => {
  const engine = new ScrubEngine(bundle, "test");
  const res = await engine.run({ kind: "single", target: { kind: "experiment", name: "ev" }, settings, attention: true });
  assert.equal(res.kind, "single");
  if (res.kind !== "single") return;
  const cli = await loadBundle(dir);
  for (const name of ["ev", "unscrubbed", "baseline"]) {
    const run = await runExperiment(cli, name, { samples: settings.samples, seed: settings.seed, batchSize: settings.batchSize });
    const mine: ExperimentOutcome = name === "ev" ? res.run : name === "unscrubbed" ? res.unscrubbed : res.baseline;
    assert.deepEqual(
      mine.table.map((r) => [r.label, r.mean, r.variance, r.count]),
      run.table.map((r) => [r.label, r.mean, r.variance, r.count]),
      name,
    );
  }
  cli.model.dispose();
  assert.equal(res.attention!.heads.length, 16);
  assert.equal(res.attention!.data.length, 16 * 20 * 20);
});

test("% recovered comes with the CLI's 95 % interval, and every mean with the CLI's standard error", async () => {
  const { res, u, exp: eq, recovered: expected } = await pageAndCli("eq");
  assert.deepEqual(res.run.table.map((r) => r.se), eq.manifest.table.map((r) => r.se));
  assert.deepEqual(res.unscrubbed.table.map((r) => r.se), u.manifest.table.map((r) => r.se));
  assert.equal(res.recovered.name, "eq");
  assert.deepEqual({ values: res.recovered.values, interval: res.recovered.interval }, expected);
});

test("a builder hypothesis written as ev's matcher gives ev's table; a bad one is a HypothesisError before any compute", async () => {
  const engine = new ScrubEngine(bundle, "test");
  const all = [0, 1, 2, 3, 4, 5, 6, 7];
  const spec: HypothesisSpec = {
    nodes: [{ name: "0", sampler: "uncond", rules: [{ kind: "into", hop: { layer: 1, heads: [5, 6], slots: ["v"] }, from: { layer: 0, heads: all, slots: ["q", "k", "v"] } }] }],
  };
  const a = await engine.run({ kind: "single", target: { kind: "hypothesis", name: "mine", spec }, settings, attention: false });
  const b = await engine.run({ kind: "single", target: { kind: "experiment", name: "ev" }, settings, attention: false });
  assert.ok(a.kind === "single" && b.kind === "single");
  if (a.kind !== "single" || b.kind !== "single") return;
  assert.deepEqual(a.run.table, b.run.table);
  const bad: HypothesisSpec = {
    nodes: [
      { name: "x", sampler: "uncond", rules: [{ kind: "through", hop: { layer: 1, heads: [5], slots: ["v"] } }] },
      { name: "y", sampler: "uncond", rules: [{ kind: "into", hop: { layer: 1, heads: [5], slots: ["v", "k"] }, from: "any" }] },
    ],
  };
  const before = tf.memory().numTensors;
  await assert.rejects(
    engine.run({ kind: "single", target: { kind: "hypothesis", name: "bad", spec: bad }, settings, attention: false }),
    (e: Error) => e.name === "HypothesisError" && /siblings "x" and "y" both match/.test(e.message),
  );
  assert.equal(tf.memory().numTensors, before);
  await assert.rejects(engine.run({ kind: "single", target: { kind: "experiment", name: "evv" }, settings, attention: false }), /unknown experiment "evv"; did you mean "ev"/);
  await assert.rejects(engine.run({ kind: "preliminary", settings: { ...settings, samples: 0 } }), (e: Error) => e instanceof UsageError && /samples must be an integer/.test(e.message));
});

test("preliminary runs the nine experiments once each (references reused); SAA gives T+1 values for the row", async () => {
  const engine = new ScrubEngine(bundle, "test");
  const steps: string[] = [];
  const p = await engine.run({ kind: "preliminary", settings }, { onProgress: (label, done, total) => done === total && steps.push(label) });
  assert.ok(p.kind === "preliminary");
  if (p.kind !== "preliminary") return;
  assert.deepEqual(p.runs.map((r) => r.name), ["unscrubbed", "ev", "pth-k", "eq", "all", "baseline", "ev+", "pth-k+", "eq+"]);
  assert.deepEqual(steps, p.runs.map((r) => r.name));
  assert.deepEqual(p.recovered.map((r) => r.name), ["ev", "pth-k", "eq", "all", "ev+", "pth-k+", "eq+"]);
  assert.ok(p.recovered.every((r) => r.values.length === 9 && r.interval.lo.length === 9 && r.interval.gapUnclear.length === 9));
  const s = await engine.run({ kind: "saa", target: { kind: "experiment", name: "all" }, base: "unscrubbed", idx: 7, settings: { ...settings, samples: 3 } });
  assert.ok(s.kind === "saa");
  if (s.kind !== "saa") return;
  assert.equal(s.values.length, 21);
  assert.equal(s.values[0], 0);
  assert.deepEqual(s.row, Array.from(bundle.dataset.row(7)));
  await assert.rejects(engine.run({ kind: "saa", target: { kind: "experiment", name: "all" }, base: "unscrubbed", idx: 40, settings }), /row 40 is outside \[0, 40\)/);
});

test("an aborted job rejects with AbortError and leaks no tensor", async () => {
  const engine = new ScrubEngine(bundle, "test");
  const before = tf.memory().numTensors;
  const c = new AbortController();
  await assert.rejects(
    engine.run(
      { kind: "single", target: { kind: "experiment", name: "all" }, settings: { samples: 12, seed: 9, batchSize: 2 }, attention: true },
      { signal: c.signal, onProgress: (_l, done, _t, step) => step === 3 && done >= 2 && c.abort(Object.assign(new Error("stop"), { name: "AbortError" })) },
    ),
    (e: Error) => e.name === "AbortError",
  );
  assert.equal(tf.memory().numTensors, before);
});

test("the exported JSON and CSV hold what the CLI's `recovered --format json|csv` holds, with the same names, plus what ran", async () => {
  const { res, u, b, exp: ev, recovered } = await pageAndCli("ev", "wasm (test)");
  const comparison = { samples: settings.samples, seed: settings.seed, runs: [u.manifest, b.manifest, ev.manifest], recovered: [{ experiment: "ev", ...recovered }] };
  const info = { model: { name: "tiny", interim: false, cfg: bundle.model.cfg, card: {} }, dataset: { name: "eval.u16", rows: 40, width: 21, sha256: "x", meta: {} } };
  const mine = JSON.parse(exportJson(res, info)) as Record<string, unknown>;
  const theirs = JSON.parse(formatComparisonAs("json", comparison)) as Record<string, unknown>;
  for (const key of Object.keys(theirs)) assert.deepEqual(mine[key], theirs[key], key);
  assert.deepEqual(mine.hypothesis, { kind: "experiment", name: "ev", description: res.run.description });
  assert.equal(mine.backend, "wasm (test)");
  assert.deepEqual(mine.model, { name: "tiny", interim: false });
  const csv = exportCsv(res);
  assert.equal(csv, formatComparisonAs("csv", comparison));
  assert.equal(csv.split("\n")[0], "experiment,category,mean,se,variance,count,recovered,lo,hi,gap_unclear");
  assert.equal(csv.trimEnd().split("\n").length, 1 + 3 * 9, "one row per experiment × category");
  assert.equal(exportName(res, "csv"), "scrub-ev-6-samples-seed-3.csv");
});
