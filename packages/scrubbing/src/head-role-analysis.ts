/**
 * The head roles of a model, found from the model rather than copied from Redwood's (what
 * `pnpm export-model` writes into a trained model's card):
 *
 * - previous-token head: the layer-0 head with the highest previous-token score;
 * - induction heads: layer-1 heads whose prefix-matching score on repeated random tokens is ≥ 0.3
 *   (if fewer than two reach it, the two best, and the card says so);
 * - for each layer-0 head j and slot s ∈ {v, q, k}: Δ_s(j), the rise in CANDIDATES loss when only
 *   the path "0.j → s of the induction heads" is resampled (one Uncond child);
 * - plusHeads (scrubbed by ev+/eq+): heads whose Δ_v and Δ_q are both below τ, i.e. the induction
 *   heads' values and queries do not need what they write;
 * - pthKPlusKept (kept by pth-k+): the previous-token head and every head with Δ_k ≥ τ;
 * - ekNarrowScrubbed (1.i-e46k): the plus heads that pth-k+ keeps plus the plus head with the
 *   largest Δ_k among the rest (Redwood's exploratory choice has no stated rule; this one is ours);
 * τ = max(0.01 nat, 10 % of the largest Δ over all heads and slots).
 */
import { type HeadScores, type HookedTransformer, inductionScores, type InductionResult, previousTokenScores, Rng } from "@isc/core";
import type { TokenDataset } from "./dataset.js";
import type { HeadRoles } from "./head-roles.js";
import { InterpNode, Correspondence } from "./hypothesis.js";
import { chain } from "./matchers.js";
import type { ModelModification } from "./model-modifications.js";
import type { Slot } from "./paths.js";
import { runScrub } from "./run-scrub.js";

/** The rule above in words, for a card to record with the roles. */
export const HEAD_ROLE_PROCEDURE =
  "previous-token head = argmax previous-token score; induction heads = layer-1 prefix-matching score ≥ 0.3 (else best two); Δ_s(j) = CANDIDATES loss rise when only 0.j → s of the induction heads is resampled; plusHeads: Δ_v and Δ_q < τ; pthKPlusKept: previous-token head and Δ_k ≥ τ; τ = max(0.01, 10% of the largest Δ)";

export interface HeadRoleAnalysisOptions {
  /** Rows per path-attribution scrub (default 64). */
  samples?: number;
  /** The [BEGIN] id the repeated random sequences of the induction probe start with. */
  beginId: number;
  /** Rows of the dataset (its first ones) for the previous-token score (default 200). */
  probeRows?: number;
  /** The repeated random sequences of the induction score (default 300 of 2 × 50 tokens). */
  inductionProbe?: { nSeq: number; len: number };
  /** Progress lines (default none). */
  log?: (msg: string) => void;
}

export interface HeadRoleAnalysis {
  roles: HeadRoles;
  /** [layer][head] on the first `probeRows` rows. */
  previousTokenScores: HeadScores;
  probeRows: number;
  /** Prefix-matching scores and copy losses on the repeated random tokens. */
  induction: InductionResult;
  /** Whether two layer-1 heads reach the 0.3 prefix-matching score (else the best two were taken). */
  inductionHeadsFormed: boolean;
  /** CANDIDATES loss with nothing resampled. */
  unscrubbedCandidatesLoss: number;
  tau: number;
  /** Δ_s(j) per slot, one per layer-0 head. */
  delta: Record<Slot, number[]>;
}

/** One flag per token id: is it a good induction candidate. */
export function candidateFlags(ids: readonly number[], vocab: number): Uint8Array {
  const isCand = new Uint8Array(vocab);
  for (const i of ids) isCand[i] = 1;
  return isCand;
}

/** Mean loss at the positions whose token is a candidate; `loss` is [rows.length, width − 1]. */
export function candidatesMeanLoss(ds: TokenDataset, isCand: Uint8Array, loss: Float32Array, rows: Int32Array): number {
  const W = ds.width;
  let s = 0;
  let n = 0;
  for (let i = 0; i < rows.length; i++) {
    for (let t = 0; t < W - 1; t++) {
      if (isCand[ds.tokens[rows[i] * W + t]]) {
        s += loss[i * (W - 1) + t];
        n++;
      }
    }
  }
  return s / n;
}

