/**
 * The notebooks' figures draw in a real Jupyter, wherever the notebook is opened. Debian's
 * `jupyter notebook` serves a copy of `00-tour` (SCRUB_SAMPLES=8) with the project's tslab kernel,
 * headless Chromium runs all its cells, re-runs the cell that inlines plotly.js and a figure cell
 * (the order that used to lose plotly.js), saves, and then every figure must have drawn:
 * in that page, after a reload, in a second tab, after closing and reopening, and in nbconvert's
 * HTML; the saved notebook holds plotly.js exactly once. Needs Debian's jupyter-notebook,
 * jupyter-nbconvert and chromium (.ci/run installs the first two); without them, and outside CI,
 * skipped with a note.
 */
import assert from "node:assert/strict";
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, test, type TestContext } from "node:test";
import { type Browser, chromium, type Page } from "playwright-core";
import { chromiumPath } from "../lib/render-png.js";
import { NOTEBOOKS_DIR } from "../tools/nbrun.js";
import { haveJupyter, type JupyterServer, startJupyter } from "./jupyter-server.js";

const NOTEBOOK = "00-tour.ipynb";
const model = path.join(NOTEBOOKS_DIR, "..", "weights", "default", "model.safetensors");
const tools = [haveJupyter() ? "" : "Jupyter (apt-get install jupyter-notebook jupyter-nbconvert)", chromiumPath() ? "" : "Chromium (apt-get install chromium)"].filter(Boolean);
const skip = !existsSync(model) ? `no model at ${model}` : tools.length && !process.env.CI ? `not installed: ${tools.join(", ")}` : false;

let name: string;
let scratch: string;
let server: JupyterServer;
let browser: Browser;

before(async () => {
  if (skip) return;
  // Beside the others (git-ignored): tslab compiles a notebook's imports only from under its folder.
  name = `jupyter-test-${process.pid}.ipynb`;
  copyFileSync(path.join(NOTEBOOKS_DIR, NOTEBOOK), path.join(NOTEBOOKS_DIR, name));
  scratch = mkdtempSync(path.join(os.tmpdir(), "jupyter-test-"));
  server = await startJupyter(NOTEBOOKS_DIR, { SCRUB_SAMPLES: "8", SCRUB_QUIET: "1" });
  browser = await chromium.launch({ executablePath: chromiumPath()!, args: ["--no-sandbox", "--disable-gpu", "--no-first-run"] });
});

