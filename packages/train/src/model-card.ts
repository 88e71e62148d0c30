/**
 * The model card of an exported training run, card.json and card.md: the training facts, held-out
 * loss, head-detector scores, acceptance checks, how the recipe differs from Redwood's, and the head
 * roles with the analysis that found them (@isc/scrubbing's analyseHeadRoles).
 */
import _ from "lodash";
import type { IclResult, ModelConfig } from "@isc/core";
import { HEAD_ROLE_PROCEDURE, type HeadRoleAnalysis } from "@isc/scrubbing";
import type { HyperParams, TrainState } from "./checkpoint.js";
import { type IclBreakdown, iclTable } from "./icl-groups.js";
import { describeSpans, type RepeatSpans } from "./repeat-spans.js";
import { describeWeights } from "./source-weights.js";

/** How the card describes each kind of repeated span (repeat-spans.ts). */
const SPAN_KINDS: Record<NonNullable<RepeatSpans["kind"]>, string> = {
  random: " (random ids written once, repeated later in the row)",
  copy: " (a copy of the row's own text, later in the row)",
  mixed: " (each span either random ids or the row's own text, even odds, repeated later in the row)",
};

export interface AcceptanceCheck {
  check: string;
  need: string;
  value: number;
  pass: boolean;
}

/** What the card is made of. */
export interface CardInput {
  state: TrainState;
  cfg: ModelConfig;
  /** Whether the shipped weights are the run's moving average. */
  average: boolean;
  interim: boolean;
  /** Whether the bundle has a training-history.md for the card to link. */
  history: boolean;
  icl: IclResult;
  iclRows: number;
  iclBySource: IclBreakdown | null;
  analysis: HeadRoleAnalysis;
  /** Rows per path-attribution scrub. */
  samples: number;
  acceptance: AcceptanceCheck[];
}

export type ModelCard = ReturnType<typeof modelCard>;

const r3 = (x: number) => Math.round(x * 1000) / 1000;

export function modelCard(c: CardInput) {
  const { state, analysis: a } = c;
  return {
    name: "default",
    interim: c.interim,
    architecture: "Redwood's attention_only_two_layers_untied: 2 layers × 8 heads, d_model 256, d_head 32, shortformer positions, LayerNorm, untied unembedding, no biases",
    config: c.cfg,
    tokenizer: "GPT-2 BPE truncated to ids 0..8191, plus [BEGIN] = 8192",
    training: {
      data: state.data,
      steps: state.step,
      planned_steps: state.hyper?.steps,
      tokens_seen: state.tokensSeen,
      wall_seconds: Math.round(state.wallSeconds),
      tokens_per_second: Math.round(state.tokensSeen / Math.max(state.wallSeconds, 1)),
      hyper: state.hyper,
      weights: c.average ? `moving average of the weights (decay ${state.hyper.ema!.decay}, from step ${state.hyper.ema!.from})` : "the weights at the last step",
    },
    tokens_seen: state.tokensSeen,
    evaluation: {
      heldout_loss: r3(c.icl.meanLoss),
      icl_score: r3(c.icl.score),
      icl_early_10_49: r3(c.icl.early),
      icl_late_200_299: r3(c.icl.late),
      icl_by_source: c.iclBySource && Object.fromEntries([...c.iclBySource.sources, ...c.iclBySource.registers].map((g) => [g.name, { rows: g.rows, score: r3(g.score), se: r3(g.se) }])),
      repeated_random_second_copy_loss: r3(a.induction.secondCopyLoss),
      repeated_random_first_copy_loss: r3(a.induction.firstCopyLoss),
      previous_token_scores_layer0: a.previousTokenScores[0].map(r3),
      induction_scores_layer1: a.induction.scores[1].map(r3),
    },
    acceptance: c.acceptance.map((x) => ({ ...x, value: Math.round(x.value * 1000) / 1000 })),
    deviations: deviations(state.hyper, c.average),
    history: c.history ? "training-history.md" : null,
    roles: a.roles,
    role_analysis: {
      procedure: `see packages/scrubbing/src/head-role-analysis.ts: ${HEAD_ROLE_PROCEDURE}`,
      induction_heads_formed: a.inductionHeadsFormed,
      samples: c.samples,
      unscrubbed_candidates_loss: r3(a.unscrubbedCandidatesLoss),
      tau: r3(a.tau),
      delta_v: a.delta.v.map(r3),
      delta_q: a.delta.q.map(r3),
      delta_k: a.delta.k.map(r3),
    },
  };
}

