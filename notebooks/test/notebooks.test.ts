/**
 * Every notebook runs top to bottom in a fresh tslab kernel with a small sample count, writing to a
 * temporary folder, and passes run-and-check.ts.
 */
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { allNotebooks } from "../tools/nbrun.js";
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

for (const file of notebooks) {
  test(`${path.basename(file)} runs headless with SCRUB_SAMPLES=8`, { skip, timeout: 400_000 }, async () => {
    const htmls = await runAndCheck(file, out, "tslab");
    assert.match(htmls[0] ?? "", /runs on<\/td><td[^>]*>Node v/, "the first output says the runtime and backend");
  });
}
