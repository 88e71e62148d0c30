/**
 * The periodic eval record: held-out loss and the induction-circuit detectors, on fixed inputs so
 * records from different steps compare (the same eval rows, the same random repeated sequences).
 */
import _ from "lodash";
import { HookedTransformer, inContextLearningScore, inductionScores, previousTokenScores, Rng, type ModelConfig, type Params } from "@isc/core";

export interface EvalSet {
  /** Flat [rows, width] held-out tokens. */
  tokens: Int32Array;
  rows: number;
  width: number;
  /** Rows for the previous-token score (a prefix of the eval rows: the score is stable on few rows). */
  prevRows: number;
  /** Random repeated sequences for the induction score. */
  induction: { nSeq: number; len: number; vocabLow: number; vocabHigh: number; beginId: number; seed: number };
}

export interface EvalRecord {
  type: "eval";
  step: number;
  tokens: number;
  /** null with no held-out set (`--eval none`). */
  heldout_loss: number | null;
  icl_score: number | null;
  icl_early: number | null;
  icl_late: number | null;
  /** [head]: layer 0's previous-token scores. */
  prev_token_l0: number[];
  /** [head]: last layer's prefix-matching scores on repeated random tokens. */
  induction_last: number[];
  /** Largest prefix-matching score of the last layer and its head. */
  induction_max: number;
  induction_max_head: number;
  rep_loss_second: number;
  rep_loss_first: number;
  /** [layer][head], for plots. */
  prev_token_all: number[][];
  induction_all: number[][];
  eval_seconds: number;
}

/** Defaults that fit a model's shape: 300-position rows use the standard len-50 repeats. */
export function defaultInduction(cfg: ModelConfig, beginId: number | null, seed: number): EvalSet["induction"] {
  const len = Math.min(50, Math.floor(cfg.n_ctx / 2));
  const begin = beginId ?? cfg.d_vocab - 1;
  // Skip GPT-2's 256 byte tokens when the vocabulary is large: many are rare control bytes.
  const vocabLow = cfg.d_vocab > 1024 ? 256 : 0;
  const vocabHigh = begin === cfg.d_vocab - 1 ? cfg.d_vocab - 1 : cfg.d_vocab;
  return { nSeq: 64, len, vocabLow, vocabHigh, beginId: begin, seed };
}

export async function evaluate(cfg: ModelConfig, params: Params, set: EvalSet, step: number, tokensSeen: number): Promise<EvalRecord> {
  const t0 = performance.now();
  const model = new HookedTransformer(cfg, params); // borrows the tensors; not disposed here
  const rows = { data: set.tokens, batch: set.rows, width: set.width };
  const T = set.width - 1;
  let heldout: number | null = null;
  let icl: { score: number; early: number; late: number } | null = null;
  if (set.rows === 0) {
    // no held-out rows: only the repeated-token scores below
  } else if (T >= 300) {
    const r = await inContextLearningScore(model, rows);
    heldout = r.meanLoss;
    icl = r;
  } else {
    const nll = await model.lossPerToken(rows);
    heldout = _.mean(nll);
  }
  const prevRows = Math.min(set.prevRows, set.rows);
  const prev =
    prevRows > 0
      ? await previousTokenScores(model, { data: set.tokens.subarray(0, prevRows * set.width), batch: prevRows, width: set.width })
      : [];
  const { seed, ...ind } = set.induction;
  const induction = await inductionScores(model, new Rng(seed).fork("induction-eval"), ind);
  const last = induction.scores[cfg.n_layers - 1];
  const maxHead = last.indexOf(Math.max(...last));
  return {
    type: "eval",
    step,
    tokens: tokensSeen,
    heldout_loss: heldout,
    icl_score: icl?.score ?? null,
    icl_early: icl?.early ?? null,
    icl_late: icl?.late ?? null,
    prev_token_l0: prev[0] ?? [],
    induction_last: last,
    induction_max: last[maxHead],
    induction_max_head: maxHead,
    rep_loss_second: induction.secondCopyLoss,
    rep_loss_first: induction.firstCopyLoss,
    prev_token_all: prev,
    induction_all: induction.scores,
    eval_seconds: (performance.now() - t0) / 1000,
  };
}
