/**
 * Messages between the page and the scrub worker. Everything is structured-cloneable plain data;
 * large arrays (mean attention, SAA values) travel as transferred Float32Array buffers.
 */
import type { ModelConfig } from "@isc/core/browser";
import type { HeadRoles, RecoveredComparison, StatsRow } from "@isc/scrubbing";
import type { PlainError } from "./errors.js";
import type { HypothesisSpec } from "./hypothesis-spec.js";

export interface InitRequest {
  type: "init";
  /** Base URL of the model bundle, e.g. "model/". */
  modelUrl: string;
  /** Force a backend ("webgpu", "webgl", "wasm", "cpu"); default: the first that works. */
  backend?: string;
  /** URLs of tfjs-backend-wasm's .wasm files, by file name. */
  wasmPaths: Record<string, string>;
}

export interface RunSettings {
  samples: number;
  seed: number;
  batchSize: number;
}

/** What to scrub: a catalogue experiment by name, or the builder's hypothesis. */
export type Target = { kind: "experiment"; name: string } | { kind: "hypothesis"; name: string; spec: HypothesisSpec };

export type Job =
  /** One target's loss table (+ % recovered against unscrubbed and baseline, + mean attention). */
  | { kind: "single"; target: Target; settings: RunSettings; attention: boolean }
  /** The writeup's nine preliminary experiments and their % recovered. */
  | { kind: "preliminary"; settings: RunSettings }
  /** Subgraph Ablation Attribution for one example row: per-token loss change from `base` to `target`. */
  | { kind: "saa"; target: Target; base: string; idx: number; settings: RunSettings };

export interface RunRequest {
  type: "run";
  id: number;
  job: Job;
}

export interface CancelRequest {
  type: "cancel";
  id: number;
}

export type ToWorker = InitRequest | RunRequest | CancelRequest;

export interface CatalogueEntry {
  name: string;
  description: string;
  group: string;
}

export interface ReadyInfo {
  /** The backend in use; `notice` when the automatic choice passed over a slow (software) GPU backend. */
  backend: { name: string; detail: string; skipped: string[]; notice?: string };
  model: { name: string; interim: boolean; cfg: ModelConfig; card: Record<string, unknown> };
  dataset: { name: string; rows: number; width: number; sha256: string; meta: Record<string, unknown> };
  roles: HeadRoles;
  catalogue: CatalogueEntry[];
  preliminary: string[];
  /** Decoded string of every token id. */
  tokenStrings: string[];
  loadSeconds: number;
}

/** A loss-table row as the CLI writes it (the mean's SE is NaN unless two rows hold the category). */
export type TableRow = StatsRow;

/** One experiment's % loss recovered against baseline, with its 95 % interval (bootstrap over the reference rows, seed 0). */
export interface RecoveredOutcome extends RecoveredComparison {
  name: string;
}

export interface ExperimentOutcome {
  name: string;
  description: string;
  samples: number;
  seed: number;
  table: TableRow[];
  seconds: number;
  backend: string;
}

export interface SingleResult {
  kind: "single";
  /** What ran: a catalogue experiment, or the builder's hypothesis with its spec. */
  target: Target;
  run: ExperimentOutcome;
  unscrubbed: ExperimentOutcome;
  baseline: ExperimentOutcome;
  recovered: RecoveredOutcome;
  /** [L*H, T, T] mean attention of every head over the samples. */
  attention?: { heads: string[]; T: number; data: Float32Array };
}

export interface PreliminaryResult {
  kind: "preliminary";
  runs: ExperimentOutcome[];
  /** Every run but unscrubbed and baseline, in order. */
  recovered: RecoveredOutcome[];
}

export interface SaaResult {
  kind: "saa";
  target: string;
  base: string;
  idx: number;
  samples: number;
  /** [T+1] per-token change in loss, 0 at [BEGIN]. */
  values: Float32Array;
  /** The example row's token ids [T+1]. */
  row: number[];
  targetMean: number;
  baseMean: number;
}

export type JobResult = SingleResult | PreliminaryResult | SaaResult;

export type FromWorker =
  | { type: "loading"; stage: string; loaded?: number; total?: number | null }
  | { type: "ready"; info: ReadyInfo }
  | { type: "progress"; id: number; label: string; done: number; total: number; step: number; steps: number }
  | { type: "result"; id: number; result: JobResult }
  | { type: "error"; id: number | null; error: PlainError };
