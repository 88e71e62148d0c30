/**
 * Picks the tfjs backend in a browser or a Web Worker: `webgpu`, then `webgl`, then `wasm` (SIMD, with
 * our own batched-matMul and log-sum-exp kernels, wasm-kernels.ts). Node has its own picker
 * (backend.ts), which loads tfjs-node and finds the wasm files on disk; here the page says where the
 * wasm binaries are served (`wasmPaths`), since only its bundler knows their URLs.
 * The pure-JS `cpu` backend is never chosen on its own (it is ~30× slower than wasm), only when asked.
 *
 * The automatic choice takes a GPU backend only on real hardware: a software renderer or a WebGPU
 * fallback adapter is skipped (software-renderer.ts), and a GPU backend that loses a timed probe
 * against wasm (backend-probe.ts) gives way to wasm. `notice` then says so, for the page to show.
 */
import { ResourceError } from "./errors.js";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { probeFallback } from "./backend-probe.js";
import { inspectBackend } from "./backend-inspect.js";
import { installWasmKernels, wasmKernelsInstalled } from "./wasm-kernels.js";

export type BrowserBackendName = "webgpu" | "webgl" | "wasm" | "cpu";
export const BROWSER_BACKEND_ORDER: readonly BrowserBackendName[] = ["webgpu", "webgl", "wasm"];

export interface BrowserBackendOptions {
  /** Try only this backend, even when it is software-rendered. */
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
  /** e.g. "SIMD, 1 thread, own matMul/logsumexp kernels" or "WebGL 2, ANGLE (NVIDIA ...)". */
  detail: string;
  /** Why each backend tried before this one was skipped. */
  skipped: string[];
  /** One sentence when the automatic choice passed over a GPU backend that exists but would be slow. */
  notice?: string;
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

const LABEL: Record<BrowserBackendName, string> = { webgpu: "WebGPU", webgl: "WebGL", wasm: "wasm", cpu: "cpu" };

async function select(options: BrowserBackendOptions): Promise<BrowserBackendInfo> {
  const order = options.prefer ? [options.prefer] : BROWSER_BACKEND_ORDER;
  const failures: string[] = [];
  let notice: string | undefined;
  for (const name of order) {
    try {
      const seen = await inspectBackend(name);
      if (seen.unavailable) {
        failures.push(`${name}: ${seen.unavailable}`);
        continue;
      }
      if (seen.software && !options.prefer) {
        failures.push(`${name}: software-rendered (${seen.software}), slower than wasm`);
        notice ??= `${LABEL[name]} is software-rendered here (${seen.software}): using wasm, ~25× faster.`;
        continue;
      }
      if (!(await start(name, options))) {
        failures.push(`${name}: initialisation failed`);
        continue;
      }
      const detail = [await detailOf(name), seen.device && `${seen.device}${seen.software ? " (software-rendered: slow)" : ""}`].filter(Boolean).join(", ");
      if (name === "webgpu" || name === "webgl") {
        const slow = options.prefer ? undefined : await probeFallback(name, () => start("wasm", options));
        if (slow) {
          failures.push(`${name}: ${slow.reason}`);
          return { name: "wasm", detail: await detailOf("wasm"), skipped: failures, notice: `${LABEL[name]} (${seen.device ?? "this GPU"}) ${slow.reason}: using wasm.` };
        }
      }
      return { name, detail, skipped: failures, notice };
    } catch (e) {
      failures.push(`${name}: ${(e as Error).message.split("\n")[0]}`);
    }
  }
  throw new NoBackendError(failures);
}

/** Registers the backend and makes it tfjs' current one; false when its initialisation fails. */
async function start(name: BrowserBackendName, o: BrowserBackendOptions): Promise<boolean> {
  await register[name](o);
  // setBackend logs and returns false when the backend's initialisation fails (no adapter, no context).
  if (!(await tf.setBackend(name))) return false;
  await tf.ready();
  return true;
}

const register: Record<BrowserBackendName, (o: BrowserBackendOptions) => Promise<void>> = {
  async webgpu() {
    await import("@tensorflow/tfjs-backend-webgpu");
  },
  async webgl() {
    await import("@tensorflow/tfjs-backend-webgl");
  },
  async wasm(o) {
    const wasm = await import("@tensorflow/tfjs-backend-wasm");
    if (o.wasmPaths !== undefined) {
      if (typeof o.wasmPaths === "string") wasm.setWasmPaths(o.wasmPaths);
      else wasm.setWasmPaths(o.wasmPaths as { [file: string]: string });
    }
    if (o.fastKernels ?? true) await installWasmKernels();
  },
  async cpu() {},
};

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
