/**
 * The imported model's card: head roles (docs/semantics.md §2.3 and §6, i.e. `REDWOOD_ROLES`), where every
 * file came from with its sha256, what was done to the data, and the seed's numbers to compare with.
 */
import type { ModelConfig } from "@isc/core";
import { REDWOOD_ROLES } from "@isc/scrubbing";
import { SEED_CATEGORIES, SEED_MEANS, SEED_REFERENCE } from "./seed-reference.js";

export interface CardSource {
  file: string;
  url: string;
  sha256: string;
  bytes: number;
  /** Whether it is the original file by a sha256 pinned in code; null where none is pinned. */
  original: boolean | null;
}

export interface CardInput {
  cfg: ModelConfig;
  isRedwoodShape: boolean;
  beginId: number;
  sources: CardSource[];
  data: { rows: number; width: number; notes: string[] };
  candidates: number;
  dropped: string[];
  check: { rows: number; mean_nll: number };
}

export function buildCard(c: CardInput): Record<string, unknown> {
  const endId = c.beginId === c.cfg.d_vocab - 2 ? c.cfg.d_vocab - 1 : c.cfg.d_vocab - 2;
  return {
    name: "redwood",
    interim: false,
    architecture:
      "Redwood's attention_only_two_layers_untied (TransformerLens redwood_attn_2l): attention-only, shortformer positions, LayerNorm, untied unembedding, no biases",
    shape_is_redwood_attn_2l: c.isRedwoodShape,
    config: c.cfg,
    tokenizer: `GPT-2 BPE plus [BEGIN] = ${c.beginId} and [END] = ${endId} (GPTBeginEndToks); [BEGIN] read off the rows`,
    roles: REDWOOD_ROLES,
    role_source:
      "docs/semantics.md §2.3 and §6: 0.0 is the previous-token head, 1.5 and 1.6 the induction heads; plusHeads (ev+/eq+) 0.0, 0.4, 0.6, 0.7; pthKPlusKept 0.0, 0.6; ekNarrowScrubbed (1.5-e46k) 0.0, 0.7 (REPO experiments.py)",
    sources: c.sources,
    eval_data: { rows: c.data.rows, width: c.data.width, begin_id: c.beginId, notes: c.data.notes },
    induction_candidates: c.candidates,
    dropped_from_state_dict: c.dropped,
    import_check: { ...c.check, seed_unscrubbed_overall: SEED_MEANS.unscrubbed[0] },
    seed_reference: SEED_REFERENCE,
  };
}

export function buildCardMarkdown(card: Record<string, unknown>, c: CardInput): string {
  const row = (exp: string) => `| ${exp} | ${SEED_MEANS[exp].map((v) => v.toFixed(3)).join(" | ")} |`;
  return `# redwood: Redwood's 2-layer attention-only model, imported

${card.architecture}. Imported by \`pnpm import-redwood\` from:

${c.sources.map((s) => `- \`${s.file}\` (${s.bytes} bytes, sha256 \`${s.sha256}\`${s.original === true ? ", the original" : s.original === false ? ", NOT the original file" : ""}): ${s.url}`).join("\n")}

- Heads: 0.0 previous-token head; 1.5 and 1.6 induction heads (docs/semantics.md §2.3, §6).
- Tokenizer: ${card.tokenizer}.
- Evaluation rows: ${c.data.rows} × ${c.data.width}${c.data.notes.length ? ` (${c.data.notes.join("; ")})` : ""}.
- Good induction candidates: ${c.candidates} ids.
- Check at import: mean per-token loss on the first ${c.check.rows} rows ${c.check.mean_nll.toFixed(3)} (the seed's OVERALL over 10,000 rows: ${SEED_MEANS.unscrubbed[0]}).

## The seed's numbers (mean loss per category; 10,000 samples, seed 42)

Runs on this bundle (\`pnpm scrub preliminary --model weights/redwood --samples 10000\`) should land within about ±0.01.

| exp | ${SEED_CATEGORIES.join(" | ")} |
|---|${SEED_CATEGORIES.map(() => "---").join("|")}|
${Object.keys(SEED_MEANS).map(row).join("\n")}
`;
}