/** CANDIDATES loss of a scrub (seed 42). */
export async function scrubCandidatesLoss(
  model: HookedTransformer,
  ds: TokenDataset,
  isCand: Uint8Array,
  corr: Correspondence,
  samples: number,
  modification?: ModelModification,
): Promise<number> {
  const r = await runScrub(model, ds, corr, { samples, seed: 42, modification });
  return candidatesMeanLoss(ds, isCand, r.loss, r.refRows);
}

export async function analyseHeadRoles(model: HookedTransformer, ds: TokenDataset, isCand: Uint8Array, options: HeadRoleAnalysisOptions): Promise<HeadRoleAnalysis> {
  const log = options.log ?? (() => {});
  const probeRows = Math.min(options.probeRows ?? 200, ds.rows);
  log("head scores ...");
  const prev = await previousTokenScores(model, { data: ds.tokens.subarray(0, probeRows * ds.width), batch: probeRows, width: ds.width });
  const probe = options.inductionProbe ?? { nSeq: 300, len: 50 };
  const induction = await inductionScores(model, new Rng("induction-probe"), { ...probe, beginId: options.beginId });
  const prevHead = argmax(prev[0]);
  const { heads: inductionHeads, formed } = pickInductionHeads(induction.scores[1]);
  const samples = options.samples ?? 64;
  log(`path attribution: ${1 + 3 * model.cfg.n_heads} scrubs of ${samples} rows ...`);
  const { base, delta } = await pathDeltas(model, ds, isCand, inductionHeads, samples);
  const { tau, ...sets } = headSets(delta, prevHead, model.cfg.n_heads);
  return {
    roles: { previousTokenHead: { layer: 0, head: prevHead }, inductionHeads: { layer: 1, heads: inductionHeads }, ...sets },
    previousTokenScores: prev,
    probeRows,
    induction,
    inductionHeadsFormed: formed,
    unscrubbedCandidatesLoss: base,
    tau,
    delta,
  };
}

function argmax(xs: number[]): number {
  return xs.indexOf(Math.max(...xs));
}

/** Layer-1 heads at a prefix-matching score ≥ 0.3, or the best two; in head order. */
function pickInductionHeads(scores: number[]): { heads: number[]; formed: boolean } {
  const byScore = scores.map((s, h) => [s, h] as const).sort((a, b) => b[0] - a[0]);
  let heads = byScore.filter(([s]) => s >= 0.3).map(([, h]) => h);
  const formed = heads.length >= 2;
  if (!formed) heads = byScore.slice(0, 2).map(([, h]) => h);
  return { heads: heads.sort((a, b) => a - b), formed };
}

/** The unscrubbed CANDIDATES loss and Δ_s(j) for every slot and layer-0 head. */
async function pathDeltas(model: HookedTransformer, ds: TokenDataset, isCand: Uint8Array, inductionHeads: number[], samples: number) {
  const scrub = async (matcher: ReturnType<typeof chain> | null) => {
    const root = new InterpNode("logits");
    const corr = new Correspondence(root);
    if (matcher) corr.addChild(root, "scrubbed", matcher);
    return scrubCandidatesLoss(model, ds, isCand, corr, samples);
  };
  const base = await scrub(null);
  const delta: Record<Slot, number[]> = { v: [], q: [], k: [] };
  for (const s of ["v", "q", "k"] as Slot[]) {
    for (let j = 0; j < model.cfg.n_heads; j++) {
      delta[s].push((await scrub(chain({ layer: 1, heads: inductionHeads, slots: [s] }, { layer: 0, heads: [j] }))) - base);
    }
  }
  return { base, delta };
}

/** τ and the head sets it defines (see the file comment). */
export function headSets(delta: Record<Slot, number[]>, prevHead: number, nHeads: number) {
  const tau = Math.max(0.01, 0.1 * Math.max(...delta.v, ...delta.q, ...delta.k));
  const heads = [...Array(nHeads).keys()];
  const plusHeads = heads.filter((j) => delta.v[j] < tau && delta.q[j] < tau);
  const pthKPlusKept = heads.filter((j) => j === prevHead || delta.k[j] >= tau);
  const rest = plusHeads.filter((j) => !pthKPlusKept.includes(j)).sort((a, b) => delta.k[b] - delta.k[a]);
  let ekNarrowScrubbed = [...plusHeads.filter((j) => pthKPlusKept.includes(j)), ...rest.slice(0, 1)].sort((a, b) => a - b);
  if (plusHeads.length === 0) plusHeads.push(prevHead);
  if (ekNarrowScrubbed.length === 0) ekNarrowScrubbed = [plusHeads[0]];
  return { tau, plusHeads, pthKPlusKept, ekNarrowScrubbed };
}
