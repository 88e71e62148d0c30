/**
 * The training loop: data cursor -> forward/backward -> clip -> Adam, with periodic eval records,
 * atomic checkpoints and a clean stop (time budget, --stop-at, SIGINT/SIGTERM) that always leaves a
 * checkpoint of the last completed step. Same seed, same data and same steps give bit-identical
 * parameters, whether or not the run was interrupted and resumed.
 */
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import _ from "lodash";
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
import { lrAt, type Schedule } from "./schedule.js";

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

/** A run's state as a step changes it and a checkpoint saves it. */
interface RunState {
  opts: RunOptions;
  state: TrainState;
  params: Params;
  adam: Adam;
  ema: ParamEma | null;
  ds: TokenDatasetFile;
  cursor: DataCursor;
  log: RunLog;
}

export async function train(flags: TrainFlags): Promise<RunResult> {
  const opts = resolveOptions(flags);
  installFastMaxGrad();
  mkdirSync(opts.out, { recursive: true });
  const found = findCheckpoint(opts.out);
  if (opts.exportOnly) return exportOnly(opts, found);
  if (found && opts.resume === false) throw new UsageError(`--no-resume: ${opts.out} already has a checkpoint; pick another --out or delete ${found}`);
  if (!found && opts.resume === true) throw new UsageError(`--resume: ${opts.out} has no checkpoint`);
  const log = new RunLog(opts.out);
  const warnings: string[] = [];
  const run = found ? resumeRun(opts, flags, found, log, warnings) : startRun(opts, log);
  return new Session(run, found, warnings).run();
}

/** --export: the checkpoint's model (its moving average when it keeps one) into <out>/final/. */
async function exportOnly(opts: RunOptions, found: string | null): Promise<RunResult> {
  if (!found) throw new UsageError(`--export: ${opts.out} has no checkpoint`);
  const ck = loadCheckpoint(found);
  await exportFinal(opts.out, ck.state.config, ck.ema ?? ck.params);
  for (const p of [ck.params, ck.m, ck.v, ck.ema ?? {}]) for (const t of Object.values(p)) t.dispose();
  process.stderr.write(`${new Date().toISOString()} exported step ${ck.state.step} to ${path.join(opts.out, "final")}\n`);
  return { step: ck.state.step, reason: "exported", lastLoss: null };
}

/** The checkpoint's state, with the flags merged in (mergeCheckpoint), on the same data it started on. */
function resumeRun(opts: RunOptions, flags: TrainFlags, found: string, log: RunLog, warnings: string[]): RunState {
  const ck = loadCheckpoint(found);
  warnings.push(...mergeCheckpoint(opts, flags, ck.state));
  const state = ck.state;
  state.hyper = opts.hyper;
  const params = ck.params;
  const adam = new Adam(state.hyper.adam, ck.m, ck.v, state.step);
  let ema: ParamEma | null = null;
  if (ck.ema) ema = new ParamEma(state.hyper.ema!.decay, ck.ema);
  else if (state.hyper.ema) ema = ParamEma.start(state.hyper.ema.decay, params);
  const ds = readTokenDataset(opts.dataPath);
  if (ds.meta.sha256 !== state.data.sha256) {
    throw new Error(`${opts.dataPath} (sha256 ${ds.meta.sha256.slice(0, 12)}…) is not the data this run started on (${state.data.path}, ${state.data.sha256.slice(0, 12)}…)`);
  }
  const cursor = DataCursor.resume(ds.tokens, ds.rows, ds.width, checkData(ds, opts.config, opts.dataPath), state.cursor, resolver(ds));
  cursor.reweight(weightsAt(state.hyper.sourceWeights, state.hyper.sourceWeightChanges, state.step));
  const dropped = log.truncateAfter(state.step);
  log.write({ type: "resume", step: state.step, tokens: state.tokensSeen, dropped_log_records: dropped, at: new Date().toISOString() });
  return { opts, state, params, adam, ema, ds, cursor, log };
}

