#!/usr/bin/env node
/**
 * Builds the optional native kernels (isc_native.c + gemm.c three times, one per instruction set)
 * into build/isc_native.node with whatever C compiler is on PATH and the Node-API headers from the
 * node-api-headers package; no node-gyp, no download. Run by the root `postinstall`. Without a
 * compiler it says so and exits 0: the library then uses its wasm kernels (slower, same numbers
 * to 1e-4). `--quiet` prints only failures.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.join(here, "build", "isc_native.node");
const quiet = process.argv.includes("--quiet");
const say = (msg) => quiet || console.error(`[isc native] ${msg}`);

function findCompiler() {
  for (const cc of [process.env.CC, "cc", "gcc", "clang"].filter(Boolean)) {
    try {
      execFileSync(cc, ["--version"], { stdio: "ignore" });
      return cc;
    } catch {
      /* try the next one */
    }
  }
  return null;
}

function main() {
  if (process.platform !== "linux" && process.platform !== "darwin") return say(`not built: ${process.platform} is not supported; the wasm kernels are used`);
  if (process.arch !== "x64") return say(`not built: the kernels are written for x86-64, this is ${process.arch}; the wasm kernels are used`);
  const sources = ["isc_native.c", "gemm.c", "gemm.h"].map((f) => path.join(here, f));
  if (existsSync(out) && sources.every((s) => statSync(s).mtimeMs <= statSync(out).mtimeMs)) return say(`up to date: ${out}`);
  const cc = findCompiler();
  if (!cc) return say("not built: no C compiler (cc, gcc or clang) on PATH; the wasm kernels are used. `apt-get install gcc` and `pnpm build:native` to build it");
  let include;
  try {
    include = path.join(path.dirname(createRequire(import.meta.url).resolve("node-api-headers/package.json")), "include");
  } catch {
    return say("not built: the node-api-headers package is not installed (run pnpm install); the wasm kernels are used");
  }
  const tmp = path.join(here, "build", "tmp");
  mkdirSync(tmp, { recursive: true });
  const common = ["-O3", "-fPIC", "-std=gnu11", "-fno-strict-aliasing", "-ffp-contract=fast", `-I${include}`, `-I${here}`];
  const variants = [
    ["avx512", ["-DISC_VW=16", "-mavx512f", "-mavx512vl", "-mfma"]],
    ["avx2", ["-DISC_VW=8", "-mavx2", "-mfma"]],
    ["sse", ["-DISC_VW=4"]],
  ];
  try {
    const objects = [];
    for (const [name, flags] of variants) {
      const obj = path.join(tmp, `gemm_${name}.o`);
      execFileSync(cc, [...common, ...flags, "-c", path.join(here, "gemm.c"), "-o", obj], { stdio: ["ignore", "ignore", "pipe"] });
      objects.push(obj);
    }
    const main = path.join(tmp, "isc_native.o");
    execFileSync(cc, [...common, "-c", path.join(here, "isc_native.c"), "-o", main], { stdio: ["ignore", "ignore", "pipe"] });
    const linkFlags = process.platform === "darwin" ? ["-bundle", "-undefined", "dynamic_lookup"] : ["-shared"];
    const partial = `${out}.partial`;
    execFileSync(cc, [...linkFlags, "-o", partial, main, ...objects, "-lpthread", "-lm"], { stdio: ["ignore", "ignore", "pipe"] });
    renameSync(partial, out);
    rmSync(tmp, { recursive: true, force: true });
    say(`built ${path.relative(process.cwd(), out)} with ${cc}`);
  } catch (e) {
    const detail = (e.stderr?.toString() ?? e.message).split("\n").slice(0, 6).join("\n  ");
    say(`not built (${cc} failed); the wasm kernels are used:\n  ${detail}`);
  }
}

main();
