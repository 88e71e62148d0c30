/**
 * `pnpm test:web`: builds the playground, serves it on loopback with a plain static server, and drives
 * it in Debian's Chromium through playwright-core (as `pnpm figures` does). It checks that
 *  - the page loads the default model and a slice of the evaluation data;
 *  - a catalogue experiment's 9 means equal the `scrub` CLI's for the same seed and samples (to 1e-4),
 *    with the wasm backend forced in the page, the backend the CLI uses on a machine without tfjs-node;
 *  - every mean has its SE, and its % recovered has the CLI's 95 % interval (`scrub recovered
 *    --format json`), with † and the note exactly where the baseline gap is unclear;
 *  - the builder's spelling of that hypothesis gives the same table, and bad hypotheses are named;
 *  - the preliminary experiments equal the CLI's code path (runExperiment) on the same data;
 *  - SAA colours every token of the example, the heatmap is drawn;
 *  - a long run reports progress, leaves the page responsive and can be cancelled;
 *  - a missing bundle and an unavailable backend give clear messages;
 *  - with the default settings (no GPU here) the page picks wasm, or says why it fell back to it, runs
 *    ev on 64 rows in under a minute, and exports it as JSON and CSV; the backend selector restarts
 *    the engine on the backend chosen;
 *  - after the preliminary experiments no label or heatmap speaks of an earlier run;
 * and saves a screenshot of the table and the heatmap (test-results/playground.png, and $WEB_SCREENSHOT).
 * Exit code 0 when all pass, 1 otherwise. When weights/default has no model.safetensors (the default
 * model is committed after training), a random-weights model with the same config stands in, and the
 * test says so.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { HookedTransformer, initBackend, parseConfig } from "@isc/core";
import { REDWOOD_ROLES } from "@isc/scrubbing";
import { loadBundle, runExperiment, runMain } from "@isc/node";
import { serveStatic } from "./static-server.js";

const here = path.dirname(fileURLToPath(import.meta.url)); // packages/web/dist/test
const web = path.resolve(here, "../..");
const repo = path.resolve(web, "../..");
const site = path.join(web, "site");
const results = path.join(web, "test-results");
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const TOL = 1e-4;
const SAMPLES = 8;
const SEED = 1;
/** The bound the issue set for ev on 64 rows with the default settings in headless Chromium without a GPU. */
const DEFAULT_EV_LIMIT_S = 60;

const t0 = performance.now();
const log = (s: string) => console.log(`[test:web ${((performance.now() - t0) / 1000).toFixed(1).padStart(5)}s] ${s}`);
let failures = 0;
/** Temporary folders (Chromium profile, CLI results, a stand-in model) removed at the end. */
const scratch: string[] = [];
const tempDir = (prefix: string) => {
  const d = mkdtempSync(path.join(os.tmpdir(), prefix));
  scratch.push(d);
  return d;
};

async function check(name: string, f: () => Promise<void>): Promise<void> {
  const t = performance.now();
  try {
    await f();
    log(`ok   ${name} (${((performance.now() - t) / 1000).toFixed(1)} s)`);
  } catch (e) {
    failures++;
    log(`FAIL ${name}: ${(e as Error).stack ?? e}`);
  }
}

