/**
 * A training checkpoint → the model bundle the experiments use (weights/default): config.json,
 * model.safetensors, card.json and card.md. The bundle folder must already hold the evaluation rows
 * (eval.u16, from build-corpus) and induction-candidates.json; the head roles come from
 * @isc/scrubbing's analyseHeadRoles on them, and the card records them with the training facts, the
 * held-out loss, the detector scores and the acceptance checks (model-card.ts).
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { type HookedTransformer, inContextLearningScore, readTokenDataset, ResourceError, rowSourceNames, saveModel, type TokenDatasetFile } from "@isc/core";
import {
  analyseHeadRoles,
  candidateFlags,
  experimentCatalogue,
  getExperiment,
  type HeadRoleAnalysis,
  type HeadRoles,
  HypothesisError,
  scrubCandidatesLoss,
  TokenDataset,
} from "@isc/scrubbing";
import { loadCheckpointModel } from "./checkpoint.js";
import { iclBreakdown } from "./icl-groups.js";
import { type AcceptanceCheck, type CardInput, modelCard, modelCardMarkdown } from "./model-card.js";

export interface ExportOptions {
  /** The checkpoint folder (runs/default/ckpt). */
  ckpt: string;
  /** The bundle folder (weights/default). */
  out: string;
  /** Rows per path-attribution scrub (default 64). */
  samples?: number;
  /** Rows of the acceptance check's unscrubbed and baseline scrubs (default 200). */
  acceptanceSamples?: number;
  /** Eval rows of the ICL score (default all of them). */
  iclRows?: number | "all";
  /** The card says the model is partly trained. */
  interim?: boolean;
  /** Export the last step's weights even when the run keeps a moving average. */
  raw?: boolean;
  /** Progress lines (default stderr). */
  log?: (msg: string) => void;
}

export interface ExportReport {
  out: string;
  step: number;
  tokens: number;
  roles: HeadRoles;
  heldout: number;
}

export async function exportModel(o: ExportOptions): Promise<ExportReport> {
  const log = o.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  const { model, state, file, average } = loadCheckpointModel(o.ckpt, { raw: o.raw });
  try {
    log(`exporting ${file} (step ${state.step})`);
    const evalFile = readTokenDataset(path.join(o.out, "eval.u16"));
    const ds = new TokenDataset(evalFile.tokens, evalFile.width, "eval.u16");
    const isCand = candidateFlags(readCandidates(o.out), model.cfg.d_vocab);
    const samples = o.samples ?? 64;
    const analysis = await analyseHeadRoles(model, ds, isCand, { samples, beginId: evalFile.meta.begin_id ?? model.cfg.d_vocab - 1, log });
    const icl = await iclOnEvalRows(model, evalFile, o.iclRows ?? "all", log);
    const acceptance = await acceptanceChecks(model, ds, isCand, analysis, icl, o.acceptanceSamples ?? 200, log);
    await saveModel(model, o.out);
    const input: CardInput = {
      state,
      cfg: model.cfg,
      average,
      interim: o.interim ?? false,
      history: existsSync(path.join(o.out, "training-history.md")),
      ...icl,
      analysis,
      samples,
      acceptance,
    };
    const card = modelCard(input);
    writeFileSync(path.join(o.out, "card.json"), JSON.stringify(card, null, 2) + "\n");
    writeFileSync(path.join(o.out, "card.md"), modelCardMarkdown(card, input));
    return { out: o.out, step: state.step, tokens: state.tokensSeen, roles: analysis.roles, heldout: card.evaluation.heldout_loss };
  } finally {
    model.dispose();
  }
}

function readCandidates(dir: string): number[] {
  const file = path.join(dir, "induction-candidates.json");
  if (!existsSync(file)) throw new ResourceError(`no ${file} (pnpm induction-candidates writes it)`);
  return (JSON.parse(readFileSync(file, "utf8")) as { ids: number[] }).ids;
}

/** The ICL score over the first `rows` eval rows, and by the rows' sources where the data names them. */
async function iclOnEvalRows(model: HookedTransformer, evalFile: TokenDatasetFile, rows: number | "all", log: (m: string) => void) {
  // The ICL score moves by a few hundredths between 200-row samples (some sources' rows are packed
  // short documents, others one long one), against a 0.25 threshold: so it reads every eval row.
  const W = evalFile.width;
  const iclRows = rows === "all" ? evalFile.rows : Math.min(rows, evalFile.rows);
  log(`in-context learning score on ${iclRows} eval rows ...`);
  const icl = await inContextLearningScore(model, { data: evalFile.tokens.subarray(0, iclRows * W), batch: iclRows, width: W });
  const sources = rowSourceNames(evalFile.meta, iclRows);
  return { icl, iclRows, iclBySource: sources ? iclBreakdown(icl.perRow, sources.names, sources.register) : null };
}

/** The checks a trained model must pass before its experiments mean something (issue 4). */
async function acceptanceChecks(
  model: HookedTransformer,
  ds: TokenDataset,
  isCand: Uint8Array,
  a: HeadRoleAnalysis,
  { icl, iclRows }: Awaited<ReturnType<typeof iclOnEvalRows>>,
  samples: number,
  log: (m: string) => void,
): Promise<AcceptanceCheck[]> {
  log(`acceptance: unscrubbed and baseline on ${samples} rows ...`);
  const catalogue = experimentCatalogue(model.cfg, a.roles);
  const candidatesLoss = async (name: string) => {
    const { corr, modification } = getExperiment(catalogue, name).build();
    if (modification) throw new HypothesisError(`${name} changes the model; the acceptance check runs plain scrubs`);
    return scrubCandidatesLoss(model, ds, isCand, corr, samples);
  };
  const unscrubbed = await candidatesLoss("unscrubbed");
  const baseline = await candidatesLoss("baseline");
  const prevBest = a.previousTokenScores[0][a.roles.previousTokenHead.head];
  const indBest = Math.max(...a.induction.scores[1]);
  const second = a.induction.secondCopyLoss;
  return [
    { check: `layer-0 head attends to the previous position (mean probability, t ≥ 1, ${a.probeRows} eval rows)`, need: "≥ 0.7", value: prevBest, pass: prevBest >= 0.7 },
    { check: "layer-1 head attends to the token after the earlier occurrence (300 × 50 random tokens repeated)", need: "≥ 0.5", value: indBest, pass: indBest >= 0.5 },
    { check: "loss on the second copy of the repeated random tokens", need: "≤ 1.0", value: second, pass: second <= 1.0 },
    { check: `held-out loss at positions 200–299 minus 10–49 (${iclRows} eval rows)`, need: "≤ −0.25", value: icl.score, pass: icl.score <= -0.25 },
    { check: `CANDIDATES loss, baseline minus unscrubbed (${samples} rows, seed 42)`, need: "≥ 0.5", value: baseline - unscrubbed, pass: baseline - unscrubbed >= 0.5 },
  ];
}
