#!/usr/bin/env node
/**
 * The `scrub` command: list the experiment catalogue, run experiments and print the seed's loss
 * tables, save SAA / attention data for many examples, and print % loss recovered.
 * Usage errors exit 2 with one line on stderr.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import _ from "lodash";
import { IscError, tf } from "@isc/core";
import { experimentCatalogue, formatRecoveredTable, PRELIMINARY_EXPERIMENTS, recoveredComparison } from "@isc/scrubbing";
import { type Bundle, defaultModelDir, type ExperimentRun, type FlagSpec, fmtTime, formatComparisonAs, formatTableAs, listRuns, loadBundle, loadRun, OUTPUT_FORMATS, type OutputFormat, parseOrHelp, resourceSummary, runExperiment, runMain, saveTarget, UsageError } from "@isc/node";

const format: FlagSpec = { type: "string", choices: OUTPUT_FORMATS, help: "seed (the seed notebook's print, default), table (headers, SE), json or csv" };

const common: Record<string, FlagSpec> = {
  model: { type: "string", help: "model bundle directory (default weights/default, or $SCRUB_MODEL)" },
  data: { type: "string", help: "evaluation rows (.u16/.u32 with a .json sidecar; default the bundle's eval.u16)" },
  seed: { type: "int", help: "seed of the reference sample and resamples (default 42)" },
  batch: { type: "int", min: 1, help: "rows per batch (default 32)" },
};

const commands: Record<string, { summary: string; flags: Record<string, FlagSpec>; run: (f: Record<string, any>) => Promise<void> }> = {
  list: {
    summary: "List the experiments of the catalogue for the model (names embed its head roles).",
    flags: { model: common.model },
    run: async (f) => {
      const b = await bundleFrom(f);
      const cat = experimentCatalogue(b.model.cfg, b.roles);
      for (const [g, es] of Object.entries(_.groupBy([...cat.values()], (e) => e.group))) {
        console.log(`${g}:\n${es.map((e) => `  ${e.name.padEnd(24)} ${e.description}`).join("\n")}\n`);
      }
      b.model.dispose();
    },
  },
  run: {
    summary: "Run one experiment and print its 9-category loss table in the seed's format.",
    flags: {
      exp: { type: "string", help: "experiment name (see `scrub list`)" },
      samples: { type: "int", min: 1, help: "number of reference rows (default 10000)" },
      idx: { type: "int", min: 0, help: "pin the root to this dataset row (FixedSampler): SAA mode" },
      attns: { type: "boolean", help: "also save the mean attention pattern of every head" },
      "attn-scores": { type: "boolean", help: "also save the mean pre-softmax attention scores" },
      save: { type: "string", help: "save the run as results/NAME (+ results/logs.csv); refuses an existing run" },
      force: { type: "boolean", help: "with --save: replace a run of that name" },
      results: { type: "string", help: "results directory (default ./results)" },
      format,
      ...common,
    },
    run: async (f) => {
      if (!f.exp) throw new UsageError("run needs --exp NAME (see `scrub list`)");
      // Checked before anything is computed: a bad target must not cost the run.
      const saveDir = f.save === undefined ? undefined : saveTarget(f.results ?? "results", f.save, { force: f.force });
      const b = await bundleFrom(f);
      announce(b, f.samples ?? 10000);
      const tensors = tf.memory().numTensors;
      const r = await runExperiment(b, f.exp, {
        samples: f.samples ?? 10000,
        seed: f.seed,
        idx: f.idx,
        attention: f["attn-scores"] ? "scores" : f.attns ? "pattern" : undefined,
        batchSize: f.batch,
        saveDir,
        progress: true,
      });
      process.stdout.write(formatTableAs(f.format ?? "seed", r.manifest, r.manifest.table));
      console.error(`${f.exp}: ${r.manifest.samples} samples in ${fmtTime(r.manifest.timings.total_s)}${saveDir ? `, saved to ${saveDir}` : ""} · ${resourceSummary(tensors)}`);
      b.model.dispose();
    },
  },
  "get-data": {
    summary: "For examples 0..ct-1, run each experiment with FixedSampler(i) and save {exp}_saa_{i} (or _attns_ / _attn_scores_).",
    flags: {
      exp: { type: "list", help: "experiment names" },
      ct: { type: "int", min: 1, help: "number of examples (0..ct-1)" },
      samples: { type: "int", min: 1, help: "resamples per example (default 1000)" },
      attns: { type: "boolean", help: "save mean attention patterns instead of SAA names" },
      "attn-scores": { type: "boolean", help: "save mean pre-softmax scores" },
      force: { type: "boolean", help: "replace runs of the same names" },
      results: { type: "string", help: "results directory (default ./results)" },
      ...common,
    },
    run: async (f) => {
      if (!f.exp || f.ct === undefined) throw new UsageError("get-data needs --exp E1 E2 ... and --ct K");
      const kind = f["attn-scores"] ? "attn_scores" : f.attns ? "attns" : "saa";
      const target = (e: string, i: number) => saveTarget(f.results ?? "results", `${e}_${kind}_${i}`, { force: f.force });
      for (let i = 0; i < f.ct; i++) for (const e of f.exp as string[]) target(e, i); // every target checked before any run
      const b = await bundleFrom(f);
      announce(b);
      const cat = experimentCatalogue(b.model.cfg, b.roles);
      for (const e of f.exp as string[]) if (!cat.has(e)) throw new UsageError(`unknown experiment "${e}" (see \`scrub list\`)`);
      if (f.ct > b.dataset.rows) throw new UsageError(`--ct ${f.ct} is more than the dataset's ${b.dataset.rows} rows`);
      for (let i = 0; i < f.ct; i++) {
        for (const e of f.exp as string[]) {
          const save = target(e, i);
          await runExperiment(b, e, {
            samples: f.samples ?? 1000,
            seed: f.seed,
            idx: i,
            attention: kind === "attn_scores" ? "scores" : kind === "attns" ? "pattern" : undefined,
            batchSize: f.batch,
            saveDir: save,
            progress: true,
          });
          console.error(`saved ${save}`);
        }
      }
      b.model.dispose();
    },
  },
  show: {
    summary: "Print a saved run's loss table again (any --format) from its files alone.",
    flags: { name: { type: "string", help: "the run's name (see `scrub ls`)" }, results: { type: "string", help: "results directory (default ./results)" }, format },
    run: async (f) => {
      if (!f.name) throw new UsageError("show needs --name NAME (see `scrub ls`)");
      const run = loadRun(path.join(f.results ?? "results", f.name));
      process.stdout.write(formatTableAs(f.format ?? "seed", run.manifest, run.manifest.table));
      const m = run.manifest;
      console.error(`${f.name}: ${m.experiment}, ${m.samples} samples × ${m.T} positions, seed ${m.seed}, ${m.sources?.length ?? 1} sources, saved ${m.created}`);
    },
  },
  ls: {
    summary: "List the saved runs of a results folder, oldest first.",
    flags: { results: { type: "string", help: "results directory (default ./results)" } },
    run: async (f) => {
      for (const { name, manifest: m } of listRuns(f.results ?? "results")) {
        console.log(`${name.padEnd(28)} ${m.experiment.padEnd(20)} ${String(m.samples).padStart(7)} samples  seed ${m.seed}  ${m.created}`);
      }
    },
  },
  recovered: {
    summary: "Print % loss recovered, (baseline − exp) / (baseline − unscrubbed), per category.",
    flags: { exps: { type: "list", help: "experiment names" }, samples: { type: "int", min: 1, help: "samples per experiment (default 10000)" }, format, ...common },
    run: async (f) => {
      if (!f.exps) throw new UsageError("recovered needs --exps E1 E2 ...");
      const b = await bundleFrom(f);
      announce(b, f.samples ?? 10000);
      await printTablesAndRecovered(b, f.exps, f.samples ?? 10000, f, false);
      b.model.dispose();
    },
  },
  preliminary: {
    summary: "The seed notebook's first cell: the nine preliminary experiments' tables, then % loss recovered.",
    flags: { samples: { type: "int", min: 1, help: "samples per experiment (default 10000, as the seed)" }, format, ...common },
    run: async (f) => {
      const b = await bundleFrom(f);
      announce(b, f.samples ?? 10000);
      await printTablesAndRecovered(b, [...PRELIMINARY_EXPERIMENTS], f.samples ?? 10000, f, true);
      b.model.dispose();
    },
  },
};

async function printTablesAndRecovered(b: Bundle, names: string[], samples: number, f: Record<string, any>, printTables: boolean) {
  const cat = experimentCatalogue(b.model.cfg, b.roles);
  for (const e of names) if (!cat.has(e)) throw new UsageError(`unknown experiment "${e}" (see \`scrub list\`)`);
  const format: OutputFormat = f.format ?? "seed";
  const all = _.uniq(["unscrubbed", "baseline", ...names]);
  const runs = new Map<string, ExperimentRun>();
  const t0 = performance.now();
  const tensors = tf.memory().numTensors;
  for (const e of printTables ? [...names, ...all] : all) {
    if (runs.has(e)) continue;
    if (printTables && names.includes(e) && format === "seed") console.log(`\n\nRunning experiment ${e}`);
    const r = await runExperiment(b, e, { samples, seed: f.seed, batchSize: f.batch, progress: true });
    if (printTables && names.includes(e) && (format === "seed" || format === "table")) process.stdout.write((format === "table" ? "\n" : "") + formatTableAs(format, r.manifest, r.manifest.table));
    runs.set(e, r);
  }
  const shown = _.without(names, "unscrubbed", "baseline");
  const [unscrubbed, baseline] = [runs.get("unscrubbed")!.result, runs.get("baseline")!.result];
  const comparisons = shown.map((e) => recoveredComparison(b.masks, { unscrubbed, baseline, exp: runs.get(e)!.result }, { reps: BOOTSTRAP_REPS }));
  const rec = comparisons.map((c) => c.values);
  const intervals = comparisons.map((c) => c.interval);
  if (format === "json" || format === "csv") {
    const recovered = shown.map((e, j) => ({ experiment: e, values: rec[j]!, interval: intervals[j]! }));
    process.stdout.write(formatComparisonAs(format, { samples, seed: f.seed ?? 42, runs: [...runs.values()].map((r) => r.manifest), recovered }));
  } else {
    if (format === "seed") {
      console.log(`\n% loss recovered, (baseline − exp) / (baseline − unscrubbed), ${samples} samples each:\n`);
      process.stdout.write(formatRecoveredTable(shown, rec));
    }
    console.log(`\n% loss recovered with 95 % intervals: bootstrap over the ${samples} reference rows (${BOOTSTRAP_REPS} resamples, seed 0):\n`);
    process.stdout.write(formatRecoveredTable(shown, rec, { intervals }));
  }
  console.error(`total ${fmtTime((performance.now() - t0) / 1000)} · ${resourceSummary(tensors)}`);
}

const BOOTSTRAP_REPS = 1000;

async function bundleFrom(f: Record<string, any>): Promise<Bundle> {
  try {
    return await loadBundle(f.model ?? defaultModelDir(), { data: f.data });
  } catch (e) {
    if (!(e instanceof IscError)) throw e;
    throw new UsageError(`cannot load model: ${e.message}`);
  }
}

/** Says what the run reads, and when the data file is small enough that reference rows will repeat. */
function announce(b: Bundle, samples?: number): void {
  if (samples !== undefined && samples > b.dataset.rows) {
    console.error(`[scrub] note: ${samples} samples from ${b.dataset.rows} rows: rows are drawn with replacement, so reference rows repeat (each about ${(samples / b.dataset.rows).toFixed(1)} times)`);
  }
  announceModel(b);
}

