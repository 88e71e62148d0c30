#!/usr/bin/env node
/**
 * Writes the project-local tslab kernelspec, .jupyter-data/kernels/tslab/kernel.json (git-ignored;
 * it holds this checkout's absolute path), so Jupyter finds the kernel with no global set-up and no
 * Python for tslab (`tslab install` would need IPython and write a global kernelspec):
 *   pnpm kernelspec && JUPYTER_PATH=$PWD/.jupyter-data jupyter notebook notebooks/
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { parseOrHelp, runMain } from "@isc/node";

const here = path.dirname(new URL(import.meta.url).pathname);
const notebooks = path.resolve(here, "../..");
const root = path.dirname(notebooks);

export function writeKernelspec(): string {
  const tslab = path.join(path.dirname(createRequire(path.join(notebooks, "package.json")).resolve("tslab/package.json")), "bin", "tslab");
  const dir = path.join(root, ".jupyter-data", "kernels", "tslab");
  mkdirSync(dir, { recursive: true });
  const spec = { argv: [process.execPath, tslab, "kernel", "--config-path", "{connection_file}"], display_name: "TypeScript", language: "typescript" };
  writeFileSync(path.join(dir, "kernel.json"), JSON.stringify(spec, null, 2) + "\n");
  return dir;
}

if (process.argv[1] && path.resolve(process.argv[1]) === new URL(import.meta.url).pathname) {
  runMain("kernelspec", () => {
    if (!parseOrHelp(process.argv.slice(2), { name: "kernelspec", summary: "Writes the project-local tslab kernelspec, .jupyter-data/kernels/tslab/kernel.json.", flags: {} })) return;
    const dir = writeKernelspec();
    process.stdout.write(`wrote ${path.relative(process.cwd(), dir)}/kernel.json\nthen: JUPYTER_PATH=${path.join(root, ".jupyter-data")} jupyter notebook notebooks/\n`);
  });
}
