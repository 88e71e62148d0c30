/** `pnpm import-redwood`, the command: imports the fixture files with --from; usage and import errors are one line. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { TORCH_FIXTURES } from "@isc/importer/testing";

const scratch: string[] = [];
const tempDir = (label: string) => {
  const d = mkdtempSync(path.join(tmpdir(), `isc-import-${label}-`));
  scratch.push(d);
  return d;
};
after(() => {
  for (const d of scratch) rmSync(d, { recursive: true, force: true });
});

test("the command: imports with --from; usage and import errors are one line with exit 2", () => {
  const cli = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../src/import-redwood.js");
  const out = path.join(tempDir("cli"), "redwood");
  const ok = spawnSync(process.execPath, [cli, "--from", TORCH_FIXTURES, "--out", out, "--cache", tempDir("cli-cache")], {
    encoding: "utf8",
    env: { ...process.env, SCRUB_QUIET: "1" },
  });
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /imported into .*: 12 rows × 21 tokens, \[BEGIN\] = 257, 60 candidates/);
  for (const args of [["--bogus"], ["--from", "x", "--download"], ["--width", "abc"], ["--base-url", "ftp://x"]]) {
    const r = spawnSync(process.execPath, [cli, ...args], { encoding: "utf8" });
    assert.equal(r.status, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, /^import-redwood: /);
  }
  const bad = spawnSync(process.execPath, [cli, "--from", tempDir("cli-empty"), "--out", out], { encoding: "utf8", env: { ...process.env, SCRUB_QUIET: "1" } });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /^import-redwood: --from .*: missing et_model_state_dict\.pt/);
});
