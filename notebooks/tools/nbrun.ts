#!/usr/bin/env node
/**
 * `pnpm notebooks`: executes every notebook top to bottom in a fresh kernel (tslab's, or Deno's with
 * `--kernel deno`), headless, and
 * stops at the first failing cell (exit 1). Outputs are written back into the notebook (so the
 * committed notebooks show a real run) unless `--out DIR` asks for copies there.
 *
 *   node notebooks/dist/tools/nbrun.js [--kernel tslab|deno] [--out DIR] [--samples N] [--timeout S] [--png] [notebook.ipynb ...]
 *
 * --samples N sets SCRUB_SAMPLES for the kernels: every notebook reads its sample counts through
 * it, so CI runs them small. --png then embeds a static PNG (Debian Chromium) in every plotly output,
 * for viewers that do not run scripts. With no notebook named, runs notebooks/[0-9]*.ipynb in order.
 */
import { IscError, UsageError } from "@isc/core";
import { type Command, parseOrHelp, runMain } from "@isc/node";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import _ from "lodash";
import { KernelClient, type Message } from "./kernel-client.js";
import { KERNEL_NAMES, type KernelName, kernelspec, LATE_OUTPUT_MS } from "./kernels.js";
import { addPngFallbacks } from "./add-png.js";
import { PngRenderer } from "../lib/render-png.js";

interface Cell {
  /** nbformat 4.5's cell id: stable across runs, so diffs and Jupyter's collaboration keep each cell. */
  id?: string;
  cell_type: string;
  source: string | string[];
  metadata: Record<string, unknown>;
  outputs?: unknown[];
  execution_count?: number | null;
}
interface Notebook {
  cells: Cell[];
  metadata: Record<string, unknown>;
  nbformat: number;
  nbformat_minor: number;
}

export interface RunOptions {
  /** The kernel to run in (default tslab). */
  kernel?: KernelName;
  out?: string;
  env?: NodeJS.ProcessEnv;
  cellTimeoutS?: number;
  log?: (s: string) => void;
}

export interface RunReport {
  notebook: string;
  written: string;
  seconds: number;
  cells: number;
  bytes: number;
}

export class CellError extends IscError {
  override name = "CellError";
}

const here = path.dirname(new URL(import.meta.url).pathname);
/** notebooks/ (this file is notebooks/dist/tools/nbrun.js). */
export const NOTEBOOKS_DIR = path.resolve(here, "../..");

const text = (s: string | string[]) => (Array.isArray(s) ? s.join("") : s);
/** nbformat stores multi-line strings as lists of lines, each keeping its "\n". */
function lines(s: string): string[] {
  return s.split(/(?<=\n)/);
}

/** Turns an iopub message into an nbformat output, merging consecutive stream chunks. */
function addOutput(outputs: Record<string, unknown>[], m: Message, count: number): void {
  const c = m.content;
  switch (m.header.msg_type) {
    case "stream": {
      const last = outputs[outputs.length - 1];
      if (last && last.output_type === "stream" && last.name === c.name) {
        last.text = lines(text(last.text as string[]) + String(c.text));
      } else outputs.push({ output_type: "stream", name: c.name, text: lines(String(c.text)) });
      return;
    }
    case "display_data":
    case "update_display_data":
      outputs.push({ output_type: "display_data", data: bundle(c.data), metadata: c.metadata ?? {} });
      return;
    case "execute_result":
      outputs.push({ output_type: "execute_result", data: bundle(c.data), metadata: c.metadata ?? {}, execution_count: count });
      return;
    case "error":
      outputs.push({ output_type: "error", ename: c.ename, evalue: c.evalue, traceback: c.traceback });
      return;
    case "clear_output":
      outputs.length = 0;
      return;
    default:
      return; // execute_input and the like carry no output
  }
}

/** Text mime types are stored as line lists (as Jupyter does); JSON ones as objects. */
function bundle(data: unknown): Record<string, unknown> {
  return _.mapValues((data ?? {}) as Record<string, unknown>, (v, k) => (typeof v === "string" && (k.startsWith("text/") || k === "image/svg+xml") ? lines(v) : v));
}

