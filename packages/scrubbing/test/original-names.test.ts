/**
 * The catalogue holds every experiment the original experiments.py defines at its last commit, as
 * `scrub list` names them for the default model. The names, and their spelling for the default
 * model's roles, are in a fixture written by scripts/src/original-experiment-names.ts from the
 * original file (which this repository does not contain).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import { dirSource, initBackend } from "@isc/core";
import { experimentCatalogue, loadBundleFrom } from "../src/index.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const FIXTURE = path.resolve(here, "../../test/fixtures/original-experiment-names.txt");
const MODEL_DIR = path.resolve(here, "../../../../weights/default");
/** aryamanarora/induction HEAD (docs/semantics.md §0, REPO). */
const HEAD = "6207abc9642aaf14f527a2021c8e73a722c9d452";

function fixture(): { header: string; pairs: [string, string][] } {
  const lines = readFileSync(FIXTURE, "utf8").split("\n").filter((l) => l.length > 0);
  const pairs = lines.filter((l) => !l.startsWith("#")).map((l) => l.split("\t") as [string, string]);
  return { header: lines[0], pairs };
}

test("the fixture lists the original experiments.py at HEAD, each name once", () => {
  const { header, pairs } = fixture();
  assert.match(header, new RegExp(`at ${HEAD} .*: ${pairs.length} experiment names$`));
  assert.ok(pairs.every((p) => p.length === 2 && p[0] && p[1]), "each line: original name, tab, name for the default model");
  assert.equal(new Set(pairs.map((p) => p[0])).size, pairs.length, "the original names are distinct");
});

test("the default model's catalogue (what `scrub list` shows) holds every experiment of the original", async () => {
  await initBackend({ quiet: true });
  const bundle = await loadBundleFrom(dirSource(MODEL_DIR), {});
  const catalogue = experimentCatalogue(bundle.model.cfg, bundle.roles);
  bundle.model.dispose();
  const { pairs } = fixture();
  const missing = pairs.filter(([, ours]) => !catalogue.has(ours));
  const list = missing.map(([orig, ours]) => (orig === ours ? ours : `${ours} (originally ${orig})`));
  assert.equal(missing.length, 0, `${missing.length} of the original's ${pairs.length} experiments are not in the catalogue:\n${list.join("\n")}`);
});
