/**
 * Command-line flags of the trainer. Every flag the user did not give stays `undefined` here, so a
 * resumed run can tell "not given" (take the checkpoint's value) from "given" (must agree with it).
 */
import { UsageError } from "@isc/core";
import { type Command, type Flags, parseCommand } from "@isc/node";
import { parseSourceWeights, type SourceWeights } from "./source-weights.js";

export const TRAIN_COMMAND = {
  name: "train",
  summary: "Trains the attention-only transformer; run the same command again to resume from <out>/ckpt/.",
  flags: {
    config: { type: "string", arg: "default|redwood|tiny", help: "model shape (default: default = Redwood's 2L attn-only on 8193 ids)" },
    data: { type: "string", arg: "PATH", help: "training rows (default data/corpus/train.u16)" },
    eval: { type: "string", arg: "PATH", help: "held-out rows (default weights/default/eval.u16; none: no held-out set)" },
    out: { type: "string", arg: "DIR", help: "run directory (default runs/<config>)" },
    steps: { type: "int", min: 0, help: "total optimiser steps; sets the cosine schedule (default 12000)" },
    batch: { type: "int", min: 0, help: "rows per step (default 8)" },
    lr: { type: "float", min: 0, help: "peak learning rate (default 1e-3)" },
    warmup: { type: "int", min: 0, help: "linear warm-up steps (default 500)" },
    seed: { type: "int", min: 0, help: "init and data-order seed (default 0)" },
    "pos-init": { type: "string", choices: ["normal", "sinusoidal"], help: "how shortformer positions start (default normal); still learned" },
    "repeat-frac": { type: "float", min: 0, max: 1, help: "share of rows given a repeated span, the fallback of docs/semantics.md §14 (default 0)" },
    "repeat-kind": {
      type: "string",
      choices: ["copy", "random", "mixed"],
      help: "the span: a copy of the row's text, random ids repeated, or either (even odds) (default copy)",
    },
    "repeat-len": { type: "string", arg: "MIN-MAX", help: "span length in tokens, uniform in [MIN, MAX] (default 16-96)" },
    "repeat-adjacent": { type: "float", min: 0, max: 1, help: "share of copies placed right after their original, not later in the row (default 0)" },
    "source-weights": {
      type: "string",
      arg: "NAME=W,...",
      help:
        "sample the corpus's sources (or registers: natural, technical) W times as often as\n" +
        "their share in the data; unnamed ones keep 1 (default: the data's own shares;\n" +
        '"none" returns to them with --change-mix)',
    },
    "change-mix": {
      type: "boolean",
      help: "on resuming, let --repeat-frac/-kind/-len/-adjacent and --source-weights change\nthe mix from this step on",
    },
    "change-lr": { type: "boolean", help: "on resuming, let --lr set a new peak for the schedule from this step on" },
    ema: {
      type: "float",
      min: 0,
      arg: "DECAY",
      help: "keep a moving average of the weights (e.g. 0.999) and export it; on resuming a\nrun without one, the average starts at the checkpoint's step",
    },
    "eval-every": { type: "int", min: 0, arg: "K", help: "eval record every K steps (default 250; 0 = never)" },
    "eval-rows": { type: "int", min: 0, help: "held-out rows per eval (default 64)" },
    "ckpt-every": { type: "int", min: 0, help: "checkpoint every N steps (default 200)" },
    resume: { type: "boolean", help: "require a checkpoint (default: resume if the out dir has one)" },
    "no-resume": { type: "boolean", help: "refuse a checkpoint: start a new run or fail" },
    "max-minutes": { type: "float", min: 0, arg: "M", help: "stop cleanly after a checkpoint once M minutes have passed" },
    "stop-at": { type: "int", min: 0, arg: "STEP", help: "stop cleanly after a checkpoint at this step (the schedule still spans --steps)" },
    export: { type: "boolean", help: "only write <out>/final/ from the checkpoint, then exit" },
    "log-every": { type: "int", min: 0, help: "train-loss records every N steps (default 1)" },
  },
} as const satisfies Command;

export interface TrainFlags {
  config?: string;
  data?: string;
  eval?: string;
  out?: string;
  steps?: number;
  batch?: number;
  lr?: number;
  warmup?: number;
  seed?: number;
  posInit?: string;
  repeatFrac?: number;
  repeatKind?: string;
  repeatLen?: [number, number];
  repeatAdjacent?: number;
  /** null: "--source-weights none" (back to the data's own shares). */
  sourceWeights?: SourceWeights | null;
  changeMix?: boolean;
  changeLr?: boolean;
  ema?: number;
  evalEvery?: number;
  evalRows?: number;
  ckptEvery?: number;
  resume?: boolean;
  maxMinutes?: number;
  stopAt?: number;
  export?: boolean;
  logEvery?: number;
}

export { UsageError };

export function parseArgs(argv: string[]): TrainFlags {
  return trainFlags(parseCommand(argv, TRAIN_COMMAND).flags);
}

/** The parsed command line as the trainer's flags, with the checks that span more than one value. */
export function trainFlags(g: Flags<typeof TRAIN_COMMAND.flags>): TrainFlags {
  if (g.resume && g["no-resume"]) throw new UsageError("give --resume or --no-resume, not both");
  const f: TrainFlags = {
    config: g.config,
    data: g.data,
    eval: g.eval,
    out: g.out,
    steps: g.steps,
    batch: g.batch,
    lr: g.lr,
    warmup: g.warmup,
    seed: g.seed,
    posInit: g["pos-init"],
    repeatFrac: g["repeat-frac"],
    repeatKind: g["repeat-kind"],
    repeatLen: g["repeat-len"] === undefined ? undefined : parseSpanLengths(g["repeat-len"]),
    repeatAdjacent: g["repeat-adjacent"],
    sourceWeights: sourceWeightsFlag(g["source-weights"]),
    changeMix: g["change-mix"],
    changeLr: g["change-lr"],
    ema: g.ema,
    evalEvery: g["eval-every"],
    evalRows: g["eval-rows"],
    ckptEvery: g["ckpt-every"],
    resume: g.resume ? true : g["no-resume"] ? false : undefined,
    maxMinutes: g["max-minutes"],
    stopAt: g["stop-at"],
    export: g.export,
    logEvery: g["log-every"],
  };
  for (const k of ["steps", "batch", "lr"] as const) if (f[k] === 0) throw new UsageError(`--${k} must be positive`);
  if (f.ema !== undefined && f.ema >= 1) throw new UsageError(`--ema must be in [0, 1), got ${f.ema}`);
  return f;
}

function sourceWeightsFlag(raw: string | undefined): SourceWeights | null | undefined {
  if (raw === undefined) return undefined;
  return raw.trim() === "none" ? null : (parseSourceWeights(raw) ?? null);
}

/** "MIN-MAX" span lengths: whole numbers with 2 ≤ MIN ≤ MAX. */
export function parseSpanLengths(raw: string): [number, number] {
  const m = /^(\d+)-(\d+)$/.exec(raw.trim());
  const [lo, hi] = m ? [Number(m[1]), Number(m[2])] : [NaN, NaN];
  if (!(lo >= 2 && lo <= hi)) throw new UsageError(`--repeat-len must be MIN-MAX with 2 ≤ MIN ≤ MAX, e.g. 32-150; got "${raw}"`);
  return [lo, hi];
}