/** weights/default, or a stand-in with random weights when the trained model is not in this checkout. */
async function modelDir(): Promise<{ dir: string; standIn: boolean }> {
  const dir = path.resolve(process.env.WEB_MODEL ?? path.join(repo, "weights/default"));
  if (existsSync(path.join(dir, "model.safetensors")) && existsSync(path.join(dir, "config.json")) && existsSync(path.join(dir, "card.json"))) {
    return { dir, standIn: false };
  }
  const tmp = tempDir("web-standin-");
  for (const f of ["eval.u16", "eval.json", "tokenizer.json", "induction-candidates.json", "token-ranks.json"]) {
    if (existsSync(path.join(dir, f))) copyFileSync(path.join(dir, f), path.join(tmp, f));
  }
  const meta = JSON.parse(readFileSync(path.join(dir, "eval.json"), "utf8")) as { width: number; vocab: number };
  const cfg = existsSync(path.join(dir, "config.json"))
    ? parseConfig(JSON.parse(readFileSync(path.join(dir, "config.json"), "utf8")))
    : parseConfig({ n_layers: 2, d_model: 256, n_heads: 8, d_head: 32, d_vocab: meta.vocab, n_ctx: meta.width - 1, positional_embedding_type: "shortformer", normalization_type: "LN", eps: 1e-5 });
  await initBackend({ quiet: true });
  const model = HookedTransformer.random(cfg, 0);
  writeFileSync(path.join(tmp, "config.json"), JSON.stringify(cfg, null, 2));
  writeFileSync(path.join(tmp, "model.safetensors"), await model.toSafetensors());
  model.dispose();
  const roles = existsSync(path.join(dir, "card.json")) ? (JSON.parse(readFileSync(path.join(dir, "card.json"), "utf8")) as { roles: unknown }).roles : REDWOOD_ROLES;
  writeFileSync(path.join(tmp, "card.json"), JSON.stringify({ name: "random stand-in (no trained model.safetensors)", interim: true, roles }));
  log(`NOTE: ${dir} has no trained model; testing with random weights of the same shape in ${tmp}`);
  return { dir: tmp, standIn: true };
}

