/**
 * The automatic browser backend skips GPU backends that run on a software emulation of a GPU: the
 * renderer strings below are what WEBGL_debug_renderer_info's UNMASKED_RENDERER_WEBGL (or a WebGPU
 * adapter's description) reports for each, next to real GPUs that must be kept.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { gpuLosesProbe, softwareRendererName } from "../src/browser.js";
import { webglRenderer } from "../src/software-renderer.js";

test("software renderers are named; hardware renderers are not", () => {
  const software: [string, string][] = [
    ["ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)", "SwiftShader"],
    ["Google SwiftShader", "SwiftShader"],
    ["ANGLE (Mesa, llvmpipe (LLVM 15.0.6, 256 bits), OpenGL 4.5)", "llvmpipe"],
    ["llvmpipe (LLVM 12.0.0, 256 bits)", "llvmpipe"],
    ["Gallium 0.4 on softpipe", "softpipe"],
    ["ANGLE (Microsoft, Microsoft Basic Render Driver Direct3D11 vs_5_0 ps_5_0, D3D11)", "Microsoft Basic Render Driver"],
    ["Software Adapter", "a software renderer"],
  ];
  for (const [renderer, name] of software) assert.equal(softwareRendererName(renderer), name, renderer);
  const hardware = [
    "ANGLE (NVIDIA, NVIDIA GeForce RTX 3080 Direct3D11 vs_5_0 ps_5_0, D3D11)",
    "ANGLE (Intel, Mesa Intel(R) UHD Graphics 620 (KBL GT2), OpenGL 4.6)",
    "Apple M1",
    "ANGLE (AMD, AMD Radeon RX 6800 XT (radeonsi, navi21, LLVM 15.0.7, DRM 3.49), OpenGL 4.6)",
    "Adreno (TM) 650",
    "WebKit WebGL",
    "",
  ];
  for (const renderer of hardware) assert.equal(softwareRendererName(renderer), undefined, renderer);
});

test("the renderer is read unmasked when the debug extension exists, masked otherwise", () => {
  const gl = (ext: boolean) => ({
    RENDERER: 0x1f01,
    getExtension: (n: string) => (ext && n === "WEBGL_debug_renderer_info" ? { UNMASKED_RENDERER_WEBGL: 0x9246 } : null),
    getParameter: (p: number) => (p === 0x9246 ? "Google SwiftShader" : "WebKit WebGL"),
  });
  assert.equal(webglRenderer(gl(true)), "Google SwiftShader");
  assert.equal(webglRenderer(gl(false)), "WebKit WebGL");
});

test("a GPU backend gives way to wasm only when its timed probe is slower", () => {
  assert.equal(gpuLosesProbe(120, 30), true);
  assert.equal(gpuLosesProbe(30.1, 30), true);
  assert.equal(gpuLosesProbe(30, 30), false);
  assert.equal(gpuLosesProbe(2, 30), false);
});
