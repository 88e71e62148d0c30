/**
 * The two Jupyter kernels the notebooks run under, as kernelspecs: tslab (TypeScript on Node) and
 * Deno's own (`deno jupyter --kernel`). Both come from the notebooks package's dependencies, so
 * the kernelspec writer and the headless runner start exactly the same commands.
 */
import { createRequire } from "node:module";
import path from "node:path";

export type KernelName = "tslab" | "deno";
export const KERNEL_NAMES: readonly KernelName[] = ["tslab", "deno"];

/**
 * How long after its idle status a cell's last output may still arrive. Deno's kernel forwards
 * stdout and display messages from a task of their own, so they can trail the idle status (by
 * about a millisecond when measured; unwaited, the runner lost a cell's output in 2 runs of 6).
 */
export const LATE_OUTPUT_MS: Record<KernelName, number> = { tslab: 0, deno: 100 };

/** A kernel.json's fields; `{connection_file}` in argv is filled in by whoever starts the kernel. */
export interface Kernelspec {
  argv: string[];
  display_name: string;
  language: string;
}

const here = path.dirname(new URL(import.meta.url).pathname);
/** notebooks/ (this file is notebooks/dist/tools/kernels.js). */
const notebooks = path.resolve(here, "../..");
const requireHere = createRequire(path.join(notebooks, "package.json"));

/** The deno binary of the npm package (its install script links it into the package folder). */
function denoBinary(): string {
  const api = requireHere("deno/install_api.cjs") as { runInstall(): string };
  return api.runInstall();
}

export function kernelspec(name: KernelName): Kernelspec {
  if (name === "deno") return { argv: [denoBinary(), "jupyter", "--kernel", "--conn", "{connection_file}"], display_name: "Deno", language: "typescript" };
  const tslab = path.join(path.dirname(requireHere.resolve("tslab/package.json")), "bin", "tslab");
  return { argv: [process.execPath, tslab, "kernel", "--config-path", "{connection_file}"], display_name: "TypeScript", language: "typescript" };
}
