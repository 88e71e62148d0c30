/**
 * @isc/core in a browser or a Web Worker (package.json's "browser" condition, or `@isc/core/browser`):
 * the environment-free modules, the dataset format without files, and the browser backend picker.
 * Bundles load through a `BundleSource` (`httpSource`).
 */
export * from "./common.js";
export * from "./dataset-format.js";
export * from "./browser-backend.js";
export { inspectBrowserBackends, type BackendOffer, type BackendInspection } from "./backend-inspect.js";
export { softwareRendererName } from "./software-renderer.js";
export { gpuLosesProbe } from "./backend-probe.js";