after(async () => {
  await browser?.close();
  server?.stop();
  if (name) {
    rmSync(path.join(NOTEBOOKS_DIR, name), { force: true });
    // Jupyter's checkpoint of the copy; the folder goes too when nothing else is in it.
    rmSync(path.join(NOTEBOOKS_DIR, ".ipynb_checkpoints", name.replace(/\.ipynb$/, "-checkpoint.ipynb")), { force: true });
    if (readdirSync(path.join(NOTEBOOKS_DIR, ".ipynb_checkpoints")).length === 0) rmdirSync(path.join(NOTEBOOKS_DIR, ".ipynb_checkpoints"));
  }
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

interface Drawn {
  figures: number;
  drawn: number;
}

/** Figure outputs on the page, and how many of them plotly has drawn (an `svg.main-svg` inside). */
async function countDrawn(page: Page): Promise<Drawn> {
  // Plotly draws asynchronously; give it until every figure has drawn, or 20 s.
  await page.waitForFunction(() => Array.from(document.querySelectorAll(".isc-plot")).every((e) => e.querySelector(".main-svg")), null, { timeout: 20_000 }).catch(() => {});
  return page.evaluate(() => {
    const figs = Array.from(document.querySelectorAll(".isc-plot"));
    return { figures: figs.length, drawn: figs.filter((e) => e.querySelector(".main-svg")).length };
  });
}

/** Opens the notebook in a new tab and waits for its kernel. */
async function open(): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(`${server.url}/notebooks/${name}?token=${server.token}`);
  await page.waitForFunction(() => (window as unknown as JupyterWindow).Jupyter?.notebook?.kernel?.info_reply?.protocol_version !== undefined, null, { timeout: 180_000 });
  return page;
}

interface JupyterWindow {
  Jupyter: {
    notebook: {
      kernel: { info_reply?: { protocol_version?: string } };
      execute_all_cells(): void;
      execute_cells(indices: number[]): void;
      get_cells(): { cell_type: string; input_prompt_number?: number | string | null; output_area?: { outputs: { output_type: string; ename?: string; evalue?: string }[] } }[];
      save_notebook(): Promise<unknown>;
      dirty: boolean;
    };
  };
}

/**
 * Runs `cells` (all when undefined) and waits until none is running; returns what went wrong, if
 * anything: Jupyter stops at a failing cell and clears the prompts of the ones after it, and tslab
 * reports a compile error on stderr, not as an error output.
 */
async function execute(page: Page, cells?: number[]): Promise<string | null> {
  await page.evaluate((which) => {
    const nb = (window as unknown as JupyterWindow).Jupyter.notebook;
    if (which) nb.execute_cells(which);
    else nb.execute_all_cells();
  }, cells);
  await page
    .waitForFunction(() => document.querySelectorAll(".code_cell.running").length === 0, null, { timeout: 240_000, polling: 500 })
    .catch((e: Error) => {
      throw new Error(`${e.message}\njupyter's log:\n${server.log()}`);
    });
  return page.evaluate((which) => {
    const all = (window as unknown as JupyterWindow).Jupyter.notebook.get_cells();
    const ran = which ? which.map((i) => all[i]!) : all.filter((c) => c.cell_type === "code");
    const bad = ran.find((c) => typeof c.input_prompt_number !== "number" || c.output_area!.outputs.some((o) => o.output_type === "error"));
    return bad ? `cell ${all.indexOf(bad)}: ${JSON.stringify(bad.output_area!.outputs).slice(0, 2000)}` : null;
  }, cells);
}

async function save(page: Page): Promise<void> {
  await page.evaluate(() => (window as unknown as JupyterWindow).Jupyter.notebook.save_notebook());
  await page.waitForFunction(() => !(window as unknown as JupyterWindow).Jupyter.notebook.dirty, null, { timeout: 30_000 });
}

function assertAllDrawn(t: TestContext, where: string, d: Drawn, expected: number): void {
  t.diagnostic(`${where}: ${d.drawn} of ${d.figures} figures drawn`);
  assert.equal(d.figures, expected, `${where}: ${d.figures} figure outputs, expected ${expected}`);
  assert.equal(d.drawn, d.figures, `${where}: ${d.drawn} of ${d.figures} figures drew`);
}

test(`${NOTEBOOK} in jupyter notebook: every figure draws after run all, re-runs, reload, a second tab, reopen and nbconvert`, { skip, timeout: 600_000 }, async (t) => {
  const page = await open();
  assert.equal(await execute(page), null, "run all: no cell fails");
  const first = await countDrawn(page);
  assert.ok(first.figures >= 5, `${first.figures} figures`);
  assertAllDrawn(t, "after run all", first, first.figures);
  const codeCells = await page.evaluate(() => (window as unknown as JupyterWindow).Jupyter.notebook.get_cells().map((c, i) => (c.cell_type === "code" ? i : -1)).filter((i) => i >= 0));
  // The cell that inlines plotly.js, then the first figure cell: each re-run replaces its outputs.
  assert.equal(await execute(page, [codeCells[0]!, codeCells[2]!]), null, "re-runs: no cell fails");
  assertAllDrawn(t, "after re-running cells", await countDrawn(page), first.figures);
  await save(page);
  const saved = readFileSync(path.join(NOTEBOOKS_DIR, name), "utf8");
  assert.equal(saved.split("window.__iscDefine = window.define").length - 1, 1, "plotly.js is in the saved notebook exactly once");
  await page.reload();
  assertAllDrawn(t, "after reload", await countDrawn(page), first.figures);
  const second = await open();
  assertAllDrawn(t, "in a second tab", await countDrawn(second), first.figures);
  await second.close();
  await page.close();
  const reopened = await open();
  assertAllDrawn(t, "after close and reopen", await countDrawn(reopened), first.figures);
  await reopened.close();
  const html = path.join(scratch, "nbconvert.html");
  const r = server.run(["nbconvert", "--to", "html", "--output", html, path.join(NOTEBOOKS_DIR, name)]);
  assert.equal(r.status, 0, r.stderr);
  const converted = await browser.newPage();
  await converted.route("**/*", (req) => (req.request().url().startsWith("file:") ? req.continue() : req.abort()));
  await converted.goto(`file://${html}`);
  assertAllDrawn(t, "in nbconvert's HTML", await countDrawn(converted), first.figures);
  await converted.close();
});
