/**
 * Picks the model a notebook studies: our own default model (weights/default) or Redwood's
 * original (weights/redwood, present only after a user imported it). "auto" takes Redwood's when
 * it is there. Everything a notebook says about heads comes from the bundle's card at run time,
 * because the default model is still being trained and its card changes.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { type Bundle, loadBundle } from "@isc/node";
import { type BackendInfo, initBackend } from "@isc/core";
import { escapeHtml, fmtFixed, inlineToken } from "@isc/viz";
import _ from "lodash";
import { runtimeName } from "./kernel.js";
import { repoRoot } from "./paths.js";

export type ModelChoice = "auto" | "default" | "redwood" | (string & {});

export interface OpenedModel {
  bundle: Bundle;
  /** "default", "redwood" or the directory given. */
  name: string;
  /** True for Redwood's original model: the seed's numbers apply. */
  redwood: boolean;
  /** True while the default model is still training. */
  interim: boolean;
  /** Why the choice differs from what was asked, if it does. */
  note: string | null;
  /** "1.5", "1.6": the induction heads' names in this model. */
  inductionHeads: string[];
  /** "0.0": the previous-token head's name in this model. */
  prevHead: string;
  /** The tfjs backend and kernels this kernel's runs use. */
  backend: BackendInfo;
}

function hasModel(dir: string): boolean {
  return existsSync(path.join(dir, "model.safetensors")) && existsSync(path.join(dir, "card.json"));
}

export function weightsDir(): string {
  return path.join(repoRoot(), "weights");
}

export async function openModel(choice: ModelChoice = "auto"): Promise<OpenedModel> {
  const redwoodDir = path.join(weightsDir(), "redwood");
  const defaultDir = process.env.SCRUB_MODEL ?? path.join(weightsDir(), "default");
  let dir: string;
  let name: string;
  let note: string | null = null;
  if (choice === "auto") {
    [dir, name] = hasModel(redwoodDir) ? [redwoodDir, "redwood"] : [defaultDir, "default"];
  } else if (choice === "redwood") {
    if (hasModel(redwoodDir)) [dir, name] = [redwoodDir, "redwood"];
    else {
      [dir, name] = [defaultDir, "default"];
      note = "weights/redwood is not there (Redwood's original model has not been imported), so this run uses the default model.";
    }
  } else if (choice === "default") [dir, name] = [defaultDir, "default"];
  else [dir, name] = [path.resolve(repoRoot(), choice), choice];
  if (!hasModel(dir)) {
    throw new Error(
      `${dir} holds no model (model.safetensors + card.json). The default model comes from ` +
        "`pnpm train` then `pnpm export-model`; Redwood's original is imported into weights/redwood.",
    );
  }
  // Before any tensor exists: without it tfjs would fall back to its slow pure-JS backend.
  const backend = await initBackend({ quiet: true });
  const bundle = await loadBundle(dir);
  const roles = bundle.roles;
  return {
    bundle,
    name,
    redwood: name === "redwood" || bundle.card.name === "redwood",
    interim: bundle.card.interim === true,
    note,
    inductionHeads: roles.inductionHeads.heads.map((h) => `${roles.inductionHeads.layer}.${h}`),
    prevHead: `${roles.previousTokenHead.layer}.${roles.previousTokenHead.head}`,
    backend,
  };
}

/** A short HTML card: which model, how trained, which heads play which role. */
export function modelSummaryHtml(m: OpenedModel): string {
  const c = m.bundle.model.cfg;
  const card = m.bundle.card as Record<string, unknown>;
  const training = card.training as { steps?: number; planned_steps?: number; tokens_seen?: number } | undefined;
  const evaluation = card.evaluation as { heldout_loss?: number } | undefined;
  const rows: [string, string][] = [
    ["model", `${m.name}${m.interim ? " — INTERIM (still training; numbers change as it trains)" : ""}`],
    ["shape", `${c.n_layers} layers × ${c.n_heads} heads, d_model ${c.d_model}, d_head ${c.d_head}, vocab ${c.d_vocab}, ${c.n_ctx} positions`],
    ["previous-token head", m.prevHead],
    ["induction heads", m.inductionHeads.join(", ")],
    ["evaluation rows", `${m.bundle.dataset.rows} rows of ${m.bundle.dataset.width} tokens`],
    ["runs on", `${runtimeName()}, tfjs ${m.backend.name} backend (${m.backend.detail})`],
  ];
  if (training?.steps !== undefined) rows.push(["training", `${training.steps}${training.planned_steps ? ` of ${training.planned_steps}` : ""} steps, ${training.tokens_seen ?? "?"} tokens`]);
  if (evaluation?.heldout_loss !== undefined) rows.push(["held-out loss", `${fmtFixed(evaluation.heldout_loss, 3)} nats/token`]);
  if (m.note) rows.push(["note", m.note]);
  return `<table style="border-collapse:collapse;font-size:13px">${rows
    .map(([k, v]) => `<tr><td style="padding:2px 10px 2px 0;font-weight:600;white-space:nowrap;vertical-align:top">${escapeHtml(k)}</td><td style="padding:2px 0">${escapeHtml(v)}</td></tr>`)
    .join("")}</table>`;
}

/** The decoded string of every token of dataset row `idx` (width tokens, [BEGIN] first). */
export function rowTokens(bundle: Bundle, idx: number): string[] {
  return Array.from(bundle.dataset.row(idx), (id) => bundle.tokenStrings[id] ?? `<${id}>`);
}

/** A compact table of positions, ids and decoded tokens (↵ and ⸱ make newlines and spaces visible). */
export function tokensHtml(ids: readonly number[], strings: readonly string[], perRow = 16): string {
  const cells = ids.map(
    (id, p) =>
      `<td style="padding:2px 5px;border:1px solid #ddd;text-align:center;font-family:ui-monospace,Menlo,monospace;font-size:12px"><div style="color:#888;font-size:10px">${p} · ${id}</div>${escapeHtml(inlineToken(strings[p] ?? ""))}</td>`,
  );
  const rows = _.chunk(cells, perRow).map((row) => `<tr>${row.join("")}</tr>`);
  return `<table style="border-collapse:collapse">${rows.join("")}</table>`;
}
