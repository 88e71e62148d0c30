/** @isc/core for Node: the environment-free modules plus file access and the Node backend picker. */
export * from "./common.js";
export * from "./backend.js";
export { nativeAddonPath, nativeKernelsInfo, setNativeThreads } from "./native-kernels.js";
export * from "./model-files.js";
export * from "./node-source.js";
export * from "./dataset-file.js"; // also re-exports dataset-format.js
