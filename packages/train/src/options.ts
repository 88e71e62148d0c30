/**
 * What a run is: the flags, with defaults, merged with the checkpoint when resuming. A resumed run
 * takes its model and hyper-parameters from the checkpoint; a flag that contradicts them is an
 * error (it would silently make a different run), except --steps, which may lengthen or shorten
 * the schedule (with a warning, since the cosine then bends differently from here on), and the
 * data mix and peak learning rate when --change-mix / --change-lr say so, and --ema, which may
 * start an average that the run did not keep; those changes are recorded in the checkpoint with
 * their step.
 */
import { DEFAULT_ATTN_2L, REDWOOD_ATTN_2L, TINY_ATTN_2L, type ModelConfig } from "@isc/core";
import { ADAM_DEFAULTS } from "./adam.js";
import { DEFAULT_SPAN_LENGTHS, describeSpans, type RepeatKind, repeatSpans, spansAt } from "./repeat-spans.js";
import { UsageError, type TrainFlags } from "./args.js";
import { describeWeights, sameWeights, weightsAt } from "./source-weights.js";
import type { HyperParams, TrainState } from "./checkpoint.js";

export const CONFIGS: Record<string, Readonly<ModelConfig>> = { default: DEFAULT_ATTN_2L, redwood: REDWOOD_ATTN_2L, tiny: TINY_ATTN_2L };

export interface RunOptions {
  configName: string;
  config: ModelConfig;
  hyper: HyperParams;
  dataPath: string;
  /** null: no held-out set (`--eval none`): eval records then hold only the repeated-token scores. */
  evalPath: string | null;
  out: string;
  evalEvery: number;
  evalRows: number;
  ckptEvery: number;
  logEvery: number;
  maxMinutes: number | null;
  /** Stop (after a checkpoint) once this step is reached; for tests and planned interruptions. */
  stopAt: number | null;
  resume: boolean | undefined;
  exportOnly: boolean;
}

export const DEFAULTS = { steps: 12000, batch: 8, lr: 1e-3, warmup: 500, seed: 0, minLrFrac: 0.1, clip: 1.0 } as const;

export function resolveOptions(f: TrainFlags): RunOptions {
  const configName = f.config ?? "default";
  const config = CONFIGS[configName];
  if (!config) throw new UsageError(`--config must be one of ${Object.keys(CONFIGS).join(", ")}, got "${configName}"`);
  return {
    configName,
    config: { ...config },
    hyper: {
      batch: f.batch ?? DEFAULTS.batch,
      lr: f.lr ?? DEFAULTS.lr,
      warmup: f.warmup ?? DEFAULTS.warmup,
      steps: f.steps ?? DEFAULTS.steps,
      minLrFrac: DEFAULTS.minLrFrac,
      clip: DEFAULTS.clip,
      seed: f.seed ?? DEFAULTS.seed,
      adam: { ...ADAM_DEFAULTS },
      posInit: (f.posInit as HyperParams["posInit"]) ?? "normal",
      repeat: repeatSpans(f.repeatFrac ?? 0, (f.repeatKind as RepeatKind | undefined) ?? "copy", f.repeatLen, f.repeatAdjacent),
      ...(f.sourceWeights ? { sourceWeights: f.sourceWeights } : {}),
      ...(f.ema !== undefined ? { ema: { decay: f.ema, from: 0 } } : {}),
    },
    dataPath: f.data ?? "data/corpus/train.u16",
    evalPath: f.eval === "none" ? null : (f.eval ?? "weights/default/eval.u16"),
    out: f.out ?? `runs/${configName}`,
    evalEvery: f.evalEvery ?? 250,
    evalRows: f.evalRows ?? 64,
    ckptEvery: f.ckptEvery ?? 200,
    logEvery: f.logEvery ?? 1,
    maxMinutes: f.maxMinutes ?? null,
    stopAt: f.stopAt ?? null,
    resume: f.resume,
    exportOnly: f.export ?? false,
  };
}

