/**
 * Failures as a student should read them: what went wrong, in one line, and what to do about it.
 * The worker sends errors as plain objects (an Error does not survive postMessage with its name),
 * and `explainError` picks the kind from the name and message.
 */

export type ErrorKind = "backend" | "memory" | "hypothesis" | "load" | "cancelled" | "input" | "other";

export interface PlainError {
  name: string;
  message: string;
}

export interface Explained {
  kind: ErrorKind;
  title: string;
  /** The original message, for the details line. */
  detail: string;
  hint: string;
}

export function toPlainError(e: unknown): PlainError {
  if (e instanceof Error) return { name: e.name, message: e.message };
  return { name: "Error", message: String(e) };
}

// tfjs-wasm does not check every allocation: past its 4 GB heap a failed malloc can surface as a
// wasm trap ("memory access out of bounds", or "table index is out of bounds" when a corrupted
// pointer is called), so those traps count as running out of memory too.
const MEMORY = /out of memory|maximum memory size|\bOOM\b|allocation failed|cannot enlarge memory|could not allocate|array buffer allocation|memory access out of bounds|table index is out of bounds|maximum call stack|failed to allocate|exceeds the (max|limit)|device (was )?lost/i;

export function explainError(e: PlainError): Explained {
  const detail = e.message;
  if (e.name === "AbortError") return { kind: "cancelled", title: "Cancelled", detail, hint: "The run was stopped; nothing was kept." };
  if (e.name === "NoBackendError") {
    return {
      kind: "backend",
      title: "No TensorFlow.js backend works in this browser",
      detail,
      hint: "The playground needs WebGPU, WebGL or WebAssembly. Use a recent Chrome, Edge or Firefox, and check that WebAssembly is not disabled by a policy or an extension.",
    };
  }
  if (["HypothesisError", "HeadRolesError", "UnknownExperimentError"].includes(e.name)) {
    return { kind: "hypothesis", title: "This hypothesis cannot be run", detail, hint: "Change the nodes or rules named above: every node needs paths, and sibling nodes may not claim the same path." };
  }
  if (MEMORY.test(detail)) {
    return {
      kind: "memory",
      title: "Out of memory",
      detail,
      hint: "The browser could not hold the activations. Lower the batch size (rows per batch) or the number of samples, close other tabs, and run again.",
    };
  }
  if (["BundleSourceError", "DatasetFileError", "SafetensorsError", "ConfigError", "SourceReadError"].includes(e.name) || /cannot (read|fetch)|HTTP \d{3}|not valid JSON/.test(detail)) {
    return {
      kind: "load",
      title: "The model bundle could not be loaded",
      detail,
      hint: "Serve the built site (pnpm web, or any static server on packages/web/site) so that model/ sits next to index.html; a bundle is built from weights/default, which needs model.safetensors.",
    };
  }
  if (e.name === "RangeError" || e.name === "UsageError") return { kind: "input", title: "A setting is out of range", detail, hint: "Check the samples, seed, batch size and example row." };
  return { kind: "other", title: "The run failed", detail, hint: "The details above come from the engine; reloading the page starts it afresh." };
}
