export * from "./bundle.js";
export * from "./results.js";
export * from "./run-experiment.js";
export * from "./progress.js";
export * from "./resources.js";
export * from "./args.js";
export * from "./main.js";
export * from "./formats.js";