/** card.md: the facts and checks, then the head scores and roles. */
export function modelCardMarkdown(card: ModelCard, c: CardInput): string {
  const { state } = c;
  return `# Default model card${c.interim ? " (INTERIM: training is not finished)" : ""}

${card.architecture}. ${card.tokenizer}. Trained by \`pnpm train\` (scripts/src/train.ts) on the offline corpus of
\`pnpm build-corpus\` (${state.data?.rows ?? "?"} rows of 301 tokens); evaluated on \`eval.u16\` (10,000 held-out rows).

| fact | value |
|---|---|
| steps | ${state.step}${state.hyper?.steps ? ` of ${state.hyper.steps} planned` : ""} |
| tokens seen | ${state.tokensSeen.toLocaleString("en-US")} |
| shipped weights | ${card.training.weights} |
| training wall time | ${(state.wallSeconds / 3600).toFixed(2)} h (${card.training.tokens_per_second} tokens/s on a 2-core CPU: tfjs wasm backend, with the native matMul kernels where they were built) |
| held-out loss (${c.iclRows} eval rows) | ${card.evaluation.heldout_loss} |
| ICL score (loss 200–299 minus 10–49) | ${card.evaluation.icl_score} |
| repeated random tokens: loss on 2nd copy / 1st copy | ${card.evaluation.repeated_random_second_copy_loss} / ${card.evaluation.repeated_random_first_copy_loss} |

![training curve](training-curve.png) (\`pnpm training-curve\`: train and held-out loss, the loss on the second copy of repeated random tokens, and the best detector scores, against tokens seen)

## Acceptance (issue 4)

| check | needed | value | |
|---|---|---|---|
${c.acceptance.map((a) => `| ${a.check} | ${a.need} | ${a.value.toFixed(3)} | ${a.pass ? "pass" : "**FAIL**"} |`).join("\n")}
${c.iclBySource ? `\nThe ICL score by the source of the eval rows (\`pnpm icl-by-source\`; registers in bold):\n\n${iclTable(c.iclBySource)}\n` : ""}
## Deviations from Redwood's recipe

${card.deviations.length ? card.deviations.map((d) => `- ${d}`).join("\n") : "- none beyond the vocabulary and the corpus"}
${card.history ? `\nHow the run came to this recipe, with the runs that did not work: [training-history.md](training-history.md).\n` : ""}
${roleSections(c)}`;
}

function roleSections(c: CardInput): string {
  const { analysis: a } = c;
  const { roles } = a;
  const heads = _.range(a.previousTokenScores[0].length);
  const row = (xs: number[]) => xs.map((x) => x.toFixed(3)).join(" | ");
  return `## Head scores

| head | ${heads.join(" | ")} |
|---|${heads.map(() => "---").join("|")}|
| layer 0 previous-token | ${row(a.previousTokenScores[0])} |
| layer 1 induction (prefix matching) | ${row(a.induction.scores[1])} |

## Roles (by the analysis in packages/scrubbing/src/head-role-analysis.ts)

- previous-token head: 0.${roles.previousTokenHead.head}
- induction heads: ${roles.inductionHeads.heads.map((h) => `1.${h}`).join(", ")}${a.inductionHeadsFormed ? "" : " (NOT formed yet: fewer than two layer-1 heads reach a prefix-matching score of 0.3; these are the best two)"}
- plus heads (ev+/eq+ scrub their paths): ${roles.plusHeads.map((h) => `0.${h}`).join(", ")}
- heads pth-k+ keeps: ${roles.pthKPlusKept.map((h) => `0.${h}`).join(", ")}
- heads 1.i-e46k scrubs: ${roles.ekNarrowScrubbed.map((h) => `0.${h}`).join(", ")}

Rise in CANDIDATES loss when one path 0.j → slot of the induction heads is resampled (${c.samples} rows; τ = ${a.tau.toFixed(3)}):

| slot | ${heads.map((h) => `0.${h}`).join(" | ")} |
|---|${heads.map(() => "---").join("|")}|
| v | ${row(a.delta.v)} |
| q | ${row(a.delta.q)} |
| k | ${row(a.delta.k)} |
`;
}

/** What this run's recipe changes relative to Redwood's (docs/semantics.md §14), in words for the card. */
export function deviations(
  hyper: Partial<HyperParams> | undefined,
  shipsAverage: boolean,
): string[] {
  const out: string[] = [];
  if (hyper?.posInit === "sinusoidal") {
    out.push("W_pos started at the sin/cos table of Vaswani et al. (then learned as usual) rather than at random: from a random start no positional structure and no previous-token head formed in 2,300 steps (training-history.md).");
  }
  const phases = [{ step: 0, repeat: hyper?.repeat }, ...(hyper?.repeatChanges ?? [])].filter((p) => p.repeat?.frac);
  if (phases.length) {
    out.push(
      "Repeated spans in the training rows (the fallback of docs/semantics.md §14, packages/train/src/repeat-spans.ts; a 2-core machine trains a few times 10^7 tokens in a working day, " +
        "below where induction heads reliably form on natural text alone): " +
        phases.map((p) => `from step ${p.step.toLocaleString("en-US")}, ${describeSpans(p.repeat)}${SPAN_KINDS[p.repeat?.kind ?? "copy"]}`).join("; ") +
        ".",
    );
  }
  // Copied natural text right after its original is not the probe's form; random ids are.
  if (phases.some((p) => p.repeat?.adjacent && p.repeat.kind !== undefined && p.repeat.kind !== "copy")) {
    out.push(
      "With copies placed right after their original, the training rows hold sequences of the same form as the repeated-random-token probe " +
        "(fresh random ids, then the same ids again), so its second-copy loss measures a trained skill, not transfer from natural text (training-history.md).",
    );
  }
  const weighted = [{ step: 0, weights: hyper?.sourceWeights }, ...(hyper?.sourceWeightChanges ?? [])];
  if (weighted.some((p) => p.weights)) {
    out.push(
      "Training rows drawn with per-source weights (packages/train/src/source-weights.ts), not at the corpus's own shares: " +
        weighted.map((p) => `from step ${p.step.toLocaleString("en-US")}, ${describeWeights(p.weights)}`).join("; ") +
        ".",
    );
  }
  if (shipsAverage && hyper?.ema) {
    out.push(
      `The shipped weights are an exponential moving average of the trained weights (decay ${hyper.ema.decay}, from step ${hyper.ema.from.toLocaleString("en-US")}; packages/train/src/ema.ts), ` +
        "not the last step's: with 8-row batches the loss on repeated random tokens moved by ±0.3 nats between checkpoints 200 steps apart.",
    );
  }
  return out;
}
