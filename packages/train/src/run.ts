/**
 * The training loop: data cursor -> forward/backward -> clip -> Adam, with periodic eval records,
 * atomic checkpoints and a clean stop (time budget, --stop-at, SIGINT/SIGTERM) that always leaves a
 * checkpoint of the last completed step. Same seed, same data and same steps give bit-identical
 * parameters, whether or not the run was interrupted and resumed.
 */
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { HookedTransformer, initParams, readTokenDataset, Rng, saveModel, tf, type ModelConfig, type Params, type TokenDatasetFile } from "@isc/core";
import { Adam } from "./adam.js";
import { UsageError, type TrainFlags } from "./args.js";
import { findCheckpoint, loadCheckpoint, saveCheckpoint, type TrainState } from "./checkpoint.js";
import { clipByGlobalNorm } from "./clip.js";
import { DataCursor } from "./data-cursor.js";
import { ParamEma } from "./ema.js";
import { defaultInduction, evaluate, type EvalSet } from "./evaluate.js";
import { installFastMaxGrad } from "./fast-max-grad.js";
import { lossAndGrads } from "./loss-grads.js";
import { mergeCheckpoint, resolveOptions, type RunOptions } from "./options.js";
import { formatSeconds, Progress } from "./progress.js";
import { applyRepeatSpans, describeSpans, spansAt } from "./repeat-spans.js";
import { RunLog } from "./run-log.js";
import { describeWeights, rowWeights, weightsAt, type SourceWeights } from "./source-weights.js";
import { lrAt } from "./schedule.js";

export interface RunResult {
  step: number;
  /** Why the loop ended. */
  reason: "done" | "time" | "stop-at" | "signal" | "exported";
  lastLoss: number | null;
}

function checkData(ds: TokenDatasetFile, cfg: ModelConfig, what: string): number {
  if (ds.meta.vocab > cfg.d_vocab) throw new Error(`${what}: vocab ${ds.meta.vocab} does not fit the model's d_vocab ${cfg.d_vocab}`);
  // A model with a shorter context trains on the first n_ctx + 1 tokens of each row.
  return Math.min(ds.width, cfg.n_ctx + 1);
}

/** Source weights → one weight per row of this data set (which must name each row's source). */
const resolver = (ds: TokenDatasetFile) => (w: SourceWeights) => rowWeights(ds.meta, ds.rows, w);

function loadEvalSet(opts: RunOptions, beginId: number | null): { set: EvalSet; note: string } {
  const cfg = opts.config;
  const induction = defaultInduction(cfg, beginId, opts.hyper.seed);
  if (opts.evalPath === null) return { set: { tokens: new Int32Array(0), rows: 0, width: 0, prevRows: 0, induction }, note: "no held-out set" };
  const ds = readTokenDataset(opts.evalPath);
  const take = checkData(ds, cfg, opts.evalPath);
  const rows = Math.min(opts.evalRows, ds.rows);
  // Evenly spaced rows, not the first ones: a held-out file may be ordered by source.
  const stride = Math.floor(ds.rows / rows);
  const tokens = new Int32Array(rows * take);
  for (let r = 0; r < rows; r++) tokens.set(ds.tokens.subarray(r * stride * ds.width, r * stride * ds.width + take), r * take);
  return { set: { tokens, rows, width: take, prevRows: Math.min(16, rows), induction }, note: `${rows} held-out rows (every ${stride}th) of ${take} tokens from ${opts.evalPath}` };
}