function announceModel(b: Bundle): void {
  const c = b.card;
  // A card may record acceptance checks (export-model writes them); the ones that failed are said up front.
  const checks = Array.isArray(c.acceptance) ? (c.acceptance as { pass?: unknown }[]) : [];
  const failed = checks.filter((a) => a.pass === false).length;
  console.error(
    `[scrub] model ${path.relative(process.cwd(), b.dir) || b.dir}` +
      (c.interim ? ` (INTERIM: partly trained, ${String(c.tokens_seen ?? "?")} tokens; results are not final)` : "") +
      (failed ? ` (${failed} of ${checks.length} acceptance checks fail: see its card.md)` : "") +
      `; data ${b.dataset.rows} rows × ${b.dataset.width}`,
  );
}

/** What the environment changes, for --help. */
const ENVIRONMENT = [
  ["SCRUB_MODEL=DIR", "the model bundle when --model is not given (default weights/default)"],
  ["SCRUB_BACKEND=NAME", "tensorflow, wasm or cpu instead of the fastest that loads"],
  ["SCRUB_NATIVE=0", "the wasm kernels instead of the native ones (same numbers to 1e-4, slower)"],
  ["SCRUB_THREADS=N", "threads of the native kernels (default one per CPU; results do not depend on it)"],
];

function helpText(): string {
  const list = (rows: string[][]) => rows.map(([n, what]) => `  ${n.padEnd(20)} ${what}`).join("\n");
  const cmds = Object.entries(commands).map(([n, c]) => [n, c.summary]);
  return `usage: scrub <command> [options]\n       scrub --version\n\ncommands:\n${list(cmds)}\n\nenvironment:\n${list(ENVIRONMENT)}\n\nRun \`scrub <command> --help\` for its options.`;
}

/** The version in the cli package's package.json (this file is dist/src/scrub.js). */
function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  return `scrub ${pkg.version}`;
}

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === "--version" || cmd === "-V") {
    console.log(version());
    return 0;
  }
  if (!cmd || cmd === "--help" || cmd === "-h" || cmd === "help") {
    console.log(helpText());
    return cmd ? 0 : 2;
  }
  const c = commands[cmd];
  if (!c) throw new UsageError(`unknown command "${cmd}" (commands: ${Object.keys(commands).join(", ")})`);
  const args = parseOrHelp(rest, { name: `scrub ${cmd}`, summary: c.summary, flags: c.flags });
  if (!args) return 0;
  await c.run(args.flags);
  return 0;
}

runMain("scrub", () => main(process.argv.slice(2)));
