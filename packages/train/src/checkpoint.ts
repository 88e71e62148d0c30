/**
 * Checkpoints: `<run>/ckpt/` holds params.safetensors, adam_m.safetensors, adam_v.safetensors (F32,
 * so a resume is bit-exact) and state.json. A new checkpoint is written whole into a temporary
 * folder and swapped in by renames, so a crash at any moment leaves a complete checkpoint on disk:
 * the new one, or the previous one (as ckpt.old, which `loadCheckpoint` falls back to).
 */
import type { RepeatSpans } from "./repeat-spans.js";
import type { SourceWeights } from "./source-weights.js";
import { existsSync, fsyncSync, mkdirSync, openSync, closeSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import {
  HookedTransformer,
  type ModelConfig,
  type Params,
  paramsFromNamed,
  paramsToNamed,
  parseConfig,
  readSafetensors,
  ResourceError,
  writeSafetensors,
} from "@isc/core";
import type { AdamConfig } from "./adam.js";
import type { CursorState } from "./data-cursor.js";
import type { EmaSpec } from "./ema.js";

export interface HyperParams {
  batch: number;
  lr: number;
  warmup: number;
  steps: number;
  minLrFrac: number;
  clip: number;
  seed: number;
  adam: AdamConfig;
  /** How W_pos started; absent in checkpoints from before the option existed (= "normal"). */
  posInit?: "normal" | "sinusoidal";
  /** The repeated-span share of training rows (repeat-spans.ts); absent = none. */
  repeat?: RepeatSpans;
  /** Mix changes made on resuming with --change-mix, in step order. */
  repeatChanges?: { step: number; repeat: RepeatSpans }[];
  /** Peak learning rates replaced on resuming with --change-lr: the old peak and the step it ended. */
  lrChanges?: { step: number; from: number; to: number }[];
  /** Sampling weights of the corpus's sources (source-weights.ts); absent = the corpus's own shares. */
  sourceWeights?: SourceWeights;
  /** Source weights replaced on resuming with --change-mix, in step order (absent weights = none). */
  sourceWeightChanges?: { step: number; weights?: SourceWeights }[];
  /** The moving average of the weights (ema.ts), when the run keeps one. */
  ema?: EmaSpec;
}

export interface TrainState {
  format: "isc-train-ckpt/1";
  /** Optimiser steps completed. */
  step: number;
  /** Data order: epoch, index in it, and the data RNG's state at the epoch's start. */
  cursor: CursorState;
  configName: string;
  config: ModelConfig;
  hyper: HyperParams;
  tokensSeen: number;
  /** Seconds spent training (all sessions), not counting time stopped. */
  wallSeconds: number;
  lossEma: number | null;
  data: { path: string; sha256: string; rows: number; width: number };
  savedAt: string;
}

export interface Checkpoint {
  state: TrainState;
  params: Params;
  m: Params;
  v: Params;
  /** Present exactly when `state.hyper.ema` is. */
  ema?: Params;
}

const FILES = { params: "params.safetensors", m: "adam_m.safetensors", v: "adam_v.safetensors", ema: "ema.safetensors", state: "state.json" } as const;

export function ckptDir(runDir: string): string {
  return path.join(runDir, "ckpt");
}

/** The folder holding the newest complete checkpoint, or null when the run has none. */
export function findCheckpoint(runDir: string): string | null {
  for (const dir of [ckptDir(runDir), ckptDir(runDir) + ".old"]) {
    if (existsSync(path.join(dir, FILES.state))) return dir;
  }
  return null;
}

function writeDurably(file: string, bytes: Uint8Array | string): void {
  writeFileSync(file, bytes);
  const fd = openSync(file, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export async function saveCheckpoint(runDir: string, ck: Checkpoint): Promise<void> {
  const final = ckptDir(runDir);
  const tmp = `${final}.tmp-${process.pid}`;
  const old = `${final}.old`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const meta = { step: String(ck.state.step) };
  writeDurably(path.join(tmp, FILES.params), writeSafetensors(await paramsToNamed(ck.params), { metadata: meta }));
  writeDurably(path.join(tmp, FILES.m), writeSafetensors(await paramsToNamed(ck.m), { metadata: meta }));
  writeDurably(path.join(tmp, FILES.v), writeSafetensors(await paramsToNamed(ck.v), { metadata: meta }));
  if (ck.ema) writeDurably(path.join(tmp, FILES.ema), writeSafetensors(await paramsToNamed(ck.ema), { metadata: meta }));
  writeDurably(path.join(tmp, FILES.state), JSON.stringify(ck.state, null, 2) + "\n");
  // Swap: ckpt -> ckpt.old, tmp -> ckpt, then drop ckpt.old. Between the renames ckpt.old is complete.
  rmSync(old, { recursive: true, force: true });
  if (existsSync(final)) renameSync(final, old);
  renameSync(tmp, final);
  rmSync(old, { recursive: true, force: true });
}

export function loadCheckpoint(dir: string): Checkpoint {
  const state = JSON.parse(readFileSync(path.join(dir, FILES.state), "utf8")) as TrainState;
  if (state.format !== "isc-train-ckpt/1") throw new Error(`${dir}/state.json: unknown checkpoint format ${JSON.stringify(state.format)}`);
  const load = (f: string): Params => {
    const file = path.join(dir, f);
    return paramsFromNamed(state.config, readSafetensors(readFileSync(file), file), file);
  };
  const ck: Checkpoint = { state, params: load(FILES.params), m: load(FILES.m), v: load(FILES.v) };
  if (state.hyper.ema) {
    if (!existsSync(path.join(dir, FILES.ema))) throw new Error(`${dir}: the run keeps a moving average of its weights (train --ema) but ${FILES.ema} is missing; copy it with the checkpoint`);
    ck.ema = load(FILES.ema);
  }
  return ck;
}

/** A checkpoint's weights as a model, and which file they came from. */
export interface CheckpointModel {
  model: HookedTransformer;
  state: TrainState;
  file: string;
  /** Whether they are the run's moving average of its weights. */
  average: boolean;
}

/**
 * The weights a checkpoint ships: the moving average when the run keeps one (train --ema), else, or
 * with `raw`, the last step's weights.
 */
export function loadCheckpointModel(dir: string, options: { raw?: boolean } = {}): CheckpointModel {
  const statePath = path.join(dir, FILES.state);
  if (!existsSync(statePath)) throw new ResourceError(`no checkpoint in ${dir} (expected state.json and params.safetensors)`);
  const state = JSON.parse(readFileSync(statePath, "utf8")) as TrainState;
  const average = Boolean(state.hyper?.ema) && !options.raw;
  const file = path.join(dir, average ? FILES.ema : FILES.params);
  if (!existsSync(file)) throw new ResourceError(`no ${file}${average ? " (the run keeps a moving average of its weights; --raw takes params.safetensors instead)" : ""}`);
  const model = HookedTransformer.fromSafetensors(parseConfig(state.config), readFileSync(file), file);
  return { model, state, file, average };
}