function stripAnsi(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\x1b\[[0-9;]*m/g, "");
}

/**
 * Runs one notebook; throws CellError (after writing what ran) at the first failing cell.
 * tslab's kernel itself sometimes dies with "Unexpected pending rebuildTimer" (a race in its
 * TypeScript file watcher, not in the notebook); that one failure gets one fresh kernel and retry.
 */
export async function runNotebook(file: string, options: RunOptions = {}): Promise<RunReport> {
  try {
    return await runNotebookOnce(file, options);
  } catch (e) {
    if (e instanceof CellError || !/rebuildTimer/.test((e as Error).message)) throw e;
    (options.log ?? ((s: string) => process.stderr.write(s + "\n")))(`  ${path.basename(file)}: tslab's kernel died (pending rebuildTimer); retrying once in a fresh kernel`);
    return runNotebookOnce(file, options);
  }
}

async function runNotebookOnce(file: string, options: RunOptions): Promise<RunReport> {
  const log = options.log ?? ((s: string) => process.stderr.write(s + "\n"));
  const nb = JSON.parse(readFileSync(file, "utf8")) as Notebook;
  const written = options.out ? path.join(options.out, path.basename(file)) : file;
  const t0 = performance.now();
  const kernelName = options.kernel ?? "tslab";
  const spec = kernelspec(kernelName);
  const kernel = await KernelClient.start({ name: kernelName, argv: spec.argv, lateOutputMs: LATE_OUTPUT_MS[kernelName] }, path.dirname(path.resolve(file)), { ...process.env, ...options.env });
  let count = 0;
  let failure: CellError | null = null;
  try {
    for (const [i, cell] of nb.cells.entries()) {
      if (cell.cell_type !== "code") continue;
      const code = text(cell.source);
      count += 1;
      const outputs: Record<string, unknown>[] = [];
      const c0 = performance.now();
      const started = new Date().toISOString();
      const reply = await kernel.execute(code, (m) => addOutput(outputs, m, count), (options.cellTimeoutS ?? 600) * 1000);
      cell.outputs = outputs;
      cell.execution_count = count;
      cell.metadata = { ...cell.metadata, execution: { "iopub.execute_input": started, "shell.execute_reply": new Date().toISOString() } };
      const secs = (performance.now() - c0) / 1000;
      if (reply.content.status !== "ok" || outputs.some((o) => o.output_type === "error")) {
        const err = outputs.find((o) => o.output_type === "error") as { ename?: string; evalue?: string; traceback?: string[] } | undefined;
        // tslab reports compile errors on stderr rather than as an error message.
        const stderr = outputs.filter((o) => o.output_type === "stream" && o.name === "stderr").map((o) => text(o.text as string[])).join("");
        const why = err ? `${err.ename}: ${err.evalue}\n${(err.traceback ?? []).map(stripAnsi).join("\n")}` : stripAnsi(stderr) || `status ${String(reply.content.status)}`;
        failure = new CellError(`${path.basename(file)}: cell ${i} (code cell ${count}) failed:\n${why}\n--- cell source ---\n${code}`);
        break;
      }
      if (secs > 5) log(`  ${path.basename(file)} cell ${count}: ${secs.toFixed(1)} s`);
    }
  } finally {
    await kernel.shutdown();
  }
  nb.metadata = {
    ...nb.metadata,
    kernelspec: { name: kernelName, display_name: spec.display_name, language: spec.language },
    language_info: { name: "typescript", file_extension: ".ts", mimetype: "text/typescript", codemirror_mode: { name: "javascript", typescript: true } },
  };
  giveCellIds(nb, path.basename(file, ".ipynb"));
  mkdirSync(path.dirname(written), { recursive: true });
  const json = JSON.stringify(nb, null, 1) + "\n";
  writeFileSync(written, json);
  const seconds = (performance.now() - t0) / 1000;
  if (failure) throw failure;
  return { notebook: file, written, seconds, cells: count, bytes: Buffer.byteLength(json) };
}

