/** runMain: an expected failure is one line and exit 2, a bug its stack and exit 1, a return value the exit code. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { test } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";

const MAIN = pathToFileURL(path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../src/index.js")).href;

function run(body: string) {
  const code = `import { runMain } from ${JSON.stringify(MAIN)}; import { UsageError, FormatError } from "@isc/core"; ${body}`;
  return spawnSync(process.execPath, ["--input-type=module", "-e", code], { encoding: "utf8", cwd: path.dirname(fileURLToPath(import.meta.url)) });
}

test("exit codes and what is printed", () => {
  const usage = run(`runMain("tool", async () => { throw new UsageError("--n must be ≥ 1, got 0\\nmore"); });`);
  assert.equal(usage.status, 2);
  assert.equal(usage.stderr, "tool: --n must be ≥ 1, got 0\n");
  const format = run(`runMain("tool", () => { throw new FormatError("bad file"); });`);
  assert.deepEqual([format.status, format.stderr], [2, "tool: bad file\n"]);
  const bug = run(`runMain("tool", async () => { throw new TypeError("x is undefined"); });`);
  assert.equal(bug.status, 1);
  assert.match(bug.stderr, /^tool: TypeError: x is undefined\n {4}at /);
  assert.equal(run(`runMain("tool", async () => 3);`).status, 3);
  const ok = run(`runMain("tool", () => { console.log("done"); });`);
  assert.deepEqual([ok.status, ok.stdout], [0, "done\n"]);
});

/** The command's stdout through a shell pipe into `reader`; returns the reader's output and the command's exit code and stderr. */
function piped(body: string, reader: string) {
  const code = `import { runMain } from ${JSON.stringify(MAIN)}; ${body}`;
  const script = `node --input-type=module -e "$CODE" 2>"$ERR" | ${reader}; echo "status=\${PIPESTATUS[0]}"; cat "$ERR"`;
  const err = path.join(path.dirname(fileURLToPath(import.meta.url)), `main-test-stderr-${process.pid}`);
  const r = spawnSync("bash", ["-c", script], { encoding: "utf8", env: { ...process.env, CODE: code, ERR: err } });
  spawnSync("rm", ["-f", err]);
  return r.stdout;
}

test("output survives a slow pipe, and a pipe closed early ends the command quietly", () => {
  // 2 MB is far more than a pipe holds: without the flush, exiting dropped what the reader had not read yet.
  const lines = `runMain("tool", () => { for (let i = 0; i < 20000; i++) console.log(String(i).padEnd(99, ".")); });`;
  assert.equal(piped(lines, "(sleep 0.3; wc -l)"), "20000\nstatus=0\n");
  assert.equal(piped(lines, "head -1"), `0${".".repeat(98)}\nstatus=0\n`);
});
