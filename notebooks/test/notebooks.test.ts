/**
 * Every notebook runs top to bottom in a fresh tslab kernel with a small sample count, writing to a
 * temporary folder, and passes run-and-check.ts.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { allNotebooks, giveCellIds } from "../tools/nbrun.js";
import { runAndCheck, skip } from "./run-and-check.js";

const out = mkdtempSync(path.join(os.tmpdir(), "notebooks-"));
const notebooks = allNotebooks();

test("the writeup notebooks are there", () => {
  assert.deepEqual(notebooks.map((f) => path.basename(f)), [
    "00-tour.ipynb",
    "01-preliminary-experiments.ipynb",
    "02-1.5-vs-1.6.ipynb",
    "03-layer-0.ipynb",
    "04-model-modifications.ipynb",
    "05-your-own-hypothesis.ipynb",
    "06-subspaces.ipynb",
  ]);
});

test("every committed notebook is nbformat 4.5 with a unique id on every cell, and the runner keeps them", () => {
  for (const file of notebooks) {
    const nb = JSON.parse(readFileSync(file, "utf8")) as { nbformat: number; nbformat_minor: number; cells: { id?: string }[] };
    assert.ok(nb.nbformat === 4 && nb.nbformat_minor >= 5, `${path.basename(file)}: nbformat ${nb.nbformat}.${nb.nbformat_minor}`);
    const ids = nb.cells.map((c) => c.id);
    assert.ok(ids.every((id) => typeof id === "string" && /^[A-Za-z0-9_-]{1,64}$/.test(id)), `${path.basename(file)}: a cell without a valid id`);
    assert.equal(new Set(ids).size, ids.length, `${path.basename(file)}: duplicate cell ids`);
  }
  const fresh = { cells: [{ id: "06-1", cell_type: "code", source: "", metadata: {} }, { cell_type: "code", source: "", metadata: {} }, { cell_type: "markdown", source: "", metadata: {} }], metadata: {}, nbformat: 4, nbformat_minor: 5 };
  giveCellIds(fresh, "06-subspaces");
  assert.deepEqual(fresh.cells.map((c) => c.id), ["06-1", "06-0", "06-2"]);
});

for (const file of notebooks) {
  test(`${path.basename(file)} runs headless with SCRUB_SAMPLES=8`, { skip, timeout: 400_000 }, async () => {
    const htmls = await runAndCheck(file, out, "tslab");
    assert.ok(htmls.some((h) => /runs on<\/td><td[^>]*>Node v/.test(h)), "the model card says the runtime and backend");
  });
}
