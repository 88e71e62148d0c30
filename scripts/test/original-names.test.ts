/**
 * `pnpm original-names`: the stub-executing name lister on a small file shaped like the original
 * experiments.py, and the rewriting of Redwood's head numbers for other roles.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { REDWOOD_ATTN_2L } from "@isc/core";
import { REDWOOD_ROLES } from "@isc/scrubbing";
import { roleNameMapper } from "../src/original-names/role-names.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(here, "../../..");
const dir = mkdtempSync(path.join(tmpdir(), "isc-original-names-"));
after(() => rmSync(dir, { recursive: true, force: true }));

// The original's shape: stubbed imports, matchers combined with | and .chain, names from loops.
const SAMPLE = `
import torch
import rust_circuit as rc
from interp.circuit.causal_scrubbing.hypothesis import CondSampler, Correspondence, InterpNode, UncondSampler, corr_root_matcher
from main import run_experiment

class FixedSampler(CondSampler):
    pos: int

def make_corr(children=[], options=None):
    corr = Correspondence()
    root = InterpNode(None, name="logits")
    for i, c in enumerate(children):
        corr.add(root.make_descendant(UncondSampler(), name=f"{i}"), c)
    return (corr, options, children)

def make_experiments(make_corr=make_corr):
    res = {}
    ind = rc.Matcher("b1.a.head5") | rc.Matcher("b1.a.head6")
    res["unscrubbed"] = make_corr()
    for ch in ["q", "k"]:
        res[f"scrub-{ch}-1.6-0.0647"] = make_corr([ind.chain(rc.restrict("a." + ch, term_early_at="b0"))])
    res["all-1.6"] = make_corr([ind.children_matcher({3}).chain("b0.a")])
    res["1.3-real-0.0"] = make_corr(options={"make_pth_true_prev": [3]})
    return res

if __name__ == "__main__":
    raise SystemExit("must not run")
`;

test("the lister executes the file with stubbed imports and prints its names in order", () => {
  const file = path.join(dir, "experiments.py");
  writeFileSync(file, SAMPLE);
  const r = spawnSync("python3", [path.join(ROOT, "scripts/original-names/experiment_names.py"), file], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.stdout.trim().split("\n"), ["unscrubbed", "scrub-q-1.6-0.0647", "scrub-k-1.6-0.0647", "all-1.6", "1.3-real-0.0"]);
  const cli = path.join(here, "../src/original-experiment-names.js");
  const run = (args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: "utf8", env: { ...process.env, SCRUB_QUIET: "1" } });
  const bad = run([file]);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--commit must be/);
  const ok = run([file, "--commit", "6207abc9642aaf14f527a2021c8e73a722c9d452", "--out", "-"]);
  assert.equal(ok.status, 0, ok.stderr);
  const lines = ok.stdout.trim().split("\n");
  assert.match(lines[0], /at 6207abc9642aaf14f527a2021c8e73a722c9d452 \(sha256 [0-9a-f]{64}\): 5 experiment names$/);
  // The default model: previous-token head 0.0, induction heads 1.6 and 1.7, pth-k+ keeps 0.0 only.
  assert.deepEqual(lines.slice(2), ["unscrubbed\tunscrubbed", "scrub-q-1.6-0.0647\tscrub-q-1.6-0.0246", "scrub-k-1.6-0.0647\tscrub-k-1.6-0.0246", "all-1.6\tall-1.7", "1.3-real-0.0\t1.3-real-0.0"]);
});

test("with Redwood's own roles every original name stays as it is", () => {
  const rename = roleNameMapper(REDWOOD_ATTN_2L, REDWOOD_ROLES);
  const fixture = readFileSync(path.join(ROOT, "packages/scrubbing/test/fixtures/original-experiment-names.txt"), "utf8");
  const names = fixture.split("\n").filter((l) => l && !l.startsWith("#")).map((l) => l.split("\t")[0]);
  assert.ok(names.length > 3000);
  for (const n of names) assert.equal(rename(n), n);
});

test("other roles: role sets, the previous-token head and the induction heads are renamed; loop heads are not", () => {
  const roles = { previousTokenHead: { layer: 0, head: 3 }, inductionHeads: { layer: 1, heads: [1, 2] }, plusHeads: [3, 4, 5, 6], pthKPlusKept: [3, 5], ekNarrowScrubbed: [3] };
  const rename = roleNameMapper(REDWOOD_ATTN_2L, roles);
  assert.equal(rename("scrub-v-1.4-0.06"), "scrub-v-1.4-0.35"); // pth-k+'s kept heads
  assert.equal(rename("scrub-v-1.4-0.1235e-split"), "scrub-v-1.4-0.0127e-split"); // outside the plus heads
  assert.equal(rename("scrub-v-1.4-0.6e"), "scrub-v-1.4-0.6e"); // one head: a loop variable
  assert.equal(rename("q-1.5-zero-0.0"), "q-1.5-zero-0.3");
  assert.equal(rename("k-1.5-transplant-1.6-l0h06-out-proj-9d"), "k-1.1-transplant-1.2-l0h35-out-proj-9d");
  assert.equal(rename("positional-ek-1.5"), "positional-ek-1.1");
  assert.equal(rename("scrub-1.5"), "scrub-1.5");
  assert.equal(rename("swap-0.0-1.6"), "swap-0.0-1.6");
  assert.throws(() => rename("scrub-q-1.0-0.25"), /head set 25 is none of the roles' sets/);
});