/** The numbered notebooks of notebooks/, in order. */
export function allNotebooks(dir = NOTEBOOKS_DIR): string[] {
  return readdirSync(dir)
    .filter((f) => /^\d.*\.ipynb$/.test(f))
    .sort()
    .map((f) => path.join(dir, f));
}

export const MAX_NOTEBOOK_BYTES = 5 * 1024 * 1024;

const COMMAND = {
  name: "nbrun",
  summary: "Runs notebooks top to bottom in fresh kernels (tslab or Deno), writing their outputs back (or into --out); stops at the first failing cell.",
  flags: {
    kernel: { type: "string", choices: KERNEL_NAMES, help: "the Jupyter kernel (default tslab)" },
    out: { type: "string", arg: "DIR", help: "write the run notebooks here instead of over the originals" },
    samples: { type: "int", min: 1, help: "SCRUB_SAMPLES for the kernels: every notebook's sample counts" },
    timeout: { type: "float", min: 0, arg: "S", help: "seconds a cell may run (default 600)" },
    png: { type: "boolean", help: "embed a static PNG in every plotly output (Debian Chromium)" },
  },
  positionals: { name: "NOTEBOOK.ipynb ...", help: "the notebooks (default notebooks/[0-9]*.ipynb, in order)" },
} as const satisfies Command;

async function main(argv: string[]): Promise<number> {
  const args = parseOrHelp(argv, COMMAND);
  if (!args) return 0;
  const { flags } = args;
  const files = args.positionals.map((a) => path.resolve(a));
  const env: NodeJS.ProcessEnv = flags.samples === undefined ? {} : { SCRUB_SAMPLES: String(flags.samples) };
  const out = flags.out === undefined ? undefined : path.resolve(flags.out);
  const timeout = flags.timeout ?? 600;
  const png = flags.png ?? false;
  const list = files.length ? files : allNotebooks();
  for (const f of list) if (!existsSync(f) || !statSync(f).isFile()) throw new UsageError(`no notebook ${f}`);
  const reports: RunReport[] = [];
  for (const f of list) {
    process.stderr.write(`running ${path.relative(process.cwd(), f)}${env.SCRUB_SAMPLES ? ` (SCRUB_SAMPLES=${env.SCRUB_SAMPLES})` : ""}\n`);
    try {
      const r = await runNotebook(f, { kernel: flags.kernel as KernelName | undefined, out, env, cellTimeoutS: timeout });
      if (png) {
        const renderer = await PngRenderer.launch();
        try {
          await addPngFallbacks(r.written, renderer);
        } finally {
          await renderer.close();
        }
        r.bytes = statSync(r.written).size;
      }
      reports.push(r);
      const mb = (r.bytes / 1024 / 1024).toFixed(2);
      process.stderr.write(`ok ${path.basename(f)}: ${r.cells} cells in ${r.seconds.toFixed(1)} s, ${mb} MB -> ${path.relative(process.cwd(), r.written)}\n`);
      if (r.bytes > MAX_NOTEBOOK_BYTES) {
        process.stderr.write(`FAIL ${path.basename(f)} is ${mb} MB; notebooks must stay under 5 MB\n`);
        return 1;
      }
    } catch (e) {
      process.stderr.write(`FAIL ${(e as Error).message}\n`);
      return 1;
    }
  }
  process.stdout.write(reports.map((r) => `${path.basename(r.notebook)}\t${r.seconds.toFixed(1)} s\t${(r.bytes / 1024).toFixed(0)} kB`).join("\n") + "\n");
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === new URL(import.meta.url).pathname) {
  runMain("nbrun", () => main(process.argv.slice(2)));
}

/** Ids for cells without one (nbformat ≥ 4.5 requires them): "<notebook number>-<n>", unique within the notebook. */
export function giveCellIds(nb: Notebook, name: string): void {
  const taken = new Set(nb.cells.map((c) => c.id).filter((id): id is string => id !== undefined));
  const stem = name.split("-")[0] ?? "nb";
  let n = 0;
  for (const c of nb.cells) {
    if (c.id !== undefined) continue;
    while (taken.has(`${stem}-${n}`)) n++;
    c.id = `${stem}-${n}`;
    taken.add(c.id);
  }
}