/** Step 0 of a new run: initial weights, zero moments, the first epoch's order. */
function startRun(opts: RunOptions, log: RunLog): RunState {
  const ds = readTokenDataset(opts.dataPath);
  const take = checkData(ds, opts.config, opts.dataPath);
  const params = initParams(opts.config, new Rng(opts.hyper.seed).fork("init"), { positions: opts.hyper.posInit });
  const adam = Adam.zeros(opts.hyper.adam, params);
  const ema = opts.hyper.ema ? ParamEma.start(opts.hyper.ema.decay, params) : null;
  const cursor = DataCursor.start(ds.tokens, ds.rows, ds.width, take, opts.hyper.seed, opts.hyper.sourceWeights, resolver(ds));
  const state: TrainState = {
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
  return { opts, state, params, adam, ema, ds, cursor, log };
}

/** One session of a run: steps until done or told to stop, with its evals, checkpoints and log records. */
class Session {
  private readonly cfg: ModelConfig;
  private readonly hyper: TrainState["hyper"];
  private readonly tokensPerStep: number;
  private readonly schedule: Schedule;
  private readonly evalSet: EvalSet;
  /** Random spans use every id but [BEGIN] (the last id when the data names none). */
  private readonly randomIds: number;
  private readonly progress: Progress;
  private sessionStart = performance.now();
  private readonly wallBefore: number;
  private readonly stepTimes: number[] = [];
  private stopSignal: string | null = null;
  private lastLoss: number | null = null;
  private lastSavedStep: number;

  constructor(
    private readonly r: RunState,
    found: string | null,
    warnings: string[],
  ) {
    const { opts, cursor, ds, state } = r;
    this.cfg = opts.config;
    this.hyper = opts.hyper;
    this.tokensPerStep = this.hyper.batch * (cursor.take - 1);
    this.schedule = { peak: this.hyper.lr, warmup: this.hyper.warmup, total: this.hyper.steps, minFrac: this.hyper.minLrFrac };
    const { set, note } = loadEvalSet(opts, ds.meta.begin_id);
    this.evalSet = set;
    this.randomIds = ds.meta.begin_id ?? this.cfg.d_vocab - 1;
    this.progress = new Progress(this.hyper.steps, this.tokensPerStep);
    this.wallBefore = state.wallSeconds;
    this.lastSavedStep = found ? state.step : -1;
    for (const w of warnings) this.progress.say(`warning: ${w}`);
    this.announce(found, note);
  }

  private announce(found: string | null, evalNote: string): void {
    const { opts, state, cursor, ds } = this.r;
    const hyper = this.hyper;
    this.progress.say(
      `${found ? `resuming ${found} at step ${state.step}` : `new run in ${opts.out}`}: ${opts.configName} model, ` +
        `${ds.rows} rows × ${cursor.take} tokens (epoch ${cursor.epoch}), batch ${hyper.batch}, lr ${hyper.lr} ` +
        `(warm-up ${hyper.warmup}, cosine to ${hyper.minLrFrac}× at ${hyper.steps}), positions ${hyper.posInit ?? "normal"} init, ` +
        `${describeSpans(spansAt(hyper.repeat, hyper.repeatChanges, state.step))}, ` +
        `${describeWeights(weightsAt(hyper.sourceWeights, hyper.sourceWeightChanges, state.step))} (${cursor.epochRows} rows this epoch), ` +
        `${hyper.ema ? `weights averaged (decay ${hyper.ema.decay}, from step ${hyper.ema.from}), ` : ""}${evalNote}`,
    );
  }

  async run(): Promise<RunResult> {
    const onSignal = (sig: string) => {
      if (this.stopSignal) process.exit(130); // a second ^C: give up at once
      this.stopSignal = sig;
      this.progress.say(`${sig}: stopping after this step (checkpoint first)`);
    };
    const sigint = () => onSignal("SIGINT");
    const sigterm = () => onSignal("SIGTERM");
    process.on("SIGINT", sigint);
    process.on("SIGTERM", sigterm);
    this.sessionStart = performance.now();
    try {
      const reason = await this.loop();
      await this.finish(reason);
      return { step: this.r.state.step, reason, lastLoss: this.lastLoss };
    } finally {
      process.off("SIGINT", sigint);
      process.off("SIGTERM", sigterm);
      for (const t of Object.values(this.r.params)) t.dispose();
      this.r.adam.dispose();
      this.r.ema?.dispose();
    }
  }

  private async loop(): Promise<RunResult["reason"]> {
    const { opts, state } = this.r;
    // A fresh run's baseline; or an eval the last session checkpointed before but did not finish.
    if (opts.evalEvery > 0 && state.step % opts.evalEvery === 0 && !this.r.log.hasEvalAt(state.step)) await this.runEval();
    while (state.step < this.hyper.steps) {
      // The step's awaits resolve as microtasks, so without this the event loop would never reach
      // the signal handlers and SIGTERM/^C could not stop the run cleanly.
      await new Promise((resolve) => setImmediate(resolve));
      const stop = this.stopReason();
      if (stop) return stop;
      await this.step();
      if (state.step % opts.ckptEvery === 0) await this.save();
      if (opts.evalEvery > 0 && state.step % opts.evalEvery === 0) await this.runEval();
    }
    return "done";
  }

  private stopReason(): Exclude<RunResult["reason"], "done" | "exported"> | null {
    const { opts, state } = this.r;
    if (this.stopSignal) return "signal";
    if (opts.stopAt !== null && state.step >= opts.stopAt) return "stop-at";
    if (opts.maxMinutes !== null && (performance.now() - this.sessionStart) / 60000 >= opts.maxMinutes) return "time";
    return null;
  }

  /** One optimiser step: next rows (with their repeated spans), loss and gradients, clip, Adam, average. */
  private async step(): Promise<void> {
    const { state, cursor } = this.r;
    const hyper = this.hyper;
    const take = cursor.take;
    const t0 = performance.now();
    const lr = lrAt(state.step, this.schedule);
    const rows = cursor.next(hyper.batch);
    const spans = spansAt(hyper.repeat, hyper.repeatChanges, state.step);
    if (spans) applyRepeatSpans(rows, hyper.batch, take, spans, hyper.seed, state.step, this.randomIds);
    const batch = tf.tensor2d(rows, [hyper.batch, take], "int32"); // [B, W]
    const { loss, grads: raw } = await lossAndGrads(this.cfg, this.r.params, batch);
    batch.dispose();
    if (!Number.isFinite(loss)) {
      for (const g of Object.values(raw)) g.dispose();
      throw new Error(`loss is ${loss} at step ${state.step}; not saving this state (the last checkpoint is step ${this.lastSavedStep})`);
    }
    const { grads, norm } = await clipByGlobalNorm(raw, hyper.clip);
    if (!Number.isFinite(norm)) {
      for (const g of Object.values(grads)) g.dispose();
      throw new Error(`gradient norm is ${norm} at step ${state.step}; not saving this state (the last checkpoint is step ${this.lastSavedStep})`);
    }
    this.r.params = this.r.adam.apply(this.r.params, grads, lr);
    this.r.ema?.update(this.r.params);
    state.step += 1;
    state.tokensSeen += this.tokensPerStep;
    state.lossEma = state.lossEma === null ? loss : 0.98 * state.lossEma + 0.02 * loss;
    this.lastLoss = loss;
    this.recordStep(loss, lr, norm, (performance.now() - t0) / 1000);
  }

  /** The step's log record and the progress bar. */
  private recordStep(loss: number, lr: number, norm: number, dt: number): void {
    const { state, opts, cursor } = this.r;
    this.stepTimes.push(dt);
    if (this.stepTimes.length > 20) this.stepTimes.shift();
    const tokPerSec = (this.tokensPerStep * this.stepTimes.length) / _.sum(this.stepTimes);
    if (state.step % opts.logEvery === 0 || state.step === 1) {
      this.r.log.write({
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
        wall_seconds: this.wall(),
      });
    }
    this.progress.update(state.step, state.lossEma, tokPerSec, lr);
  }

  /** The last checkpoint; when done, the last eval and <out>/final/; then the stop record. */
  private async finish(reason: RunResult["reason"]): Promise<void> {
    const { opts, state } = this.r;
    if (this.lastSavedStep !== state.step) await this.save();
    if (reason === "done") {
      if (opts.evalEvery > 0 && state.step % opts.evalEvery !== 0) await this.runEval();
      await exportFinal(opts.out, this.cfg, this.r.ema?.params ?? this.r.params);
      this.progress.say(`done: ${state.step} steps, ${state.tokensSeen} tokens, ${formatSeconds(this.wall())} of training; model in ${path.join(opts.out, "final")}`);
    } else {
      this.progress.say(`stopped (${reason}) at step ${state.step}/${this.hyper.steps}, checkpoint saved; run the same command again to resume`);
    }
    this.r.log.write({ type: "stop", step: state.step, reason, tokens: state.tokensSeen, wall_seconds: this.wall(), at: new Date().toISOString() });
  }

  private wall(): number {
    return this.wallBefore + (performance.now() - this.sessionStart) / 1000;
  }

  private async save(): Promise<void> {
    const { state, cursor, adam, ema, params } = this.r;
    state.cursor = cursor.state;
    state.wallSeconds = this.wall();
    state.savedAt = new Date().toISOString();
    await saveCheckpoint(this.r.opts.out, { state, params, m: adam.m, v: adam.v, ...(ema ? { ema: ema.params } : {}) });
    this.lastSavedStep = state.step;
  }

  private async runEval(): Promise<void> {
    await this.evalOne("eval", this.r.params);
    // The average is what the run exports, so it gets the same record beside the weights'.
    if (this.r.ema) await this.evalOne("eval_ema", this.r.ema.params);
  }

  private async evalOne(type: "eval" | "eval_ema", p: Params): Promise<void> {
    const { state } = this.r;
    const rec = await evaluate(this.cfg, p, this.evalSet, state.step, state.tokensSeen);
    this.r.log.write({ ...rec, type } as unknown as Record<string, unknown>);
    this.progress.say(
      `${type === "eval" ? "eval" : "eval of the average"} @${state.step}: held-out ${rec.heldout_loss?.toFixed(3) ?? "-"}, ` +
        `ICL ${rec.icl_score?.toFixed(3) ?? "-"}, rep-2nd ${rec.rep_loss_second.toFixed(3)} (1st ${rec.rep_loss_first.toFixed(3)}), ` +
        `prev-tok L0 max ${rec.prev_token_l0.length ? Math.max(...rec.prev_token_l0).toFixed(2) : "-"}, induction L${this.cfg.n_layers - 1} max ${rec.induction_max.toFixed(2)} ` +
        `(h${rec.induction_max_head}) [${rec.eval_seconds.toFixed(1)} s]`,
    );
  }
}

/** `<run>/final/`: config.json + model.safetensors (F32), loadable with `loadModel`. */
async function exportFinal(out: string, cfg: ModelConfig, params: Params): Promise<void> {
  const dir = path.join(out, "final");
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true });
  await saveModel(new HookedTransformer(cfg, params), dir, "F32");
}