function build(model: string): void {
  const require = createRequire(path.join(web, "package.json"));
  const vite = path.join(path.dirname(require.resolve("vite/package.json")), "bin/vite.js");
  const r = spawnSync(process.execPath, [vite, "build", "--logLevel", "warn"], { cwd: web, env: { ...process.env, WEB_MODEL: model }, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`vite build failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  log(`built ${path.relative(repo, site)} (${r.stdout.trim().split("\n").filter((l) => l.startsWith("[web]")).join("; ")})`);
}

/** The CLI, as a user runs it, on the page's slice of the evaluation rows; its saved manifest has the full-precision means. */
function cliMeans(model: string, exp: string): { means: number[]; backend: string } {
  const out = tempDir("web-cli-");
  const args = ["run", "--exp", exp, "--samples", String(SAMPLES), "--seed", String(SEED), "--model", model, "--data", path.join(site, "model/eval.u16"), "--save", "run", "--results", out];
  const r = spawnSync(process.execPath, [path.join(repo, "packages/cli/dist/src/scrub.js"), ...args], { encoding: "utf8", env: { ...process.env, SCRUB_QUIET: "1" } });
  if (r.status !== 0) throw new Error(`scrub ${args.join(" ")} failed: ${r.stderr}`);
  const m = JSON.parse(readFileSync(path.join(out, "run/manifest.json"), "utf8")) as { table: { mean: number }[]; backend: string };
  return { means: m.table.map((row) => row.mean), backend: m.backend };
}

interface RecoveredCells {
  values: (number | null)[];
  lo: (number | null)[];
  hi: (number | null)[];
  gapUnclear: boolean[];
}

/** `scrub recovered --format json` on the page's rows: each category's recovered fraction and 95 % interval. */
function cliRecovered(model: string, exp: string): RecoveredCells {
  const args = ["recovered", "--exps", exp, "--samples", String(SAMPLES), "--seed", String(SEED), "--model", model, "--data", path.join(site, "model/eval.u16"), "--format", "json"];
  const r = spawnSync(process.execPath, [path.join(repo, "packages/cli/dist/src/scrub.js"), ...args], { encoding: "utf8", env: { ...process.env, SCRUB_QUIET: "1" } });
  if (r.status !== 0) throw new Error(`scrub ${args.join(" ")} failed: ${r.stderr}`);
  type Cat = { recovered: number | null; lo: number | null; hi: number | null; gap_unclear: boolean };
  const cats = (JSON.parse(r.stdout) as { recovered: { experiment: string; categories: Cat[] }[] }).recovered.find((x) => x.experiment === exp)!.categories;
  return { values: cats.map((c) => c.recovered), lo: cats.map((c) => c.lo), hi: cats.map((c) => c.hi), gapUnclear: cats.map((c) => c.gap_unclear) };
}

/** Equal to TOL relative to the size of the value (a ratio over a small gap can be large); null (NaN) only where the other is null. */
function closeOrBothNull(what: string, page: (number | null)[], cli: (number | null)[]): void {
  assert.equal(page.length, cli.length, what);
  page.forEach((v, i) => {
    const c = cli[i]!;
    assert.ok(v === null || c === null ? v === c : Math.abs(v - c) <= TOL * Math.max(1, Math.abs(c)), `${what}[${i}]: page ${v}, cli ${c}`);
  });
}

function compare(what: string, page: number[], cli: number[], tol: number): number {
  assert.equal(page.length, 9, `${what}: the page's table has ${page.length} rows`);
  assert.equal(cli.length, 9);
  const diffs = page.map((v, i) => Math.abs(v - cli[i]));
  const worst = Math.max(...diffs);
  log(`${what}: page ${page.map((v) => v.toFixed(5)).join(" ")}`);
  log(`${what}: cli  ${cli.map((v) => v.toFixed(5)).join(" ")}  (max |diff| ${worst.toExponential(2)})`);
  assert.ok(worst <= tol, `${what}: max |page − cli| = ${worst} > ${tol}`);
  return worst;
}

async function waitReady(page: Page, url: string, timeout = 180000): Promise<string> {
  await page.goto(url);
  await page.waitForSelector('#status:not([data-state="loading"])', { timeout });
  const state = await page.getAttribute("#status", "data-state");
  if (state !== "ready") throw new Error(`the page did not load: ${await page.textContent("#error")}`);
  return (await page.textContent("#backend-name")) ?? "?";
}

/** Waits for the job to end; a failed job throws unless `failing` (then its error's kind is returned as "failed:<kind>"). */
async function waitJob(page: Page, timeout = 300000, failing = false): Promise<string> {
  await page.waitForFunction(() => document.body.dataset.job !== "running", null, { timeout });
  const state = (await page.evaluate(() => document.body.dataset.job)) ?? "?";
  if (state === "failed") {
    if (failing) return `failed:${await page.getAttribute("#error", "data-kind")}`;
    throw new Error(`the job failed: ${await page.textContent("#error")}`);
  }
  return state;
}

async function means(page: Page, selector = ".run-table", attr = "data-means"): Promise<number[]> {
  return JSON.parse((await page.getAttribute(selector, attr)) ?? "[]") as number[];
}

/** What the checks share: the browser, the page they drive, and what an earlier check found. */
interface Session {
  ctx: BrowserContext;
  page: Page;
  /** The model bundle both the page and the CLI run. */
  model: string;
  serverUrl: string;
  /** The page's URL with the samples and seed every comparison uses. */
  base: string;
  /** ev's means in the page: every later run of ev must give them again. */
  pageEv: number[];
  pageErrors: string[];
}

async function main(): Promise<number> {
  if (!existsSync(CHROMIUM)) {
    console.error(`test:web: no Chromium at ${CHROMIUM}. Install Debian's (apt-get install -y chromium) or set CHROMIUM=/path/to/chrome.`);
    return 1;
  }
  const { dir: model, standIn } = await modelDir();
  build(model);
  mkdirSync(results, { recursive: true });
  const server = await serveStatic(site);
  log(`serving ${path.relative(repo, site)} at ${server.url}`);
  const ctx = await launchChromium();
  try {
    const s = await openSession(ctx, model, server.url);
    // In order: later checks reuse the page state and ev's means that earlier ones leave.
    for (const [name, f] of CHECKS) await check(name, () => f(s));
  } finally {
    await ctx.close();
    await server.close();
    for (const d of scratch) rmSync(d, { recursive: true, force: true });
  }
  log(`${failures === 0 ? "all passed" : `${failures} failed`}${standIn ? " (random stand-in model)" : ""}`);
  return failures === 0 ? 0 : 1;
}

function launchChromium(): Promise<BrowserContext> {
  return chromium.launchPersistentContext(tempDir("web-chromium-"), {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1500, height: 1000 },
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

async function openSession(ctx: BrowserContext, model: string, serverUrl: string): Promise<Session> {
  const page = ctx.pages()[0] ?? (await ctx.newPage());
  const pageErrors: string[] = [];
  page.on("pageerror", (e) => pageErrors.push(e.message));
  return { ctx, page, model, serverUrl, base: `${serverUrl}?samples=${SAMPLES}&seed=${SEED}`, pageEv: [], pageErrors };
}

const CHECKS: readonly [string, (s: Session) => Promise<void>][] = [
  ["the page loads the model and the evaluation slice (wasm forced)", pageLoads],
  [`ev in the page equals the CLI (scrub run --exp ev --samples ${SAMPLES} --seed ${SEED}) to ${TOL}`, evEqualsCli],
  ["ev's % recovered has the CLI's 95 % intervals (scrub recovered --format json), with † and the note where the gap is unclear", recoveredEqualsCli],
  ["the mean-attention heatmap and the % recovered table are drawn, with an SE beside every mean and an interval in every cell", plotsDrawn],
  ["SAA colours every token of the chosen example", saaColoursEveryToken],
  ["screenshot of the loss table and the heatmap", screenshot],
  ["the builder names bad hypotheses, and its spelling of ev gives ev's table", builder],
  ["the 9 preliminary experiments equal the CLI's runExperiment on the same rows to 1e-4", preliminaryEqualsCli],
  ["a long run shows progress, leaves the page responsive, and cancels", longRunCancels],
  ["running out of memory is explained, and the engine restarts", outOfMemory],
  ["a missing model bundle is a clear load error", missingBundle],
  ["a backend that cannot start is a clear message (webgpu without a GPU)", backendCannotStart],
  [`with the default settings the page skips software GPU backends (saying so), runs ev on 64 rows in under ${DEFAULT_EV_LIMIT_S} s, and exports it`, defaultSettings],
  ["the backend selector restarts the engine on the chosen backend, and back to automatic", backendSelector],
  ["no uncaught error in the page", async ({ pageErrors }) => assert.deepEqual(pageErrors, [])],
];

async function pageLoads({ page, base }: Session): Promise<void> {
  const backend = await waitReady(page, `${base}&backend=wasm`);
  assert.equal(backend, "wasm");
  const status = (await page.textContent("#status")) ?? "";
  assert.match(status, /2 layers × 8 heads/);
  assert.match(status, /\d+ rows × 301 tokens/);
  log(`status: ${status}`);
}

async function evEqualsCli(s: Session): Promise<void> {
  const { page, model } = s;
  await page.selectOption("#exp-select", "ev");
  await page.check("#attention");
  await page.click("#run-exp");
  assert.equal(await waitJob(page), "done");
  s.pageEv = await means(page);
  const cli = cliMeans(model, "ev");
  compare("ev", s.pageEv, cli.means, TOL);
  log(`page backend wasm; CLI backend ${cli.backend}`);
  // The references beside it are the CLI's too.
  compare("unscrubbed", await means(page, ".run-table", "data-unscrubbed-means"), cliMeans(model, "unscrubbed").means, TOL);
}

async function recoveredEqualsCli({ page, model }: Session): Promise<void> {
  const inPage = (JSON.parse((await page.getAttribute(".run-table", "data-recovered")) ?? "{}") as Record<string, RecoveredCells>).ev!;
  const cli = cliRecovered(model, "ev");
  for (const k of ["values", "lo", "hi"] as const) closeOrBothNull(`ev ${k}`, inPage[k], cli[k]);
  assert.deepEqual(inPage.gapUnclear, cli.gapUnclear);
  const labels = await page.locator(".run-table .isc-recovered-table tbody tr td:first-child").allTextContents();
  assert.deepEqual(labels.map((l) => l.endsWith(" †")), cli.gapUnclear, "† exactly where the gap is unclear");
  const note = await page.locator(".run-table .isc-recovered-table tfoot").count();
  assert.equal(note, cli.gapUnclear.some(Boolean) ? 1 : 0, "the † note under the table when a category is marked");
  log(`ev % recovered on CANDIDATES: page ${(await page.locator(".run-table .isc-recovered-table tbody tr").nth(1).locator("td").nth(1).textContent())?.trim()}; marked: ${labels.filter((l) => l.endsWith("†")).join(", ") || "none"}`);
}

async function plotsDrawn({ page }: Session): Promise<void> {
  await page.waitForSelector("#attn-plot .main-svg", { timeout: 30000 });
  const heatmaps = await page.locator("#attn-plot .heatmaplayer image, #attn-plot .hm image").count();
  assert.ok(heatmaps >= 1, `no heatmap image in the plot (${heatmaps})`);
  assert.equal(await page.locator(".run-table .isc-recovered-table").count(), 1);
  assert.equal(await page.locator(".run-table .isc-loss-table tbody tr").count(), 9);
  assert.equal(await page.locator(".run-table .isc-loss-table thead th", { hasText: /^SE$/ }).count(), 3, "an SE column beside each of the three means");
  const intervals = await page.locator(".run-table .isc-recovered-table .isc-ci").allTextContents();
  assert.equal(intervals.length, 9, "a 95 % interval in every % recovered cell");
  assert.ok(intervals.every((t) => /^\[(-?\d+\.\d%|nan), (-?\d+\.\d%|nan)\]$/.test(t)), intervals.join(" "));
}

async function saaColoursEveryToken({ page }: Session): Promise<void> {
  await page.fill("#saa-idx", "3");
  await page.fill("#saa-samples", "4");
  await page.selectOption("#saa-target", "exp");
  await page.click("#run-saa");
  assert.equal(await waitJob(page), "done");
  assert.equal(await page.locator("#saa-out span[data-pos]").count(), 301);
}

async function screenshot({ page }: Session): Promise<void> {
  await page.evaluate(() => window.scrollTo(0, 0));
  const file = path.join(results, "playground.png");
  await page.screenshot({ path: file, fullPage: true });
  if (process.env.WEB_SCREENSHOT) copyFileSync(file, path.resolve(process.env.WEB_SCREENSHOT));
  log(`screenshot: ${path.relative(repo, file)}${process.env.WEB_SCREENSHOT ? ` and ${process.env.WEB_SCREENSHOT}` : ""}`);
}

async function builder({ page, pageEv }: Session): Promise<void> {
  const heads = '#builder [data-node="0"] .rule .checks[data-name="heads"] input';
  const checked: string[] = [];
  const boxes = page.locator(heads);
  for (let i = 0; i < (await boxes.count()); i++) if (await boxes.nth(i).isChecked()) checked.push((await boxes.nth(i).getAttribute("value"))!);
  for (const v of checked) await page.uncheck(`${heads}[value="${v}"]`);
  assert.match((await page.textContent("#builder-status")) ?? "", /empty head list/);
  assert.equal(await page.isDisabled("#run-hyp"), true);
  // Sent anyway (SAA on "my hypothesis"), the worker refuses it with the same words.
  await page.selectOption("#saa-target", "hyp");
  await page.click("#run-saa");
  assert.equal(await waitJob(page, 60000, true), "failed:hypothesis");
  assert.match((await page.textContent("#error")) ?? "", /This hypothesis cannot be run.*empty head list for layer 1/s);
  await page.selectOption("#saa-target", "exp");
  for (const v of checked) await page.check(`${heads}[value="${v}"]`);
  await page.click("#add-node");
  await page.click("#add-node");
  assert.match((await page.textContent("#builder-status")) ?? "", /siblings "node 2" and "node 3" both match embed → logits/);
  await page.locator('#builder [data-node="2"] button', { hasText: "remove node" }).click();
  await page.locator('#builder [data-node="1"] button', { hasText: "remove node" }).click();
  assert.match((await page.textContent("#builder-status")) ?? "", /Valid: 50 of 625 paths/);
  // ev = layer-0 heads → V of the induction heads: "fed by layer 0 heads" instead of "fed by anything".
  await page.selectOption('#builder [data-node="0"] .rule-from', "0");
  assert.match((await page.textContent("#builder-status")) ?? "", /Valid: 48 of 625 paths/);
  await page.click("#run-hyp");
  assert.equal(await waitJob(page), "done");
  const mine = await means(page);
  assert.deepEqual(mine, pageEv, "the builder's ev differs from the catalogue's");
  assert.equal(await page.getAttribute(".run-table", "data-experiment"), "my hypothesis");
  const desc = (await page.textContent(".run-desc")) ?? "";
  assert.match(desc, /^my hypothesis: built in the page: node "scrubbed" resamples the paths its rules pick \(/);
}

async function preliminaryEqualsCli({ page, model }: Session): Promise<void> {
  await page.fill("#samples", "4");
  await page.click("#run-prelim");
  assert.equal(await waitJob(page), "done");
  const inPage = JSON.parse((await page.getAttribute(".prelim-table", "data-means")) ?? "{}") as Record<string, number[]>;
  assert.deepEqual(Object.keys(inPage), ["unscrubbed", "ev", "pth-k", "eq", "all", "baseline", "ev+", "pth-k+", "eq+"]);
  await initBackend({ quiet: true });
  const b = await loadBundle(model, { data: path.join(site, "model/eval.u16") });
  let worst = 0;
  for (const [name, m] of Object.entries(inPage)) {
    const r = await runExperiment(b, name, { samples: 4, seed: SEED });
    worst = Math.max(worst, ...m.map((v, i) => Math.abs(v - r.table[i].mean)));
  }
  b.model.dispose();
  log(`preliminary: max |page − runExperiment| over 9 × 9 means ${worst.toExponential(2)}`);
  assert.ok(worst <= TOL);
  // Nothing left from the run before: its heatmap (titled with its name) goes with its table.
  assert.equal(await page.isHidden("#attn-box"), true, "the previous run's heatmap is still shown under the preliminary tables");
  assert.equal(await page.locator(".run-desc").count(), 0);
  assert.ok((await page.locator(".prelim-table .isc-recovered-table").count()) >= 1, "the % recovered table (split in stacked parts when wider than 1,200 px)");
  assert.equal(await page.locator(".prelim-table .isc-recovered-table .isc-ci").count(), 7 * 9, "an interval for each of the 7 scored experiments and 9 categories");
}

async function longRunCancels({ page, pageEv }: Session): Promise<void> {
  await page.fill("#samples", "2000");
  await page.fill("#batch", "4");
  await page.selectOption("#exp-select", "all");
  await page.click("#run-exp");
  await page.waitForFunction(() => Number((document.getElementById("job-progress") as HTMLProgressElement).value) > 0, null, { timeout: 120000 });
  const label = await page.textContent("#job-label");
  const t = performance.now();
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r(null))));
  await page.fill("#saa-idx", "42");
  const rtt = performance.now() - t;
  assert.equal(await page.inputValue("#saa-idx"), "42");
  assert.ok(rtt < 1000, `the page took ${rtt.toFixed(0)} ms to answer during a run`);
  assert.equal(await page.evaluate(() => document.body.dataset.job), "running");
  await page.click("#cancel");
  assert.equal(await waitJob(page, 30000), "cancelled");
  log(`progress "${label}"; page answered in ${rtt.toFixed(0)} ms while running; cancelled`);
  // The engine is usable again at once.
  await rerunEv(page, pageEv);
}

async function outOfMemory({ page, pageEv }: Session): Promise<void> {
  // 512 rows per batch: one layer's attention scores and patterns alone are 2 × 1.5 GB, past wasm's 4 GB.
  await page.fill("#samples", "512");
  await page.fill("#batch", "512");
  await page.selectOption("#exp-select", "unscrubbed");
  await page.click("#run-exp");
  const state = await waitJob(page, 180000, true);
  assert.equal(state, "failed:memory", `the page said: ${(await page.textContent("#error")) ?? ""}`);
  assert.match((await page.textContent("#error")) ?? "", /Out of memory.*Lower the batch size/s);
  await page.waitForSelector('#status[data-state="ready"]', { timeout: 120000 });
  await rerunEv(page, pageEv);
}

/** ev with the usual samples and batch, which must give the means it gave first. */
async function rerunEv(page: Page, pageEv: number[]): Promise<void> {
  await page.fill("#samples", String(SAMPLES));
  await page.fill("#batch", "32");
  await page.selectOption("#exp-select", "ev");
  await page.click("#run-exp");
  assert.equal(await waitJob(page), "done");
  assert.deepEqual(await means(page), pageEv);
}

async function missingBundle({ ctx, base }: Session): Promise<void> {
  const p = await ctx.newPage();
  await p.goto(`${base}&backend=wasm&model=no-such-bundle/`);
  await p.waitForSelector('#status[data-state="failed"]', { timeout: 60000 });
  assert.equal(await p.getAttribute("#error", "data-kind"), "load");
  assert.match((await p.textContent("#error")) ?? "", /The model bundle could not be loaded.*no-such-bundle\/card\.json: HTTP 404/s);
  await p.close();
}

async function backendCannotStart({ ctx, base }: Session): Promise<void> {
  const p = await ctx.newPage();
  await p.goto(`${base}&backend=webgpu`);
  await p.waitForSelector('#status:not([data-state="loading"])', { timeout: 60000 });
  if ((await p.getAttribute("#status", "data-state")) === "ready") {
    log("note: this Chromium has a WebGPU adapter; the no-backend message was not exercised");
  } else {
    assert.equal(await p.getAttribute("#error", "data-kind"), "backend");
    assert.match((await p.textContent("#error")) ?? "", /No TensorFlow\.js backend works in this browser.*webgpu: /s);
    // Another backend can be chosen from the page.
    assert.equal(await p.isDisabled("#backend-select"), false);
    assert.equal(await p.locator('#backend-select option[value="wasm"]').getAttribute("disabled"), null);
  }
  await p.close();
}

/** Waits for a download started by clicking `button` and returns its text. */
async function downloaded(page: Page, button: string): Promise<{ name: string; text: string }> {
  const [download] = await Promise.all([page.waitForEvent("download", { timeout: 30000 }), page.click(button)]);
  const file = path.join(tempDir("web-download-"), download.suggestedFilename());
  await download.saveAs(file);
  return { name: download.suggestedFilename(), text: readFileSync(file, "utf8") };
}

async function defaultSettings({ ctx, serverUrl }: Session): Promise<void> {
  const p = await ctx.newPage();
  const backend = await waitReady(p, serverUrl);
  const notice = (await p.isVisible("#backend-notice")) ? ((await p.textContent("#backend-notice")) ?? "") : "";
  const webgl = (await p.locator('#backend-select option[value="webgl"]').textContent()) ?? "";
  log(`default backend: ${backend}; selector's WebGL: "${webgl}"; notice: "${notice || "none"}"`);
  // Without a GPU, WebGL here is SwiftShader: the page must not use it, and must say why.
  if (/software-rendered/.test(webgl)) {
    assert.equal(backend, "wasm");
    assert.match(notice, /^WebGL is software-rendered here \(SwiftShader\): using wasm, ~25× faster\.$/);
  }
  assert.ok(backend === "wasm" || !/software-rendered/.test(webgl), `a software GPU backend was chosen: ${backend}`);
  assert.equal(await p.inputValue("#samples"), "64");
  await p.selectOption("#exp-select", "ev");
  const t = performance.now();
  await p.click("#run-exp");
  assert.equal(await waitJob(p, DEFAULT_EV_LIMIT_S * 3000), "done");
  const seconds = (performance.now() - t) / 1000;
  log(`ev on 64 rows (with unscrubbed and baseline) on ${backend}, default settings: ${seconds.toFixed(1)} s`);
  assert.ok(seconds < DEFAULT_EV_LIMIT_S, `ev on 64 rows took ${seconds.toFixed(1)} s`);
  await exportsHoldEv(p, backend);
  await p.close();
}

async function exportsHoldEv(p: Page, backend: string): Promise<void> {
  const json = await downloaded(p, "#export-json");
  assert.equal(json.name, "scrub-ev-64-samples-seed-42.json");
  type Doc = { samples: number; seed: number; backend: string; hypothesis: { name: string }; model: { name: string }; tables: { experiment: string; categories: { mean: number; se: number | null; count: number }[] }[]; recovered: { experiment: string; categories: { recovered: number | null; lo: number | null; hi: number | null; gap_unclear: boolean }[] }[] };
  const doc = JSON.parse(json.text) as Doc;
  assert.deepEqual([doc.samples, doc.seed, doc.hypothesis.name], [64, 42, "ev"]);
  assert.ok(doc.backend.startsWith(backend), doc.backend);
  assert.deepEqual(doc.tables.map((t) => t.experiment), ["unscrubbed", "baseline", "ev"]);
  const ev = doc.tables[2]!.categories;
  assert.equal(ev.length, 9);
  assert.deepEqual(ev.map((c) => c.mean), await means(p), "the file's ev means are the page's");
  assert.ok(ev.every((c) => typeof c.count === "number" && "se" in c));
  const rec = doc.recovered.find((r) => r.experiment === "ev")!.categories;
  assert.ok(rec.length === 9 && rec.every((c) => "lo" in c && "hi" in c && typeof c.gap_unclear === "boolean"));
  const csv = (await downloaded(p, "#export-csv")).text.trimEnd().split("\n");
  assert.equal(csv[0], "experiment,category,mean,se,variance,count,recovered,lo,hi,gap_unclear");
  assert.equal(csv.length, 1 + 3 * 9);
  log(`exported ${json.name} (${json.text.length} bytes) and its CSV (${csv.length - 1} rows)`);
}

async function backendSelector({ ctx, base }: Session): Promise<void> {
  const p = await ctx.newPage();
  const auto = await waitReady(p, base);
  const pick = async (value: string) => {
    await p.selectOption("#backend-select", value);
    await p.waitForSelector('#status[data-state="loading"]', { timeout: 10000 }).catch(() => undefined);
    await p.waitForSelector('#status:not([data-state="loading"])', { timeout: 180000 });
    assert.equal(await p.getAttribute("#status", "data-state"), "ready", (await p.textContent("#error")) ?? "");
    return { name: (await p.textContent("#backend-name")) ?? "?", url: p.url(), status: (await p.textContent("#status")) ?? "" };
  };
  const webgl = await pick("webgl");
  assert.equal(webgl.name, "webgl");
  assert.match(webgl.url, /[?&]backend=webgl\b/);
  log(`forced WebGL: ${webgl.status.match(/\(WebGL[^)]*\)/)?.[0] ?? webgl.status}`);
  const wasm = await pick("wasm");
  assert.equal(wasm.name, "wasm");
  assert.equal(await p.isHidden("#backend-notice"), true, "no fallback notice when wasm was chosen");
  const webgpu = p.locator('#backend-select option[value="webgpu"]');
  if ((await webgpu.getAttribute("disabled")) !== null) assert.match((await webgpu.textContent()) ?? "", /unavailable: /);
  const back = await pick("");
  assert.equal(back.name, auto);
  assert.doesNotMatch(back.url, /backend=/);
  await p.close();
}

runMain("test:web", main);
