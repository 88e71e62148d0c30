#!/usr/bin/env node
/**
 * Writes the project-local kernelspecs, .jupyter-data/kernels/{tslab,deno}/kernel.json (git-ignored;
 * they hold this checkout's absolute paths), so Jupyter finds both kernels with no global set-up and
 * no Python for tslab (`tslab install` would need IPython and write a global kernelspec; `deno
 * jupyter --install` would write one for whatever deno is on the PATH):
 *   pnpm kernelspec && JUPYTER_PATH=$PWD/.jupyter-data jupyter notebook notebooks/
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseOrHelp, runMain } from "@isc/node";
import { KERNEL_NAMES, kernelspec } from "./kernels.js";

const here = path.dirname(new URL(import.meta.url).pathname);
const root = path.resolve(here, "../../..");

/** Writes every kernel's kernel.json; returns their folders. */
export function writeKernelspecs(): string[] {
  return KERNEL_NAMES.map((name) => {
    const dir = path.join(root, ".jupyter-data", "kernels", name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, "kernel.json"), JSON.stringify(kernelspec(name), null, 2) + "\n");
    return dir;
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === new URL(import.meta.url).pathname) {
  runMain("kernelspec", () => {
    if (!parseOrHelp(process.argv.slice(2), { name: "kernelspec", summary: "Writes the project-local kernelspecs of tslab and Deno, .jupyter-data/kernels/{tslab,deno}/kernel.json.", flags: {} })) return;
    const dirs = writeKernelspecs();
    process.stdout.write(dirs.map((d) => `wrote ${path.relative(process.cwd(), d)}/kernel.json\n`).join("") + `then: JUPYTER_PATH=${path.join(root, ".jupyter-data")} jupyter notebook notebooks/\n`);
  });
}
