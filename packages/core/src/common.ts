/**
 * Everything of @isc/core that runs anywhere: no file system, no `process`, no Node built-ins. Node's
 * entry (index.ts) adds file access and its backend picker; the browser's (browser.ts) adds its own
 * picker. core's browser test checks that nothing reachable from here imports Node. Kernels and
 * primitive ops stay internal: the forward pass's stages are the API.
 */
export * from "./errors.js";
export * from "./config.js";
export * from "./rng.js";
export * from "./float16.js";
export * from "./safetensors.js";
export * from "./params.js";
export * from "./hook-points.js";
export * from "./hooks.js";
export * from "./tokens.js";
export * from "./embed.js";
export * from "./layer-norm.js";
export * from "./attention.js";
export * from "./unembed.js";
export * from "./forward.js";
export * from "./hooked-transformer.js";
export * as tf from "@tensorflow/tfjs-core";
export * from "./tokenizer.js";
export * from "./head-scores.js";
export * from "./sha256.js";
export * from "./source.js";
export * from "./model-source.js";
