/**
 * Picks the tfjs backend in a browser or a Web Worker: `webgpu`, then `webgl`, then `wasm` (SIMD, with
 * our own batched-matMul and log-sum-exp kernels, wasm-kernels.ts). Node has its own picker
 * (backend.ts), which loads tfjs-node and finds the wasm files on disk; here the page says where the
 * wasm binaries are served (`wasmPaths`), since only its bundler knows their URLs.
 * The pure-JS `cpu` backend is never chosen on its own (it is ~30× slower than wasm), only when asked.
 */
import { ResourceError } from "./errors.js";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { installWasmKernels, wasmKernelsInstalled } from "./wasm-kernels.js";

export type BrowserBackendName = "webgpu" | "webgl" | "wasm" | "cpu";
export const BROWSER_BACKEND_ORDER: readonly BrowserBackendName[] = ["webgpu", "webgl", "wasm"];

export interface BrowserBackendOptions {
  /** Try only this backend. */
  prefer?: BrowserBackendName;
  /**
   * Where tfjs-backend-wasm's `.wasm` files are: a URL prefix ending in "/", or a map from file name
   * (e.g. "tfjs-backend-wasm-simd.wasm") to URL. Without it tfjs looks next to the script.
   */
  wasmPaths?: string | Record<string, string>;
  /** Install our own wasm kernels on the wasm backend (default true; the Node CLI does the same). */
  fastKernels?: boolean;
}

export interface BrowserBackendInfo {
  name: BrowserBackendName;
  /** e.g. "SIMD, 1 thread, own matMul/logsumexp kernels" or "WebGL 2". */
  detail: string;
  /** Why each backend tried before this one was skipped. */
  skipped: string[];
}

/** No backend could be initialised; `failures` says why, one line per backend. */
export class NoBackendError extends ResourceError {
  override name = "NoBackendError";
  constructor(readonly failures: string[]) {
    super(`no TensorFlow.js backend works in this browser (tried ${failures.map((f) => f.split(":")[0]).join(", ")}):\n  ${failures.join("\n  ")}`);
  }
}

let chosen: Promise<BrowserBackendInfo> | undefined;

/** Selects the backend once per page or worker. */
export function initBrowserBackend(options: BrowserBackendOptions = {}): Promise<BrowserBackendInfo> {
  chosen ??= select(options);
  return chosen;
}

async function select(options: BrowserBackendOptions): Promise<BrowserBackendInfo> {
  const order = options.prefer ? [options.prefer] : BROWSER_BACKEND_ORDER;
  const failures: string[] = [];
  for (const name of order) {
    try {
      const why = await loaders[name](options);
      if (why) {
        failures.push(`${name}: ${why}`);
        continue;
      }
      // setBackend logs and returns false when the backend's initialisation fails (no adapter, no context).
      if (await tf.setBackend(name)) {
        await tf.ready();
        return { name, detail: await detailOf(name), skipped: failures };
      }
      failures.push(`${name}: initialisation failed`);
    } catch (e) {
      failures.push(`${name}: ${(e as Error).message.split("\n")[0]}`);
    }
  }
  throw new NoBackendError(failures);
}

/** Registers the backend; returns a reason when it cannot work here, undefined when it may. */
const loaders: Record<BrowserBackendName, (o: BrowserBackendOptions) => Promise<string | undefined>> = {
  async webgpu() {
    const nav = (globalThis as { navigator?: { gpu?: { requestAdapter(): Promise<unknown> } } }).navigator;
    if (!nav?.gpu) return "navigator.gpu is missing (WebGPU is off or unsupported)";
    if (!(await nav.gpu.requestAdapter())) return "no WebGPU adapter (no usable GPU)";
    await import("@tensorflow/tfjs-backend-webgpu");
    return undefined;
  },
  async webgl() {
    if (!canCreateWebgl()) return "no WebGL context (no GPU, or WebGL is disabled)";
    await import("@tensorflow/tfjs-backend-webgl");
    return undefined;
  },
  async wasm(o) {
    if (typeof WebAssembly !== "object") return "WebAssembly is not available";
    const wasm = await import("@tensorflow/tfjs-backend-wasm");
    if (o.wasmPaths !== undefined) {
      if (typeof o.wasmPaths === "string") wasm.setWasmPaths(o.wasmPaths);
      else wasm.setWasmPaths(o.wasmPaths as { [file: string]: string });
    }
    if (o.fastKernels ?? true) await installWasmKernels();
    return undefined;
  },
  async cpu() {
    return undefined;
  },
};

/** A WebGL context can be made here (a page's canvas, or OffscreenCanvas in a worker). */
function canCreateWebgl(): boolean {
  try {
    const g = globalThis as { OffscreenCanvas?: new (w: number, h: number) => { getContext(k: string): unknown }; document?: { createElement(t: string): { getContext(k: string): unknown } } };
    const canvas = g.OffscreenCanvas ? new g.OffscreenCanvas(1, 1) : g.document?.createElement("canvas");
    return !!canvas && !!(canvas.getContext("webgl2") ?? canvas.getContext("webgl"));
  } catch {
    return false;
  }
}

async function detailOf(name: BrowserBackendName): Promise<string> {
  switch (name) {
    case "wasm": {
      const simd = await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT");
      const threads = await tf.env().getAsync("WASM_HAS_MULTITHREAD_SUPPORT");
      const own = wasmKernelsInstalled() ? ", own matMul/logsumexp kernels" : "";
      return `${simd ? "SIMD" : "no SIMD"}, ${threads ? "multi-threaded" : "1 thread"}${own}`;
    }
    case "webgl":
      return `WebGL ${tf.env().getNumber("WEBGL_VERSION")}`;
    case "webgpu":
      return "WebGPU";
    case "cpu":
      return "pure JavaScript, slow";
  }
}
