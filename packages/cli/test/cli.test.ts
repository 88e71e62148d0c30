/** The `scrub` command's error paths and a real run on a tiny bundle made on the fly. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { before, test } from "node:test";
import { initBackend, readSafetensors, writeSafetensors } from "@isc/core";
import { loadRun } from "@isc/node";
import { writeTinyBundle } from "@isc/node/testing";

const here = path.dirname(fileURLToPath(import.meta.url));
const SCRUB = path.resolve(here, "../src/scrub.js");
let bundle: string;

before(async () => {
  await initBackend({ quiet: true });
  bundle = await writeTinyBundle();
});

function scrub(...args: string[]) {
  return spawnSync(process.execPath, [SCRUB, ...args], { encoding: "utf8", env: { ...process.env, SCRUB_QUIET: "1" } });
}

test("run prints the 9-category table in the seed's format and saves a reloadable run", () => {
  const results = mkdtempSync(path.join(os.tmpdir(), "scrub-results-"));
  const r = scrub("run", "--exp", "ev", "--samples", "6", "--model", bundle, "--save", "ev_test", "--results", results, "--attns");
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trimEnd().split("\n");
  assert.equal(lines.length, 18);
  assert.equal(lines[0], "OVERALL");
  assert.match(lines[1], /^ {2,}\d+\.\d{3} {2,}\d+\.\d{3} {7}\d{3}$/); // 6 rows × 20 positions = 120
  assert.equal(lines[16], "NFERB UR");
  const run = loadRun(path.join(results, "ev_test"));
  assert.equal(run.manifest.experiment, "ev");
  assert.equal(run.loss.length, 6 * 20);
  assert.equal(run.attention!.length, 16 * 20 * 20);
  const log = readFileSync(path.join(results, "logs.csv"), "utf8").split("\r\n");
  assert.match(log[0]!, /^experiment,seed,samples,timestamp,OVERALL mean,OVERALL variance,OVERALL count,CANDIDATES mean,/);
  assert.equal(log[0]!.split(",").length, log[1]!.split(",").length, "a name for every column");
  assert.match(log[1]!, /^ev,42,6,/);
  // The last line says what the run cost and whether it leaked tensors.
  assert.match(r.stderr, /ev: 6 samples in .* · peak RSS [\d,]+ MB · tfjs tensors (\d+) → \1 \(flat\)/);
});

test("usage errors exit 2 with one line", () => {
  const cases: [string[], RegExp][] = [
    [["run", "--exp", "no-such-exp", "--samples", "2", "--model", bundle], /unknown experiment "no-such-exp"/],
    [["run", "--exp", "ev", "--samples", "0", "--model", bundle], /--samples must be ≥ 1, got 0/],
    [["run", "--exp", "ev", "--samples", "x", "--model", bundle], /--samples must be an integer/],
    [["run", "--exp", "ev", "--idx", "50", "--samples", "2", "--model", bundle], /row 50 is outside \[0, 50\)/],
    [["run", "--exp", "ev", "--model", path.join(bundle, "missing")], /cannot load model: model directory .* does not exist/],
    [["run", "--samples", "2", "--model", bundle], /run needs --exp NAME/],
    [["run", "--bogus"], /unknown option --bogus/],
    [["frobnicate"], /unknown command "frobnicate"/],
    [["get-data", "--exp", "ev", "--model", bundle], /get-data needs --exp E1 E2 \.\.\. and --ct K/],
    [["recovered", "--model", bundle], /recovered needs --exps/],
  ];
  for (const [args, re] of cases) {
    const r = scrub(...args);
    assert.equal(r.status, 2, `${args.join(" ")}: status ${r.status}, stderr ${r.stderr}`);
    const errLines = r.stderr.trim().split("\n").filter((l) => l.startsWith("scrub:"));
    assert.equal(errLines.length, 1, r.stderr);
    assert.match(errLines[0], re);
  }
});

test("an unreadable model (corrupt weights) is a one-line error with exit 2", () => {
  const broken = mkdtempSync(path.join(os.tmpdir(), "scrub-broken-"));
  for (const f of ["config.json", "card.json", "tokenizer.json", "eval.u16", "eval.json", "induction-candidates.json"]) {
    copyFileSync(path.join(bundle, f), path.join(broken, f));
  }
  writeFileSync(path.join(broken, "model.safetensors"), Buffer.from([1, 2, 3]));
  const r = scrub("run", "--exp", "ev", "--samples", "2", "--model", broken);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /scrub: cannot load model: .*model\.safetensors: file is 3 bytes, too short/);
});

test("--help works for every command", () => {
  for (const c of ["list", "run", "get-data", "recovered", "preliminary", "pca"]) {
    const r = scrub(c, "--help");
    assert.equal(r.status, 0);
    assert.match(r.stdout, new RegExp(`usage: scrub ${c}`));
  }
});

test("a model whose card records failed acceptance checks says so before it runs", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "scrub-failing-card-"));
  for (const f of ["config.json", "model.safetensors", "tokenizer.json", "eval.u16", "eval.json", "induction-candidates.json"]) copyFileSync(path.join(bundle, f), path.join(dir, f));
  const card = JSON.parse(readFileSync(path.join(bundle, "card.json"), "utf8"));
  card.acceptance = [{ check: "a", pass: false }, { check: "b", pass: true }, { check: "c", pass: false }];
  writeFileSync(path.join(dir, "card.json"), JSON.stringify(card));
  const r = scrub("run", "--exp", "ev", "--samples", "2", "--model", dir);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /\(2 of 3 acceptance checks fail: see its card\.md\)/);
  assert.doesNotMatch(scrub("run", "--exp", "ev", "--samples", "2", "--model", bundle).stderr, /acceptance checks fail/);
});

test("--version, the environment in --help, and a bad or missing backend as one line and exit 2", () => {
  assert.deepEqual([scrub("--version").status, scrub("--version").stdout], [0, "scrub 0.1.0\n"]);
  const help = scrub("--help").stdout;
  for (const v of ["SCRUB_MODEL", "SCRUB_BACKEND", "SCRUB_NATIVE", "SCRUB_THREADS"]) assert.match(help, new RegExp(v));
  const withBackend = (name: string) =>
    spawnSync(process.execPath, [SCRUB, "run", "--exp", "ev", "--samples", "2", "--model", bundle], { encoding: "utf8", env: { ...process.env, SCRUB_QUIET: "1", SCRUB_BACKEND: name } });
  const bad = withBackend("gpu");
  assert.deepEqual([bad.status, bad.stderr.trim().split("\n").at(-1)], [2, "scrub: SCRUB_BACKEND=gpu is not one of tensorflow, wasm, cpu"]);
  // tfjs-node needs libtensorflow, which cannot be installed here; where it can, this backend simply works.
  const tensorflow = withBackend("tensorflow");
  if (tensorflow.status !== 0) {
    assert.equal(tensorflow.status, 2);
    assert.match(tensorflow.stderr.trim().split("\n").at(-1)!, /^scrub: no tfjs backend could be initialised: tensorflow: .*unset it/);
  }
});

test("--save never overwrites without --force, and a bad target is refused before the run", () => {
  const results = mkdtempSync(path.join(os.tmpdir(), "scrub-save-"));
  const run = (...extra: string[]) => scrub("run", "--exp", "ev", "--samples", "4", "--model", bundle, "--results", results, ...extra);
  assert.equal(run("--save", "mine").status, 0);
  const first = readFileSync(path.join(results, "mine", "manifest.json"), "utf8");
  const again = run("--exp", "eq", "--save", "mine");
  assert.equal(again.status, 2);
  assert.match(again.stderr, /mine already holds a run; choose another --save name or add --force/);
  assert.equal(again.stdout, "", "refused before computing anything");
  assert.equal(readFileSync(path.join(results, "mine", "manifest.json"), "utf8"), first, "the first run is untouched");
  assert.equal(run("--exp", "eq", "--save", "mine", "--force").status, 0);
  assert.equal(loadRun(path.join(results, "mine")).manifest.experiment, "eq");
  assert.equal(readFileSync(path.join(results, "logs.csv"), "utf8").split("\r\n").filter(Boolean).length, 3, "the header and two runs");
  for (const [name, re] of [["../x", /not a plain name/], ["/abs/path", /not a plain name/], ["", /not a plain name/], ["logs.csv", /the results folder's log/]] as const) {
    const r = run("--save", name);
    assert.deepEqual([r.status, r.stdout], [2, ""], name);
    assert.match(r.stderr, re);
  }
  const blocked = path.join(results, "a-file");
  writeFileSync(blocked, "");
  const unwritable = scrub("run", "--exp", "ev", "--samples", "4", "--model", bundle, "--results", path.join(blocked, "sub"), "--save", "x");
  assert.deepEqual([unwritable.status, unwritable.stdout], [2, ""]);
  assert.match(unwritable.stderr, /^scrub: cannot write to the results folder .*a-file\/sub: (ENOTDIR|EEXIST)$/m);
  assert.deepEqual(readdirSync(results).sort(), ["a-file", "logs.csv", "mine"], "no partial folders left behind");
});

test("NaN weights and a request too large for memory are one line and exit 2, before any work", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "scrub-nan-"));
  for (const f of ["config.json", "card.json", "tokenizer.json", "eval.u16", "eval.json", "induction-candidates.json"]) copyFileSync(path.join(bundle, f), path.join(dir, f));
  const named = readSafetensors(readFileSync(path.join(bundle, "model.safetensors")));
  const wq = named.get("blocks.1.attn.W_Q")!;
  const poisoned = Float32Array.from(wq.data);
  poisoned[5] = NaN;
  named.set("blocks.1.attn.W_Q", { ...wq, data: poisoned });
  writeFileSync(path.join(dir, "model.safetensors"), writeSafetensors(named));
  const nan = scrub("run", "--exp", "ev", "--samples", "2", "--model", dir);
  assert.equal(nan.status, 2);
  assert.match(nan.stderr, /^scrub: cannot load model: .*tensor "blocks\.1\.attn\.W_Q" holds 1 non-finite values \(NaN or ±Infinity; the first at flat index 5\)$/m);
  const huge = scrub("run", "--exp", "ev", "--samples", "1000000000000", "--model", bundle);
  assert.deepEqual([huge.status, huge.stdout], [2, ""]);
  assert.match(huge.stderr, /^scrub: --samples 1000000000000 would keep [\d.]+ GB of per-token results, more than half of this machine's [\d.]+ GB; at most [\d,]+ samples fit$/m);
});

test("more samples than the data file has rows is said", () => {
  const r = scrub("run", "--exp", "ev", "--samples", "60", "--model", bundle);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /note: 60 samples from 50 rows: rows are drawn with replacement/);
  assert.doesNotMatch(scrub("run", "--exp", "ev", "--samples", "4", "--model", bundle).stderr, /drawn with replacement/);
});

test("a saved run holds every source's rows and path sources; show prints its table again and ls lists it", () => {
  const results = mkdtempSync(path.join(os.tmpdir(), "scrub-show-"));
  const r = scrub("run", "--exp", "ev", "--samples", "5", "--model", bundle, "--results", results, "--save", "ev5");
  assert.equal(r.status, 0, r.stderr);
  const saved = loadRun(path.join(results, "ev5"));
  const m = saved.manifest;
  assert.deepEqual(m.sources, ["logits (other inputs)", "0"]); // the catalogue names a child by its index, as make_corr did
  assert.equal(saved.sources.length, m.sources.length * 5);
  assert.deepEqual(saved.sources.subarray(0, 5), saved.rows, "source 0 is the reference");
  assert.equal(m.paths.length, 1 + 24 + 24 * 25); // 2 layers × 8 heads × 3 slots
  assert.ok(m.paths.every((p) => p.source === (/^1\.[56]\.v\/0\.\d\.[qkv]$/.test(p.path) ? 1 : 0)), "ev's child reads exactly layer 0 → V of 1.5 and 1.6");
  assert.deepEqual(m.hypothesis.map((h) => [h.node, h.parent, h.sampler]), [["logits", null, "Exact"], ["0", "logits", "Uncond"]]);
  assert.equal(m.versions.node, process.version);
  const show = scrub("show", "--name", "ev5", "--results", results);
  assert.deepEqual([show.status, show.stdout], [0, r.stdout]);
  const ls = scrub("ls", "--results", results);
  assert.match(ls.stdout, /^ev5 +ev +5 samples  seed 42 /);
  assert.equal(scrub("show", "--name", "nope", "--results", results).status, 2);
});

test("recheck re-evaluates a saved run from its rows and path sources alone, and catches a tampered record", () => {
  const results = mkdtempSync(path.join(os.tmpdir(), "scrub-recheck-"));
  for (const e of ["ev", "real-0.0"]) {
    assert.equal(scrub("run", "--exp", e, "--samples", "5", "--model", bundle, "--results", results, "--save", e).status, 0);
    const r = scrub("recheck", "--name", e, "--results", results);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^${e}: 5 samples × 20 positions re-evaluated from the saved rows and path sources: max \\|Δ loss\\| = 0\\.00e\\+0 \\(all within 1e-4\\)$`, "m"));
  }
  // The child's rows replaced by the reference's: the record no longer gives the saved losses.
  const file = path.join(results, "ev", "sources.i32");
  const sources = new Int32Array(new Uint8Array(readFileSync(file)).buffer);
  sources.copyWithin(5, 0, 5);
  writeFileSync(file, sources);
  const bad = scrub("recheck", "--name", "ev", "--results", results);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /^scrub: ev: 5 samples × 20 positions .* max \|Δ loss\| = [\d.]+e[-+]\d+; \d+ per-token losses differ by more than 1e-4: the saved run does not re-check$/m);
  const other = scrub("recheck", "--name", "real-0.0", "--results", results, "--model", "weights/none");
  assert.equal(other.status, 2);
});

test("recovered --save keeps every run and the comparison; show prints it again; an existing name is refused before any run", () => {
  const results = mkdtempSync(path.join(os.tmpdir(), "scrub-cmp-"));
  const base = ["recovered", "--exps", "ev", "eq", "--samples", "6", "--model", bundle, "--results", results];
  const r = scrub(...base, "--save", "cmp");
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(readdirSync(results).sort(), ["cmp.baseline", "cmp.eq", "cmp.ev", "cmp.recovered.json", "cmp.unscrubbed", "logs.csv"]);
  const saved = readFileSync(path.join(results, "cmp.recovered.json"), "utf8");
  assert.equal(scrub("show", "--name", "cmp", "--results", results, "--format", "seed").stdout, r.stdout);
  assert.equal(scrub("show", "--name", "cmp", "--results", results, "--format", "json").stdout, saved);
  assert.equal(scrub("recheck", "--name", "cmp.ev", "--results", results).status, 0);
  const again = scrub(...base, "--save", "cmp");
  assert.deepEqual([again.status, again.stdout], [2, ""]);
  assert.match(again.stderr, /^scrub: .*cmp\.recovered\.json already holds a comparison; choose another --save name or add --force to replace it$/m);
  assert.equal(readFileSync(path.join(results, "cmp.recovered.json"), "utf8"), saved, "the first comparison is untouched");
  assert.equal(scrub(...base, "--save", "cmp", "--force").status, 0);
});

test("a damaged saved run is one line and exit 2 for show and recheck; ls still lists the others", () => {
  const results = mkdtempSync(path.join(os.tmpdir(), "scrub-damaged-"));
  assert.equal(scrub("run", "--exp", "ev", "--samples", "2", "--model", bundle, "--results", results, "--save", "good").status, 0);
  assert.equal(scrub("run", "--exp", "ev", "--samples", "2", "--model", bundle, "--results", results, "--save", "cut").status, 0);
  writeFileSync(path.join(results, "cut", "loss.f32"), readFileSync(path.join(results, "cut", "loss.f32")).subarray(0, 10));
  mkdirSync(path.join(results, "broken"));
  writeFileSync(path.join(results, "broken", "manifest.json"), "{");
  for (const [name, re] of [["cut", /cut\/loss\.f32 holds 10 bytes, not a whole number of 4-byte values: the file is damaged$/], ["broken", /broken\/manifest\.json is not a run's manifest: /]] as const) {
    for (const cmd of ["show", "recheck"]) {
      const r = scrub(cmd, "--name", name, "--results", results);
      assert.equal(r.status, 2, `${cmd} ${name}: ${r.stderr}`);
      assert.match(r.stderr.trim().split("\n").at(-1)!, re);
    }
  }
  const ls = scrub("ls", "--results", results);
  assert.equal(ls.status, 0);
  assert.deepEqual(ls.stdout.trim().split("\n").map((l) => l.split(/ +/)[0]), ["good", "cut"]);
  assert.match(ls.stderr, /^broken +unreadable: /m);
});

test("scrub list prints the same lines through a slow pipe as to a file", () => {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), "scrub-pipe-")), "list.txt");
  const sh = (cmd: string) => spawnSync("sh", ["-c", cmd], { encoding: "utf8", env: { ...process.env, SCRUB_QUIET: "1" } });
  const cli = `"${process.execPath}" "${SCRUB}" list --model "${bundle}"`;
  assert.equal(sh(`${cli} > "${file}"`).status, 0);
  const lines = readFileSync(file, "utf8").split("\n").length - 1;
  assert.ok(lines > 500, `${lines} lines`);
  assert.equal(sh(`${cli} | (sleep 0.5; cat) | wc -l`).stdout.trim(), String(lines));
  const head = sh(`${cli} | head -3`);
  assert.deepEqual([head.status, head.stderr], [0, ""], "a pipe closed early ends the command quietly");
});

test("--format table, json and csv say the same numbers as the seed format, and show reads them back", () => {
  const results = mkdtempSync(path.join(os.tmpdir(), "scrub-format-"));
  const base = ["run", "--exp", "ev", "--samples", "6", "--model", bundle];
  const seed = scrub(...base, "--results", results, "--save", "f").stdout;
  const json = JSON.parse(scrub(...base, "--format", "json").stdout) as { experiment: string; categories: { category: string; mean: number | null; se: number | null; count: number }[] };
  assert.equal(json.experiment, "ev");
  assert.equal(json.categories.length, 9);
  assert.equal(json.categories[0]!.mean!.toFixed(3), seed.split("\n")[1]!.trim().split(/ +/)[0]);
  assert.ok(json.categories.every((c) => c.se === null || c.se > 0));
  const csv = scrub(...base, "--format", "csv").stdout.trimEnd().split("\n");
  assert.equal(csv[0], "experiment,category,mean,se,variance,count");
  assert.equal(csv.length, 10);
  assert.match(scrub(...base, "--format", "table").stdout, /^category +mean +SE +variance +tokens$/m);
  assert.equal(scrub("show", "--name", "f", "--results", results, "--format", "json").stdout, scrub(...base, "--format", "json").stdout);
});

test("recovered --format json and csv hold every run's table and each experiment's interval", () => {
  const base = ["recovered", "--exps", "ev", "eq", "--samples", "6", "--model", bundle];
  const json = JSON.parse(scrub(...base, "--format", "json").stdout) as {
    samples: number;
    tables: { experiment: string }[];
    recovered: { experiment: string; categories: { category: string; recovered: number | null; lo: number | null; hi: number | null; gap_unclear: boolean }[] }[];
  };
  assert.deepEqual(json.tables.map((t) => t.experiment), ["unscrubbed", "baseline", "ev", "eq"]);
  assert.deepEqual(json.recovered.map((r) => r.experiment), ["ev", "eq"]);
  const overall = json.recovered[0]!.categories[0]!;
  assert.equal(overall.category, "OVERALL");
  assert.ok(overall.lo! <= overall.recovered! && overall.recovered! <= overall.hi!, JSON.stringify(overall));
  const csv = scrub(...base, "--format", "csv").stdout.trimEnd().split("\n");
  assert.equal(csv[0], "experiment,category,mean,se,variance,count,recovered,lo,hi,gap_unclear");
  assert.equal(csv.length, 1 + 4 * 9);
  assert.match(csv.find((l) => l.startsWith("ev,OVERALL,"))!, /^ev,OVERALL,[\d.]+,[\d.]+,[\d.]+,120,-?[\d.]+,-?[\d.]+,-?[\d.]+,(true|false)$/);
});

test("pca stores the bases the subspace experiments read; a missing, foreign or bad basis is one line naming what to run", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "scrub-pca-"));
  for (const f of readdirSync(bundle)) copyFileSync(path.join(bundle, f), path.join(dir, f));
  const run = (...extra: string[]) => scrub("run", "--exp", "k-1.6-post-ln-proj-4d", "--samples", "4", "--model", dir, ...extra);
  const missing = run();
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /^scrub: no basis for blocks\.1\.ln1\.hook_normalized: .*proj\/blocks\.1\.ln1\.hook_normalized\.safetensors is missing; make it with `scrub pca --model .* --site blocks\.1\.ln1\.hook_normalized`/m);
  const pca = scrub("pca", "--model", dir, "--rows", "8");
  assert.equal(pca.status, 0, pca.stderr);
  const sites = ["blocks.1.hook_resid_pre", "blocks.1.ln1.hook_normalized", "blocks.0.hook_attn_out", ...Array.from({ length: 8 }, (_, h) => `blocks.0.attn.hook_result.${h}`)]; // every layer-0 head's output
  assert.deepEqual(readdirSync(path.join(dir, "proj")).sort(), sites.flatMap((s) => [`${s}.json`, `${s}.safetensors`]).sort());
  const prov = JSON.parse(readFileSync(path.join(dir, "proj", "blocks.0.hook_attn_out.json"), "utf8"));
  assert.deepEqual([prov.data.rows_used, prov.data.positions, prov.heads], [8, 8 * 20, null]);
  assert.match(prov.model.sha256, /^[0-9a-f]{64}$/);
  assert.match(scrub("pca", "--model", dir, "--rows", "8").stderr, /^scrub: .*blocks\.1\.hook_resid_pre\.safetensors exists; add --force to replace it$/m);
  assert.match(scrub("pca", "--model", dir, "--site", "blocks.9.hook_nothing").stderr, /^scrub: unknown site "blocks\.9\.hook_nothing"; the catalogue splits blocks\.1\.hook_resid_pre, /m);
  const ok = run();
  assert.equal(ok.status, 0, ok.stderr);
  assert.equal(ok.stdout.split("\n")[0], "OVERALL");
  // A user's basis: the identity is orthonormal; a scaled one is not.
  const eye = Float32Array.from({ length: 256 }, (_, i) => (i % 17 === 0 ? 1 : 0));
  writeFileSync(path.join(dir, "eye.safetensors"), writeSafetensors({ basis: { shape: [16, 16], data: eye } }));
  writeFileSync(path.join(dir, "bad.safetensors"), writeSafetensors({ basis: { shape: [16, 16], data: eye.map((x) => 2 * x) } }));
  assert.equal(run("--basis", path.join(dir, "eye.safetensors")).status, 0);
  assert.match(run("--basis", path.join(dir, "bad.safetensors")).stderr, /^scrub: .*bad\.safetensors: the rows of "basis" are not orthonormal/m);
  assert.match(run("--basis", path.join(dir, "none.safetensors")).stderr, /^scrub: --basis .*none\.safetensors does not exist/m);
  assert.match(scrub("run", "--exp", "ev", "--samples", "2", "--model", dir, "--basis", path.join(dir, "eye.safetensors")).stderr, /^scrub: --basis applies only to the subspace experiments/m);
  const provFile = path.join(dir, "proj", "blocks.1.ln1.hook_normalized.json");
  writeFileSync(provFile, JSON.stringify({ ...JSON.parse(readFileSync(provFile, "utf8")), model: { dir: "x", sha256: "0".repeat(64) } }));
  assert.match(run().stderr, /^scrub: .*was computed for another model \(sha256 000000000000\); remake it with `scrub pca .* --force`$/m);
});
