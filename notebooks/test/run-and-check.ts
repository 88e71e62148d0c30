/**
 * What every headless notebook test checks, under either kernel: the notebook runs top to bottom
 * with a small sample count (what `pnpm notebooks --samples 8` does) into `out`, stays under 5 MB,
 * and shows at least one HTML table or plotly figure, with plotly inlined once and nothing loaded
 * from elsewhere. Skipped, with the reason, when the checkout has no model.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { MAX_NOTEBOOK_BYTES, NOTEBOOKS_DIR, runNotebook } from "../tools/nbrun.js";
import type { KernelName } from "../tools/kernels.js";

const model = path.join(NOTEBOOKS_DIR, "..", "weights", "default", "model.safetensors");
/** Why the notebook tests are skipped (no model in the checkout), or false. */
export const skip = existsSync(model) ? false : `no model at ${model} (train and export one, or commit weights/default)`;

/** Runs and checks one notebook; returns the text/html of its outputs, in order. */
export async function runAndCheck(file: string, out: string, kernel: KernelName): Promise<string[]> {
  const r = await runNotebook(file, { kernel, out, env: { SCRUB_SAMPLES: "8", SCRUB_QUIET: "1" }, log: () => {} });
  assert.ok(r.bytes < MAX_NOTEBOOK_BYTES, `${r.bytes} bytes`);
  const nb = JSON.parse(readFileSync(r.written, "utf8")) as { cells: { cell_type: string; outputs?: { data?: Record<string, string[]> }[] }[] };
  const htmls = nb.cells.flatMap((c) => c.outputs ?? []).map((o) => (o.data?.["text/html"] ?? []).join(""));
  assert.ok(htmls.some((h) => h.includes("<table") || h.includes("Plotly.newPlot")), "an HTML table or a plotly figure");
  // plotly comes from the installed package, inlined once per notebook; no CDN.
  const ours = htmls.map((h) => h.replace(/window\.define = undefined;<\/script><script type="text\/javascript">[\s\S]*?<\/script><script type="text\/javascript">window\.define = window\.__iscDefine/, ""));
  assert.ok(ours.every((h) => !/<script[^>]+src=/i.test(h)), "no script loaded from elsewhere");
  if (htmls.some((h) => h.includes("Plotly.newPlot"))) assert.equal(htmls.filter((h) => h.includes("window.__iscDefine = window.define")).length, 1);
  return htmls.filter((h) => h !== "");
}
