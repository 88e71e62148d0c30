/**
 * What a browser offers for each tfjs backend, found without starting it: whether it can work at all,
 * the device it would run on, and whether that device is a software emulation of a GPU. The picker
 * (browser-backend.ts) skips software devices; the playground's backend selector shows all of it.
 */
import { softwareRendererName, webglRenderer } from "./software-renderer.js";
import type { BrowserBackendName } from "./browser-backend.js";

export interface BackendInspection {
  /** Why this backend cannot work here; undefined when it may. */
  unavailable?: string;
  /** The software renderer behind a GPU backend (e.g. "SwiftShader"); undefined on real hardware. */
  software?: string;
  /** The device as the browser names it (a WebGL renderer string, a WebGPU adapter's description). */
  device?: string;
}

export interface BackendOffer extends BackendInspection {
  name: BrowserBackendName;
}

interface AdapterLike {
  isFallbackAdapter?: boolean;
  info?: { isFallbackAdapter?: boolean; vendor?: string; architecture?: string; description?: string };
}

export async function inspectBackend(name: BrowserBackendName): Promise<BackendInspection> {
  switch (name) {
    case "webgpu":
      return inspectWebgpu();
    case "webgl":
      return inspectWebgl();
    case "wasm":
      return typeof WebAssembly === "object" ? {} : { unavailable: "WebAssembly is not available" };
    case "cpu":
      return {};
  }
}

/** Every backend the playground lets a user pick, in the automatic order. */
export async function inspectBrowserBackends(): Promise<BackendOffer[]> {
  const names: BrowserBackendName[] = ["webgpu", "webgl", "wasm"];
  return Promise.all(names.map(async (name) => ({ name, ...(await inspectBackend(name)) })));
}

async function inspectWebgpu(): Promise<BackendInspection> {
  const nav = (globalThis as { navigator?: { gpu?: { requestAdapter(): Promise<AdapterLike | null> } } }).navigator;
  if (!nav?.gpu) return { unavailable: "navigator.gpu is missing (WebGPU is off or unsupported)" };
  const adapter = await nav.gpu.requestAdapter();
  if (!adapter) return { unavailable: "no WebGPU adapter (no usable GPU)" };
  const i = adapter.info ?? {};
  const device = [i.vendor, i.architecture, i.description].filter(Boolean).join(" ") || undefined;
  // A fallback adapter is the browser's CPU implementation of WebGPU (SwiftShader in Chromium).
  const fallback = adapter.isFallbackAdapter === true || i.isFallbackAdapter === true;
  return { device, software: fallback ? "a fallback adapter" : device ? softwareRendererName(device) : undefined };
}

/** A WebGL context (a page's canvas, or OffscreenCanvas in a worker) and its renderer. */
function inspectWebgl(): BackendInspection {
  try {
    type Ctx = Parameters<typeof webglRenderer>[0];
    const g = globalThis as { OffscreenCanvas?: new (w: number, h: number) => { getContext(k: string): unknown }; document?: { createElement(t: string): { getContext(k: string): unknown } } };
    const canvas = g.OffscreenCanvas ? new g.OffscreenCanvas(1, 1) : g.document?.createElement("canvas");
    const gl = (canvas?.getContext("webgl2") ?? canvas?.getContext("webgl")) as Ctx | null | undefined;
    if (!gl) return { unavailable: "no WebGL context (no GPU, or WebGL is disabled)" };
    const device = webglRenderer(gl);
    (gl as { getExtension(n: string): { loseContext?(): void } | null }).getExtension("WEBGL_lose_context")?.loseContext?.();
    return { device, software: softwareRendererName(device) };
  } catch {
    return { unavailable: "no WebGL context (no GPU, or WebGL is disabled)" };
  }
}
