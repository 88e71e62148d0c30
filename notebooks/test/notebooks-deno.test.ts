/**
 * Two notebooks run under Deno's Jupyter kernel (`deno jupyter --kernel`, from the deno npm
 * package) and pass the same checks as under tslab; the first output says Deno and the backend it
 * got. The cheapest two: the others ran too when the Deno kernel was added (README, Notebooks).
 */
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { NOTEBOOKS_DIR } from "../tools/nbrun.js";
import { runAndCheck, skip } from "./run-and-check.js";

const out = mkdtempSync(path.join(os.tmpdir(), "notebooks-deno-"));

for (const name of ["00-tour.ipynb", "05-your-own-hypothesis.ipynb"]) {
  test(`${name} runs under Deno with SCRUB_SAMPLES=8`, { skip, timeout: 400_000 }, async () => {
    const htmls = await runAndCheck(path.join(NOTEBOOKS_DIR, name), out, "deno");
    assert.ok(htmls.some((h) => /runs on<\/td><td[^>]*>Deno \d+\.\d+\.\d+, tfjs \w+ backend/.test(h)), "the model card says Deno and the backend");
  });
}
