/**
 * Which Jupyter kernel runs the notebook, and how a rich output reaches its front end: Deno's own
 * kernel (`deno jupyter`) takes a mime bundle through `Deno.jupyter.display`; tslab's through
 * `tslab.display`. tslab is required only under tslab: under Deno it would load its TypeScript
 * compiler and zeromq for nothing. (No `import.meta`: tslab compiles this file to CommonJS.)
 */
import { createRequire } from "node:module";
import path from "node:path";
import type * as Tslab from "tslab";
import { repoRoot } from "./paths.js";

/** The part of Deno's namespace used here (the notebooks package has no Deno types). */
interface DenoNamespace {
  version: { deno: string };
  jupyter?: { display(bundle: Record<string, string>, options: { raw: true }): Promise<void> };
}

const deno = (globalThis as { Deno?: DenoNamespace }).Deno;

let tslab: typeof Tslab | undefined;

/** "Deno 2.9.6" or "Node v20.19.0": what the first cell of a notebook reports. */
export function runtimeName(): string {
  return deno ? `Deno ${deno.version.deno}` : `Node ${process.version}`;
}

/** Shows one output of the given mime type in the notebook, under either kernel. */
export function showMime(mime: "text/html" | "text/markdown", content: string): void {
  // Deno's display is asynchronous; its messages still leave in call order, before the cell ends.
  if (deno?.jupyter) void deno.jupyter.display({ [mime]: content }, { raw: true });
  else {
    tslab ??= createRequire(path.join(repoRoot(), "notebooks", "package.json"))("tslab") as typeof Tslab;
    tslab.display.raw(mime, content);
  }
}
