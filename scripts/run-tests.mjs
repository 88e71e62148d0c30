#!/usr/bin/env node
// Runs every compiled test file of the workspace (any *.test.js under a package's dist/) with
// node's test runner, one process, one summary at the end. Arguments filter by path substring.
import { existsSync, readdirSync } from "node:fs";
import { spawnSync } from "node:child_process";
import path from "node:path";

const roots = [...readdirSync("packages").map((p) => path.join("packages", p)), "scripts", "notebooks"];
const files = [];
// tsc -b never deletes outputs of removed sources: a test whose .ts is gone must not run.
const sourceOf = (js) => js.replace(`${path.sep}dist${path.sep}`, path.sep).replace(/\.js$/, ".ts");
const walk = (dir) => {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory() && e.name !== "node_modules") walk(p);
    else if (e.isFile() && e.name.endsWith(".test.js") && existsSync(sourceOf(p))) files.push(p);
  }
};
for (const root of roots) if (existsSync(path.join(root, "dist"))) walk(path.join(root, "dist"));
if (files.length === 0) {
  console.error("no compiled tests found: run `pnpm build` first");
  process.exit(1);
}
const only = process.argv.slice(2);
const chosen = only.length ? files.filter((f) => only.some((o) => f.includes(o))) : files;
if (chosen.length === 0) {
  console.error(`no test file matches ${only.join(", ")}`);
  process.exit(1);
}
const runFiles = (list, env) =>
  spawnSync(process.execPath, ["--test", "--test-concurrency=1", ...list.sort()], { stdio: "inherit", env: { ...process.env, SCRUB_QUIET: "1", ...env } }).status ?? 1;
let status = runFiles(chosen, {});
// Where the native kernels are built they replace the wasm ones; run the kernel and golden tests
// once more without them, so both kernel sets stay checked.
const wasmOnly = chosen.filter((f) => /(wasm-kernels|golden|forward|bit-identity)\.test\.js$/.test(f));
if (status === 0 && wasmOnly.length && process.env.SCRUB_NATIVE !== "0") {
  console.log("\n# again without the native kernels (SCRUB_NATIVE=0)");
  status = runFiles(wasmOnly, { SCRUB_NATIVE: "0" });
}
process.exit(status);
