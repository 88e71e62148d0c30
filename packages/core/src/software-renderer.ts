/**
 * Whether a GPU backend would really run on a GPU. Without one, browsers still offer WebGL (and
 * sometimes a WebGPU fallback adapter) by emulating the GPU on the CPU: SwiftShader in Chromium,
 * Mesa's llvmpipe or softpipe on Linux, Microsoft Basic Render Driver on Windows. tfjs' shaders then
 * run far slower than its wasm backend (ev on 64 rows in headless Chromium: 537 s on SwiftShader
 * WebGL, 19.6 s on wasm), so the automatic choice skips them.
 */

const SOFTWARE_RENDERERS: readonly [RegExp, string][] = [
  [/swiftshader/i, "SwiftShader"],
  [/llvmpipe/i, "llvmpipe"],
  [/softpipe/i, "softpipe"],
  [/microsoft basic render/i, "Microsoft Basic Render Driver"],
  [/\bsoftware\b/i, "a software renderer"],
];

/** The software renderer a WebGL renderer string (UNMASKED_RENDERER_WEBGL) or WebGPU adapter description names, or undefined for real hardware. */
export function softwareRendererName(renderer: string): string | undefined {
  return SOFTWARE_RENDERERS.find(([re]) => re.test(renderer))?.[1];
}

interface WebglLike {
  getExtension(name: string): unknown;
  getParameter(p: number): unknown;
  RENDERER: number;
}

/** The unmasked renderer string of a WebGL context, else its masked one ("WebKit WebGL" in some browsers). */
export function webglRenderer(gl: WebglLike): string {
  const ext = gl.getExtension("WEBGL_debug_renderer_info") as { UNMASKED_RENDERER_WEBGL: number } | null;
  return String(gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER) ?? "");
}
