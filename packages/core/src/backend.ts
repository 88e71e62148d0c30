/**
 * Picks the fastest tfjs backend that loads here: `tensorflow` (tfjs-node-gpu, then tfjs-node,
 * optional dependencies that only install where libtensorflow can be downloaded), then `wasm`
 * (SIMD), then the pure-JS `cpu`. `SCRUB_BACKEND=tensorflow|wasm|cpu` overrides the order.
 * On wasm, batched matMuls and the unembedding's log-sum-exp go to our own SIMD kernels
 * (wasm-kernels.ts; `SCRUB_FAST_BMM=0` keeps tfjs's own).
 */
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { createRequire } from "node:module";
import path from "node:path";
import { ResourceError, UsageError } from "./errors.js";
import { installNativeKernels, nativeKernelsInfo } from "./native-kernels.js";
import { installWasmKernels, wasmKernelsInstalled } from "./wasm-kernels.js";

export type BackendName = "tensorflow" | "wasm" | "cpu";
export const BACKEND_ORDER: readonly BackendName[] = ["tensorflow", "wasm", "cpu"];

export interface BackendInfo {
  name: BackendName;
  /** e.g. "SIMD, 1 thread" or "tfjs-node-gpu". */
  detail: string;
}

let chosen: Promise<BackendInfo> | undefined;

/** Selects the backend once per process and logs the choice once to stderr. */
export function initBackend(options: { prefer?: BackendName; quiet?: boolean } = {}): Promise<BackendInfo> {
  chosen ??= select(options.prefer ?? envBackend()).then((info) => {
    if (!options.quiet && !process.env.SCRUB_QUIET) console.error(`[isc] tfjs backend: ${info.name} (${info.detail})`);
    return info;
  });
  return chosen;
}

function envBackend(): BackendName | undefined {
  const v = process.env.SCRUB_BACKEND;
  if (v === undefined || v === "") return undefined;
  if (!(BACKEND_ORDER as readonly string[]).includes(v)) {
    throw new UsageError(`SCRUB_BACKEND=${v} is not one of ${BACKEND_ORDER.join(", ")}`);
  }
  return v as BackendName;
}

async function select(prefer: BackendName | undefined): Promise<BackendInfo> {
  const order = prefer ? [prefer] : BACKEND_ORDER;
  const failures: string[] = [];
  for (const name of order) {
    try {
      const detail = await loaders[name]();
      if (name === "wasm" && process.env.SCRUB_FAST_BMM !== "0") {
        await installWasmKernels();
        nativeMissing = (() => {
          const r = installNativeKernels();
          return r.ok ? null : r.why;
        })();
      }
      if (await tf.setBackend(name)) {
        await tf.ready();
        return { name, detail: detail ?? (await wasmDetail()) };
      }
      failures.push(`${name}: setBackend returned false`);
    } catch (e) {
      failures.push(`${name}: ${(e as Error).message.split("\n")[0]}`);
    }
  }
  const hint = prefer ? ` (SCRUB_BACKEND=${prefer}; unset it to let the fastest available one be picked)` : "";
  throw new ResourceError(`no tfjs backend could be initialised: ${failures.join("; ")}${hint}`);
}

const require = createRequire(import.meta.url);
tf.env().set("PROD", true); // before the umbrella loads: silences its "install tfjs-node" banner
// tfjs-core alone registers no gradients (its ESM registration file has extensionless imports Node
// cannot load); the umbrella package's CJS bundle registers them on the same tfjs-core instance.
require("@tensorflow/tfjs");

const loaders: Record<BackendName, () => Promise<string | undefined>> = {
  async tensorflow() {
    for (const pkg of ["@tensorflow/tfjs-node-gpu", "@tensorflow/tfjs-node"]) {
      try {
        await import(pkg);
        return pkg;
      } catch {
        // not installed or libtensorflow missing: try the next one
      }
    }
    throw new Error("neither @tensorflow/tfjs-node-gpu nor @tensorflow/tfjs-node loads (they need libtensorflow)");
  },
  async wasm() {
    const wasm = await import("@tensorflow/tfjs-backend-wasm");
    const dir = path.dirname(require.resolve("@tensorflow/tfjs-backend-wasm/package.json"));
    wasm.setWasmPaths(path.join(dir, "dist") + path.sep);
    return undefined;
  },
  async cpu() {
    return "pure JavaScript, slow";
  },
};

/** Why the native kernels are not in use (null when they are or were not tried). */
let nativeMissing: string | null = null;

async function wasmDetail(): Promise<string> {
  const simd = await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT");
  const threads = await tf.env().getAsync("WASM_HAS_MULTITHREAD_SUPPORT");
  const native = nativeKernelsInfo();
  const kernels = native ? `; native matMul/logsumexp kernels: ${native}` : wasmKernelsInstalled() ? `, own matMul/logsumexp kernels (native ones: ${nativeMissing})` : "";
  return `${simd ? "SIMD" : "no SIMD"}, ${threads ? "multi-threaded" : "1 thread"}${kernels}`;
}
