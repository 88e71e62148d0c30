#!/usr/bin/env node
/**
 * The `scrub` command: list the experiment catalogue, run experiments and print the seed's loss
 * tables, save SAA / attention data for many examples, and print % loss recovered.
 * Usage errors exit 2 with one line on stderr.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import _ from "lodash";
import { FormatError, IscError, tf } from "@isc/core";
import { checkRedis, type Executor, queueExecutor, runOnLocalPool, runQueueWorker, runSweep, shardRowsFor } from "@isc/sweep";
import { experimentCatalogue, formatRecoveredTable, PRELIMINARY_EXPERIMENTS, recoveredComparison, siteKey } from "@isc/scrubbing";
import { type Bundle, basisFile, catalogueSites, checkRunFits, computeBases, type Comparison, COMPARISON_SUFFIX, comparisonTarget, defaultModelDir, type ExperimentRun, type FlagSpec, fmtTime, formatComparisonAs, formatTableAs, listRuns, loadBundle, loadRun, OUTPUT_FORMATS, type OutputFormat, parseComparison, parseOrHelp, ProgressBar, recheckRun, resourceSummary, runExperiment, runMain, saveTarget, UsageError, writeAtomic } from "@isc/node";

const format: FlagSpec = { type: "string", choices: OUTPUT_FORMATS, help: "seed (the seed notebook's print, default), table (headers, SE), json or csv" };

const common: Record<string, FlagSpec> = {
  model: { type: "string", help: "model bundle directory (default weights/default, or $SCRUB_MODEL)" },
  data: { type: "string", help: "evaluation rows (.u16/.u32 with a .json sidecar; default the bundle's eval.u16)" },
  seed: { type: "int", help: "seed of the reference sample and resamples (default 42)" },
  batch: { type: "int", min: 1, help: "rows per batch (default 32)" },
};

/** --save on a comparison: every run as results/NAME.<experiment>, the comparison as results/NAME.recovered.json. */
const saving: Record<string, FlagSpec> = {
  save: { type: "string", help: "save each run as results/NAME.<experiment> and the comparison as results/NAME.recovered.json; refuses existing ones" },
  force: { type: "boolean", help: "with --save: replace runs and a comparison of those names" },
  results: { type: "string", help: "results directory (default ./results)" },
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
      basis: { type: "string", help: "for k-…-proj-{d}d: a safetensors file with an orthonormal \"basis\" [k, d_model] instead of the model's PCA (see `scrub pca`)" },
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
        basis: f.basis,
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
      const b = await bundleFrom(f);
      announce(b);
      const cat = experimentCatalogue(b.model.cfg, b.roles);
      for (const e of f.exp as string[]) if (!cat.has(e)) throw new UsageError(`unknown experiment "${e}" (see \`scrub list\`)`);
      if (f.ct > b.dataset.rows) throw new UsageError(`--ct ${f.ct} is more than the dataset's ${b.dataset.rows} rows`);
      for (let i = 0; i < f.ct; i++) for (const e of f.exp as string[]) target(e, i); // every target checked before any run
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
  sweep: {
    summary: "Run many experiments (or examples) as shards on every core here, or on `scrub worker`s via Redis; resumable, merged into ordinary saved runs.",
    flags: {
      exps: { type: "list", help: "experiment names or globs, e.g. 'positional-*' (quote them)" },
      examples: { type: "string", help: "SAA mode: fixed examples A..B (inclusive), each run as NAME.<exp>_saa_<i>" },
      samples: { type: "int", min: 1, help: "samples per run (default 10000; 1000 with --examples)" },
      "shard-rows": { type: "int", min: 1, help: "rows per shard, rounded up to whole batches (default 8 batches)" },
      workers: { type: "int", min: 1, help: "worker processes of the local pool (default one per core)" },
      queue: { type: "string", help: "redis://HOST:PORT: enqueue the shards for `scrub worker`s instead of the local pool" },
      save: { type: "string", help: "the sweep's name: runs are results/NAME.<exp>; run the same command again to resume" },
      force: { type: "boolean", help: "start again: replace runs and shards of that name" },
      results: { type: "string", help: "results directory (default ./results)" },
      ...common,
    },
    run: async (f) => {
      if (!f.exps || !f.save) throw new UsageError("sweep needs --exps E1 'glob-*' ... and --save NAME");
      if (f.queue) await checkRedis(f.queue); // before anything is written
      const b = await bundleFrom(f);
      const experiments = matchExperiments(f.exps, [...experimentCatalogue(b.model.cfg, b.roles).keys()]);
      const examples = f.examples === undefined ? null : exampleRange(f.examples, b.dataset.rows);
      const samples = f.samples ?? (examples ? 1000 : 10000);
      checkRunFits(samples, b.dataset.width - 1);
      const batchSize = f.batch ?? 32;
      const spec = { name: f.save, experiments, examples, samples, seed: f.seed ?? 42, batchSize, shardRows: shardRowsFor(batchSize, f["shard-rows"]), model: { sha256: b.modelSha256 }, data: { sha256: b.datasetSha256 } };
      announce(b, samples);
      let bar: ProgressBar | undefined;
      const executor: Executor = f.queue ? queueExecutor(f.queue) : (sp, shards, onResult) => runOnLocalPool(sp, shards, { workers: f.workers, modelDir: b.dir, dataPath: f.data }, onResult);
      const t0 = performance.now();
      const out = await runSweep(b, spec, { resultsDir: f.results ?? "results", executor, force: f.force, onProgress: (done, total) => (bar ??= new ProgressBar(`sweep ${f.save}`, total, "shards")).update(done) });
      b.model.dispose();
      console.error(`sweep ${f.save}: ${out.runs.length} runs, ${out.computed} shards computed, ${out.reused} reused from an earlier start, in ${fmtTime((performance.now() - t0) / 1000)}`);
      for (const dir of out.runs) console.log(dir);
    },
  },
  worker: {
    summary: "Pull sweep shards from a Redis queue and compute them, until Ctrl-C (start one per machine, or per core).",
    flags: {
      queue: { type: "string", help: "redis://HOST:PORT of the sweep's queue" },
      "lock-seconds": { type: "float", min: 0.5, help: "a shard's lock without renewal (default 30): a dead worker's shard is taken over after this" },
      model: common.model,
      data: common.data,
    },
    run: async (f) => {
      if (!f.queue) throw new UsageError("worker needs --queue redis://HOST:PORT");
      await checkRedis(f.queue);
      const b = await bundleFrom(f);
      const stop = new AbortController();
      for (const sig of ["SIGINT", "SIGTERM"] as const) process.once(sig, () => stop.abort());
      console.error(`[scrub] worker ${process.pid} on ${f.queue}: model sha256 ${b.modelSha256.slice(0, 12)}…`);
      await runQueueWorker(f.queue, b, stop.signal, {
        lockSeconds: f["lock-seconds"],
        onStart: (j) => console.error(`shard ${j.spec.name}/${j.shard.id} started`),
        onDone: (j, s) => console.error(`shard ${j.spec.name}/${j.shard.id} done in ${fmtTime(s)}`),
        onWarning: (m) => console.error(`[scrub] worker: ${m}`),
      });
      b.model.dispose();
    },
  },
  pca: {
    summary: "Compute the PCA bases the subspace experiments (k-…-proj-{d}d) split along and store them beside the model (proj/<site>.safetensors + .json).",
    flags: {
      site: { type: "list", help: "activations (default: every one the catalogue splits; unknown ones are listed)" },
      rows: { type: "int", min: 1, help: "dataset rows 0..rows−1, every position of each (default 1000)" },
      force: { type: "boolean", help: "replace existing basis files" },
      model: common.model,
      data: common.data,
      batch: common.batch,
    },
    run: async (f) => {
      const b = await bundleFrom(f);
      announceModel(b);
      const known = catalogueSites(b);
      const sites = ((f.site as string[] | undefined) ?? known.map(siteKey)).map((k) => {
        const site = known.find((s) => siteKey(s) === k);
        if (!site) throw new UsageError(`unknown site "${k}"; the catalogue splits ${known.map(siteKey).join(", ")}`);
        if (existsSync(basisFile(b.dir, site)) && !f.force) throw new UsageError(`${basisFile(b.dir, site)} exists; add --force to replace it`);
        return site;
      });
      const rows = Math.min(f.rows ?? 1000, b.dataset.rows);
      const bar = new ProgressBar("pca", rows);
      for (const { file, pca } of await computeBases(b, sites, { rows, batchSize: f.batch, onProgress: (done) => bar.update(done) })) {
        const share = (n: number) => ((100 * pca.variances.subarray(0, n).reduce((x, y) => x + y, 0)) / pca.variances.reduce((x, y) => x + y, 0)).toFixed(1);
        console.log(`${siteKey(pca.site)}: ${path.relative(process.cwd(), file)} (${pca.rows} rows, ${pca.positions} positions; 8 directions ${share(8)} %, 32 ${share(32)} % of the variance)`);
      }
      b.model.dispose();
    },
  },
  show: {
    summary: "Print a saved run's loss table (or a saved comparison's % recovered) again, in any --format, from its files alone.",
    flags: { name: { type: "string", help: "the run's name (see `scrub ls`), or a comparison's --save name" }, results: { type: "string", help: "results directory (default ./results)" }, format },
    run: async (f) => {
      if (!f.name) throw new UsageError("show needs --name NAME (see `scrub ls`)");
      const results = f.results ?? "results";
      const comparison = path.join(results, `${f.name}${COMPARISON_SUFFIX}`);
      if (!existsSync(path.join(results, f.name)) && existsSync(comparison)) return printComparison(parseComparison(readFileSync(comparison, "utf8")), f.format ?? "table");
      const run = loadRun(path.join(results, f.name));
      process.stdout.write(formatTableAs(f.format ?? "seed", run.manifest, run.manifest.table));
      const m = run.manifest;
      console.error(`${f.name}: ${m.experiment}, ${m.samples} samples × ${m.T} positions, seed ${m.seed}, ${m.sources?.length ?? 1} sources, saved ${m.created}`);
    },
  },
  recheck: {
    summary: "Re-evaluate a saved run from its files alone (every source's rows, each path's source) and compare its losses.",
    flags: { name: { type: "string", help: "the run's name (see `scrub ls`)" }, results: { type: "string", help: "results directory (default ./results)" }, ...common },
    run: async (f) => {
      if (!f.name) throw new UsageError("recheck needs --name NAME (see `scrub ls`)");
      const run = loadRun(path.join(f.results ?? "results", f.name));
      const m = run.manifest;
      // The run's own model and data unless told otherwise; the sha256 check says if they changed.
      const b = await bundleFrom({ model: f.model ?? (existsSync(m.model.dir) ? m.model.dir : undefined), data: f.data ?? (existsSync(m.dataset.path) ? m.dataset.path : undefined) });
      const bar = new ProgressBar(`recheck ${f.name}`, m.samples);
      const r = await recheckRun(b, run, { batchSize: f.batch, onProgress: (done) => bar.update(done) });
      b.model.dispose();
      const verdict = `${f.name}: ${r.samples} samples × ${r.T} positions re-evaluated from the saved rows and path sources: max |Δ loss| = ${r.maxAbsDiff.toExponential(2)}`;
      if (r.differing > 0) throw new FormatError(`${verdict}; ${r.differing} per-token losses differ by more than 1e-4: the saved run does not re-check`);
      console.log(`${verdict} (all within 1e-4)`);
    },
  },
  ls: {
    summary: "List the saved runs of a results folder, oldest first.",
    flags: { results: { type: "string", help: "results directory (default ./results)" } },
    run: async (f) => {
      for (const { name, manifest: m, error } of listRuns(f.results ?? "results")) {
        if (!m) console.error(`${name.padEnd(28)} unreadable: ${error}`);
        else console.log(`${name.padEnd(28)} ${m.experiment.padEnd(20)} ${String(m.samples).padStart(7)} samples  seed ${m.seed}  ${m.created}`);
      }
    },
  },
  recovered: {
    summary: "Print % loss recovered, (baseline − exp) / (baseline − unscrubbed), per category.",
    flags: { exps: { type: "list", help: "experiment names" }, samples: { type: "int", min: 1, help: "samples per experiment (default 10000)" }, format, ...saving, ...common },
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
    flags: { samples: { type: "int", min: 1, help: "samples per experiment (default 10000, as the seed)" }, format, ...saving, ...common },
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
  const saveDir = comparisonSaves(f, all);
  const runs = new Map<string, ExperimentRun>();
  const t0 = performance.now();
  const tensors = tf.memory().numTensors;
  for (const e of printTables ? [...names, ...all] : all) {
    if (runs.has(e)) continue;
    if (printTables && names.includes(e) && format === "seed") console.log(`\n\nRunning experiment ${e}`);
    const r = await runExperiment(b, e, { samples, seed: f.seed, batchSize: f.batch, progress: true, saveDir: saveDir?.(e) });
    if (printTables && names.includes(e) && (format === "seed" || format === "table")) process.stdout.write((format === "table" ? "\n" : "") + formatTableAs(format, r.manifest, r.manifest.table));
    runs.set(e, r);
  }
  const shown = _.without(names, "unscrubbed", "baseline");
  const [unscrubbed, baseline] = [runs.get("unscrubbed")!.result, runs.get("baseline")!.result];
  const recovered = shown.map((e) => ({ experiment: e, ...recoveredComparison(b.masks, { unscrubbed, baseline, exp: runs.get(e)!.result }, { reps: BOOTSTRAP_REPS }) }));
  const comparison = { samples, seed: f.seed ?? 42, runs: [...runs.values()].map((r) => r.manifest), recovered };
  if (f.save) writeAtomic(comparisonTarget(f.results ?? "results", f.save, { force: true }), formatComparisonAs("json", comparison));
  printComparison(comparison, format);
  console.error(`total ${fmtTime((performance.now() - t0) / 1000)} · ${resourceSummary(tensors)}${f.save ? ` · saved as ${path.join(f.results ?? "results", f.save)}.*` : ""}`);
}

/** Where each run of a comparison is saved, every target checked (and the comparison's file too) before any run. */
function comparisonSaves(f: Record<string, any>, experiments: string[]): ((e: string) => string) | undefined {
  if (f.save === undefined) return undefined;
  const results = f.results ?? "results";
  comparisonTarget(results, f.save, { force: f.force });
  const dirs = new Map(experiments.map((e) => [e, saveTarget(results, `${f.save}.${e}`, { force: f.force })]));
  return (e) => dirs.get(e)!;
}

/** % loss recovered: the seed's bare table first in the seed format, then the table with 95 % intervals; or one JSON/CSV document. */
function printComparison(c: Comparison, format: OutputFormat): void {
  if (format === "json" || format === "csv") {
    process.stdout.write(formatComparisonAs(format, c));
    return;
  }
  const names = c.recovered.map((r) => r.experiment);
  if (format === "seed") {
    console.log(`\n% loss recovered, (baseline − exp) / (baseline − unscrubbed), ${c.samples} samples each:\n`);
    process.stdout.write(formatRecoveredTable(names, c.recovered.map((r) => r.values)));
  }
  console.log(`\n% loss recovered with 95 % intervals: bootstrap over the ${c.samples} reference rows (${BOOTSTRAP_REPS} resamples, seed 0):\n`);
  process.stdout.write(formatRecoveredTable(names, c.recovered.map((r) => r.values), { intervals: c.recovered.map((r) => r.interval) }));
}

/** Experiment names, each given literally or as a glob (* and ?) over the catalogue, in the order given. */
function matchExperiments(patterns: string[], names: string[]): string[] {
  const out = patterns.flatMap((p) => {
    if (!/[*?]/.test(p)) {
      if (!names.includes(p)) throw new UsageError(`unknown experiment "${p}" (see \`scrub list\`)`);
      return [p];
    }
    const re = new RegExp(`^${p.replace(/[.+^${}()|[\]\\]/g, "\\$&").replaceAll("*", ".*").replaceAll("?", ".")}$`);
    const hits = names.filter((n) => re.test(n));
    if (hits.length === 0) throw new UsageError(`no experiment matches "${p}" (see \`scrub list\`)`);
    return hits;
  });
  return _.uniq(out);
}

/** "A..B" (inclusive) or "K": the fixed examples of an SAA sweep. */
function exampleRange(text: string, rows: number): number[] {
  const m = /^(\d+)(?:\.\.(\d+))?$/.exec(text);
  if (!m) throw new UsageError(`--examples "${text}" is not A..B or K`);
  const [a, b] = [Number(m[1]), Number(m[2] ?? m[1])];
  if (a > b || b >= rows) throw new UsageError(`--examples ${text}: need A ≤ B < ${rows} (the data's rows)`);
  return _.range(a, b + 1);
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