/** Takes the checkpoint's model and hyper-parameters; returns warnings. Throws on a contradicting flag. */
export function mergeCheckpoint(opts: RunOptions, flags: TrainFlags, state: TrainState): string[] {
  const warnings: string[] = [];
  const clash = (flag: string, given: unknown, saved: unknown) => {
    if (given !== undefined && JSON.stringify(given) !== JSON.stringify(saved)) {
      throw new UsageError(`${flag} ${JSON.stringify(given)} contradicts the checkpoint in ${opts.out} (${JSON.stringify(saved)}); use another --out to start a new run`);
    }
  };
  clash("--config", flags.config, state.configName);
  clash("--batch", flags.batch, state.hyper.batch);
  if (flags.changeLr) {
    if (flags.lr === undefined) throw new UsageError("--change-lr needs --lr");
    if (flags.lr !== state.hyper.lr) {
      const changes = (state.hyper.lrChanges ?? []).filter((c) => c.step < state.step);
      state.hyper.lrChanges = [...changes, { step: state.step, from: state.hyper.lr, to: flags.lr }];
      warnings.push(`the peak learning rate changes at step ${state.step}: ${state.hyper.lr} → ${flags.lr} (the schedule keeps its shape)`);
      state.hyper.lr = flags.lr;
    }
  } else clash("--lr", flags.lr, state.hyper.lr);
  clash("--warmup", flags.warmup, state.hyper.warmup);
  clash("--seed", flags.seed, state.hyper.seed);
  clash("--pos-init", flags.posInit, state.hyper.posInit ?? "normal");
  const current = spansAt(state.hyper.repeat, state.hyper.repeatChanges, state.step);
  const currentWeights = weightsAt(state.hyper.sourceWeights, state.hyper.sourceWeightChanges, state.step);
  if (flags.changeMix) {
    if (flags.repeatFrac === undefined && flags.repeatKind === undefined && flags.repeatLen === undefined && flags.repeatAdjacent === undefined && flags.sourceWeights === undefined) {
      throw new UsageError("--change-mix needs --repeat-frac, --repeat-kind, --repeat-len, --repeat-adjacent and/or --source-weights");
    }
    const next = repeatSpans(
      flags.repeatFrac ?? current?.frac ?? 0,
      (flags.repeatKind as RepeatKind | undefined) ?? current?.kind ?? "copy",
      flags.repeatLen ?? (current ? [current.minLen, current.maxLen] : undefined),
      flags.repeatAdjacent ?? current?.adjacent ?? 0,
    );
    if (JSON.stringify(next) !== JSON.stringify(current ?? repeatSpans(0))) {
      const changes = (state.hyper.repeatChanges ?? []).filter((c) => c.step < state.step);
      state.hyper.repeatChanges = [...changes, { step: state.step, repeat: next }];
      warnings.push(`the data mix changes at step ${state.step}: ${describeSpans(current)} → ${describeSpans(next)}`);
    }
    const nextWeights = flags.sourceWeights === undefined ? currentWeights : (flags.sourceWeights ?? undefined);
    if (!sameWeights(nextWeights, currentWeights)) {
      const changes = (state.hyper.sourceWeightChanges ?? []).filter((c) => c.step < state.step);
      state.hyper.sourceWeightChanges = [...changes, { step: state.step, ...(nextWeights ? { weights: nextWeights } : {}) }];
      warnings.push(`the source mix changes at step ${state.step} (a new epoch starts): ${describeWeights(currentWeights)} → ${describeWeights(nextWeights)}`);
    }
  } else {
    clash("--repeat-frac", flags.repeatFrac, current?.frac ?? 0);
    clash("--repeat-kind", flags.repeatKind, current?.kind ?? "copy");
    clash("--repeat-len", flags.repeatLen?.join("-"), current ? `${current.minLen}-${current.maxLen}` : DEFAULT_SPAN_LENGTHS.join("-"));
    clash("--repeat-adjacent", flags.repeatAdjacent, current?.adjacent ?? 0);
    // Both sides are normalised (parseSourceWeights, weightsAt), so equal weights compare equal.
    if (flags.sourceWeights !== undefined) clash("--source-weights", flags.sourceWeights ?? "none", currentWeights ?? "none");
  }
  if (flags.ema !== undefined) {
    if (!state.hyper.ema) {
      state.hyper.ema = { decay: flags.ema, from: state.step };
      warnings.push(`a moving average of the weights (decay ${flags.ema}) starts at step ${state.step}; the run exports it`);
    } else clash("--ema", flags.ema, state.hyper.ema.decay);
  }
  opts.configName = state.configName;
  opts.config = state.config;
  const steps = flags.steps ?? state.hyper.steps;
  if (steps !== state.hyper.steps) warnings.push(`--steps ${steps} replaces the checkpoint's ${state.hyper.steps}: the cosine schedule changes from step ${state.step} on`);
  if (steps < state.step) throw new UsageError(`--steps ${steps} is below the checkpoint's step ${state.step}`);
  opts.hyper = { ...state.hyper, steps };
  return warnings;
}