export async function train(flags: TrainFlags): Promise<RunResult> {
  const opts = resolveOptions(flags);
  installFastMaxGrad();
  mkdirSync(opts.out, { recursive: true });
  const found = findCheckpoint(opts.out);
  const progressSay = (msg: string) => process.stderr.write(`${new Date().toISOString()} ${msg}\n`);

  if (opts.exportOnly) {
    if (!found) throw new UsageError(`--export: ${opts.out} has no checkpoint`);
    const ck = loadCheckpoint(found);
    await exportFinal(opts.out, ck.state.config, ck.ema ?? ck.params);
    for (const p of [ck.params, ck.m, ck.v, ck.ema ?? {}]) for (const t of Object.values(p)) t.dispose();
    progressSay(`exported step ${ck.state.step} to ${path.join(opts.out, "final")}`);
    return { step: ck.state.step, reason: "exported", lastLoss: null };
  }
  if (found && opts.resume === false) throw new UsageError(`--no-resume: ${opts.out} already has a checkpoint; pick another --out or delete ${found}`);
  if (!found && opts.resume === true) throw new UsageError(`--resume: ${opts.out} has no checkpoint`);

  let state: TrainState;
  let params: Params;
  let adam: Adam;
  let ema: ParamEma | null = null;
  let ds: TokenDatasetFile;
  let cursor: DataCursor;
  const log = new RunLog(opts.out);
  const warnings: string[] = [];
  if (found) {
    const ck = loadCheckpoint(found);
    warnings.push(...mergeCheckpoint(opts, flags, ck.state));
    state = ck.state;
    state.hyper = opts.hyper;
    params = ck.params;
    adam = new Adam(state.hyper.adam, ck.m, ck.v, state.step);
    if (ck.ema) ema = new ParamEma(state.hyper.ema!.decay, ck.ema);
    else if (state.hyper.ema) ema = ParamEma.start(state.hyper.ema.decay, params);
    ds = readTokenDataset(opts.dataPath);
    if (ds.meta.sha256 !== state.data.sha256) {
      throw new Error(`${opts.dataPath} (sha256 ${ds.meta.sha256.slice(0, 12)}…) is not the data this run started on (${state.data.path}, ${state.data.sha256.slice(0, 12)}…)`);
    }
    cursor = DataCursor.resume(ds.tokens, ds.rows, ds.width, checkData(ds, opts.config, opts.dataPath), state.cursor, resolver(ds));
    cursor.reweight(weightsAt(state.hyper.sourceWeights, state.hyper.sourceWeightChanges, state.step));
    const dropped = log.truncateAfter(state.step);
    log.write({ type: "resume", step: state.step, tokens: state.tokensSeen, dropped_log_records: dropped, at: new Date().toISOString() });
  } else {
    ds = readTokenDataset(opts.dataPath);
    const take = checkData(ds, opts.config, opts.dataPath);
    params = initParams(opts.config, new Rng(opts.hyper.seed).fork("init"), { positions: opts.hyper.posInit });
    adam = Adam.zeros(opts.hyper.adam, params);
    if (opts.hyper.ema) ema = ParamEma.start(opts.hyper.ema.decay, params);
    cursor = DataCursor.start(ds.tokens, ds.rows, ds.width, take, opts.hyper.seed, opts.hyper.sourceWeights, resolver(ds));
    state = {
      format: "isc-train-ckpt/1",
      step: 0,
      cursor: cursor.state,
      configName: opts.configName,
      config: opts.config,
      hyper: opts.hyper,
      tokensSeen: 0,
      wallSeconds: 0,
      lossEma: null,
      data: { path: opts.dataPath, sha256: ds.meta.sha256, rows: ds.rows, width: ds.width },
      savedAt: "",
    };
    log.truncateAfter(-1);
    log.write({ type: "start", step: 0, config_name: opts.configName, config: opts.config, hyper: opts.hyper, data: state.data, at: new Date().toISOString() });
  }
  const cfg = opts.config;
  const { hyper } = opts;
  const take = cursor.take;
  const tokensPerStep = hyper.batch * (take - 1);
  const schedule = { peak: hyper.lr, warmup: hyper.warmup, total: hyper.steps, minFrac: hyper.minLrFrac };
  const { set: evalSet, note: evalNote } = loadEvalSet(opts, ds.meta.begin_id);
  // Random spans use every id but [BEGIN] (the last id when the data names none).
  const randomIds = ds.meta.begin_id ?? cfg.d_vocab - 1;
  const progress = new Progress(hyper.steps, tokensPerStep);
  for (const w of warnings) progress.say(`warning: ${w}`);
  progress.say(
    `${found ? `resuming ${found} at step ${state.step}` : `new run in ${opts.out}`}: ${opts.configName} model, ` +
      `${ds.rows} rows × ${take} tokens (epoch ${cursor.epoch}), batch ${hyper.batch}, lr ${hyper.lr} ` +
      `(warm-up ${hyper.warmup}, cosine to ${hyper.minLrFrac}× at ${hyper.steps}), positions ${hyper.posInit ?? "normal"} init, ` +
      `${describeSpans(spansAt(hyper.repeat, hyper.repeatChanges, state.step))}, ` +
      `${describeWeights(weightsAt(hyper.sourceWeights, hyper.sourceWeightChanges, state.step))} (${cursor.epochRows} rows this epoch), ` +
      `${hyper.ema ? `weights averaged (decay ${hyper.ema.decay}, from step ${hyper.ema.from}), ` : ""}${evalNote}`,
  );

  let stopSignal: string | null = null;
  const onSignal = (sig: string) => {
    if (stopSignal) process.exit(130); // a second ^C: give up at once
    stopSignal = sig;
    progress.say(`${sig}: stopping after this step (checkpoint first)`);
  };
  const sigint = () => onSignal("SIGINT");
  const sigterm = () => onSignal("SIGTERM");
  process.on("SIGINT", sigint);
  process.on("SIGTERM", sigterm);

  const sessionStart = performance.now();
  const wallBefore = state.wallSeconds;
  const wall = () => wallBefore + (performance.now() - sessionStart) / 1000;
  const stepTimes: number[] = [];
  let lastLoss: number | null = null;
  let lastSavedStep = found ? state.step : -1;

  const save = async () => {
    state.cursor = cursor.state;
    state.wallSeconds = wall();
    state.savedAt = new Date().toISOString();
    await saveCheckpoint(opts.out, { state, params, m: adam.m, v: adam.v, ...(ema ? { ema: ema.params } : {}) });
    lastSavedStep = state.step;
  };
  const runEval = async () => {
    await evalOne("eval", params);
    // The average is what the run exports, so it gets the same record beside the weights'.
    if (ema) await evalOne("eval_ema", ema.params);
  };
  const evalOne = async (type: "eval" | "eval_ema", p: Params) => {
    const rec = await evaluate(cfg, p, evalSet, state.step, state.tokensSeen);
    log.write({ ...rec, type } as unknown as Record<string, unknown>);
    progress.say(
      `${type === "eval" ? "eval" : "eval of the average"} @${state.step}: held-out ${rec.heldout_loss?.toFixed(3) ?? "-"}, ` +
        `ICL ${rec.icl_score?.toFixed(3) ?? "-"}, rep-2nd ${rec.rep_loss_second.toFixed(3)} (1st ${rec.rep_loss_first.toFixed(3)}), ` +
        `prev-tok L0 max ${rec.prev_token_l0.length ? Math.max(...rec.prev_token_l0).toFixed(2) : "-"}, induction L${cfg.n_layers - 1} max ${rec.induction_max.toFixed(2)} ` +
        `(h${rec.induction_max_head}) [${rec.eval_seconds.toFixed(1)} s]`,
    );
  };

  let reason: RunResult["reason"] = "done";
  try {
    // A fresh run's baseline; or an eval the last session checkpointed before but did not finish.
    if (opts.evalEvery > 0 && state.step % opts.evalEvery === 0 && !log.hasEvalAt(state.step)) await runEval();
    while (state.step < hyper.steps) {
      // The step's awaits resolve as microtasks, so without this the event loop would never reach
      // the signal handlers and SIGTERM/^C could not stop the run cleanly.
      await new Promise((resolve) => setImmediate(resolve));
      if (stopSignal) {
        reason = "signal";
        break;
      }
      if (opts.stopAt !== null && state.step >= opts.stopAt) {
        reason = "stop-at";
        break;
      }
      if (opts.maxMinutes !== null && (performance.now() - sessionStart) / 60000 >= opts.maxMinutes) {
        reason = "time";
        break;
      }
      const t0 = performance.now();
      const lr = lrAt(state.step, schedule);
      const rows = cursor.next(hyper.batch);
      const spans = spansAt(hyper.repeat, hyper.repeatChanges, state.step);
      if (spans) applyRepeatSpans(rows, hyper.batch, take, spans, hyper.seed, state.step, randomIds);
      const batch = tf.tensor2d(rows, [hyper.batch, take], "int32"); // [B, W]
      const { loss, grads: raw } = await lossAndGrads(cfg, params, batch);
      batch.dispose();
      if (!Number.isFinite(loss)) {
        for (const g of Object.values(raw)) g.dispose();
        throw new Error(`loss is ${loss} at step ${state.step}; not saving this state (the last checkpoint is step ${lastSavedStep})`);
      }
      const { grads, norm } = await clipByGlobalNorm(raw, hyper.clip);
      if (!Number.isFinite(norm)) {
        for (const g of Object.values(grads)) g.dispose();
        throw new Error(`gradient norm is ${norm} at step ${state.step}; not saving this state (the last checkpoint is step ${lastSavedStep})`);
      }
      params = adam.apply(params, grads, lr);
      ema?.update(params);
      state.step += 1;
      state.tokensSeen += tokensPerStep;
      state.lossEma = state.lossEma === null ? loss : 0.98 * state.lossEma + 0.02 * loss;
      lastLoss = loss;
      const dt = (performance.now() - t0) / 1000;
      stepTimes.push(dt);
      if (stepTimes.length > 20) stepTimes.shift();
      const tokPerSec = (tokensPerStep * stepTimes.length) / stepTimes.reduce((a, b) => a + b, 0);
      if (state.step % opts.logEvery === 0 || state.step === 1) {
        log.write({
          type: "train",
          step: state.step,
          loss,
          loss_ema: state.lossEma,
          lr,
          grad_norm: norm,
          tokens: state.tokensSeen,
          epoch: cursor.epoch,
          step_seconds: dt,
          tok_s: tokPerSec,
          wall_seconds: wall(),
        });
      }
      progress.update(state.step, state.lossEma, tokPerSec, lr);
      if (state.step % opts.ckptEvery === 0) await save();
      if (opts.evalEvery > 0 && state.step % opts.evalEvery === 0) await runEval();
    }
    if (lastSavedStep !== state.step) await save();
    if (reason === "done") {
      if (opts.evalEvery > 0 && state.step % opts.evalEvery !== 0) await runEval();
      await exportFinal(opts.out, cfg, ema?.params ?? params);
      progress.say(`done: ${state.step} steps, ${state.tokensSeen} tokens, ${formatSeconds(wall())} of training; model in ${path.join(opts.out, "final")}`);
    } else {
      progress.say(`stopped (${reason}) at step ${state.step}/${hyper.steps}, checkpoint saved; run the same command again to resume`);
    }
    log.write({ type: "stop", step: state.step, reason, tokens: state.tokensSeen, wall_seconds: wall(), at: new Date().toISOString() });
  } finally {
    process.off("SIGINT", sigint);
    process.off("SIGTERM", sigterm);
    for (const t of Object.values(params)) t.dispose();
    adam.dispose();
    ema?.dispose();
  }
  return { step: state.step, reason, lastLoss };
}

/** `<run>/final/`: config.json + model.safetensors (F32), loadable with `loadModel`. */
async function exportFinal(out: string, cfg: ModelConfig, params: Params): Promise<void> {
  const dir = path.join(out, "final");
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true });
  await saveModel(new HookedTransformer(cfg, params), dir, "F32");
}
