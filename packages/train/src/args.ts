/**
 * Command-line flags of the trainer. Every flag the user did not give stays `undefined` here, so a
 * resumed run can tell "not given" (take the checkpoint's value) from "given" (must agree with it).
 */
import { UsageError } from "@isc/core";
import { parseSourceWeights, type SourceWeights } from "./source-weights.js";

export const USAGE = `usage: node scripts/dist/src/train.js [flags]
  --config default|redwood|tiny   model shape (default: default = Redwood's 2L attn-only on 8193 ids)
  --data PATH                     training rows (default data/corpus/train.u16)
  --eval PATH                     held-out rows (default weights/default/eval.u16)
  --out DIR                       run directory (default runs/<config>)
  --steps N                       total optimiser steps; sets the cosine schedule (default 12000)
  --batch N                       rows per step (default 8)
  --lr X                          peak learning rate (default 1e-3)
  --warmup N                      linear warm-up steps (default 500)
  --seed N                        init and data-order seed (default 0)
  --pos-init normal|sinusoidal    how shortformer positions start (default normal); still learned
  --repeat-frac X                 share of rows given a repeated span, the fallback of notes/data.md (default 0)
  --repeat-kind copy|random|mixed the span: a copy of the row's text, random ids repeated, or either (even odds) (default copy)
  --repeat-len MIN-MAX            span length in tokens, uniform in [MIN, MAX] (default 16-96)
  --repeat-adjacent X             share of copies placed right after their original, not later in the row (default 0)
  --source-weights NAME=W,...     sample the corpus's sources (or registers: natural, technical) W times as often as
                                  their share in the data; unnamed ones keep 1 (default: the data's own shares;
                                  "none" returns to them with --change-mix)
  --change-mix                    on resuming, let --repeat-frac/-kind/-len/-adjacent and --source-weights change
                                  the mix from this step on
  --change-lr                     on resuming, let --lr set a new peak for the schedule from this step on
  --ema DECAY                     keep a moving average of the weights (e.g. 0.999) and export it; on resuming a
                                  run without one, the average starts at the checkpoint's step
  --eval-every K                  eval record every K steps (default 250; 0 = never)
  --eval-rows N                   held-out rows per eval (default 64)
  --ckpt-every N                  checkpoint every N steps (default 200)
  --resume | --no-resume          require a checkpoint | refuse one (default: resume if the out dir has one)
  --max-minutes M                 stop cleanly after a checkpoint once M minutes have passed
  --stop-at STEP                  stop cleanly after a checkpoint at this step (the schedule still spans --steps)
  --export                        only write <out>/final/ from the checkpoint, then exit
  --log-every N                   train-loss records every N steps (default 1)`;

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
  help?: boolean;
}

const NUMBER_FLAGS: Record<string, [keyof TrainFlags, "int" | "float"]> = {
  "--steps": ["steps", "int"],
  "--batch": ["batch", "int"],
  "--lr": ["lr", "float"],
  "--warmup": ["warmup", "int"],
  "--seed": ["seed", "int"],
  "--repeat-frac": ["repeatFrac", "float"],
  "--ema": ["ema", "float"],
  "--repeat-adjacent": ["repeatAdjacent", "float"],
  "--eval-every": ["evalEvery", "int"],
  "--eval-rows": ["evalRows", "int"],
  "--ckpt-every": ["ckptEvery", "int"],
  "--max-minutes": ["maxMinutes", "float"],
  "--stop-at": ["stopAt", "int"],
  "--log-every": ["logEvery", "int"],
};
const STRING_FLAGS: Record<string, keyof TrainFlags> = { "--config": "config", "--data": "data", "--eval": "eval", "--out": "out", "--pos-init": "posInit", "--repeat-kind": "repeatKind" };

export { UsageError };

export function parseArgs(argv: string[]): TrainFlags {
  const f: TrainFlags = {};
  const set = (k: keyof TrainFlags, v: unknown) => {
    (f as Record<string, unknown>)[k] = v;
  };
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    let value: string | undefined;
    const eq = arg.indexOf("=");
    if (arg.startsWith("--") && eq > 0) [arg, value] = [arg.slice(0, eq), arg.slice(eq + 1)];
    const next = () => {
      if (value !== undefined) return value;
      if (i + 1 >= argv.length) throw new UsageError(`${arg} needs a value`);
      return argv[++i];
    };
    if (arg === "--help" || arg === "-h") set("help", true);
    else if (arg === "--resume") set("resume", true);
    else if (arg === "--no-resume") set("resume", false);
    else if (arg === "--export") set("export", true);
    else if (arg === "--change-mix") set("changeMix", true);
    else if (arg === "--change-lr") set("changeLr", true);
    else if (arg === "--repeat-len") set("repeatLen", parseSpanLengths(next()));
    else if (arg === "--source-weights") {
      const raw = next();
      set("sourceWeights", raw.trim() === "none" ? null : (parseSourceWeights(raw) ?? null));
    }
    else if (arg in STRING_FLAGS) set(STRING_FLAGS[arg], next());
    else if (arg in NUMBER_FLAGS) {
      const [key, kind] = NUMBER_FLAGS[arg];
      const raw = next();
      const n = Number(raw);
      if (raw.trim() === "" || !Number.isFinite(n) || (kind === "int" && !Number.isInteger(n)) || n < 0) {
        throw new UsageError(`${arg} must be a non-negative ${kind === "int" ? "integer" : "number"}, got "${raw}"`);
      }
      set(key, n);
    } else throw new UsageError(`unknown flag "${argv[i]}"\n${USAGE}`);
  }
  for (const k of ["steps", "batch", "lr"] as const) if (f[k] === 0) throw new UsageError(`--${k} must be positive`);
  if (f.posInit !== undefined && f.posInit !== "normal" && f.posInit !== "sinusoidal") throw new UsageError(`--pos-init must be normal or sinusoidal, got "${f.posInit}"`);
  if (f.repeatKind !== undefined && !["copy", "random", "mixed"].includes(f.repeatKind)) throw new UsageError(`--repeat-kind must be copy, random or mixed, got "${f.repeatKind}"`);
  if (f.ema !== undefined && f.ema >= 1) throw new UsageError(`--ema must be in [0, 1), got ${f.ema}`);
  if (f.repeatAdjacent !== undefined && f.repeatAdjacent > 1) throw new UsageError(`--repeat-adjacent must be in [0, 1], got ${f.repeatAdjacent}`);
  if (f.repeatFrac !== undefined && f.repeatFrac > 1) throw new UsageError(`--repeat-frac must be in [0, 1], got ${f.repeatFrac}`);
  return f;
}

/** "MIN-MAX" span lengths: whole numbers with 2 ≤ MIN ≤ MAX. */
export function parseSpanLengths(raw: string): [number, number] {
  const m = /^(\d+)-(\d+)$/.exec(raw.trim());
  const [lo, hi] = m ? [Number(m[1]), Number(m[2])] : [NaN, NaN];
  if (!(lo >= 2 && lo <= hi)) throw new UsageError(`--repeat-len must be MIN-MAX with 2 ≤ MIN ≤ MAX, e.g. 32-150; got "${raw}"`);
  return [lo, hi];
}
