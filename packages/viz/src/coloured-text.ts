/**
 * Subgraph Ablation Attribution as coloured text (docs/semantics.md §8.1, §8.3): each token of one
 * example gets CUI's red/blue background for the per-token loss change between two experiments,
 * red where the loss rises and blue where it falls, and the value on hover (`title`). Several
 * comparisons share one scale so their colours compare.
 */
import { cuiColour, maxAbs } from "./colour.js";
import { escapeHtml } from "./html.js";

export interface ColouredTextRow {
  /** e.g. "Loss increase from unscrubbed to scrub-1.5". */
  readonly label: string;
  /** One value per token. */
  readonly values: ArrayLike<number>;
}

export interface ColouredTextOptions {
  /** |value| at which colours saturate; default the largest |value| over all rows. */
  readonly scale?: number;
  readonly title?: string;
  /** Unit shown on hover (default "nats"). */
  readonly units?: string;
  /** Decimals on hover (default 4, as CUI's tooltip). */
  readonly digits?: number;
  /** Show only tokens [start, end). */
  readonly start?: number;
  readonly end?: number;
}

/** CUI's `tokenToParagraphString`: a newline shows as ↵ and still breaks the line. */
function paragraphToken(t: string): string {
  return t.replace(/\n/g, "↵\n");
}

function signed(v: number, digits: number): string {
  if (!Number.isFinite(v)) return String(v);
  return (v > 0 ? "+" : "") + v.toFixed(digits);
}

export function colouredTextHtml(tokens: readonly string[], rows: readonly ColouredTextRow[], options: ColouredTextOptions = {}): string {
  for (const r of rows) {
    if (r.values.length !== tokens.length) throw new RangeError(`row "${r.label}" has ${r.values.length} values for ${tokens.length} tokens`);
  }
  const start = Math.max(0, options.start ?? 0);
  const end = Math.min(tokens.length, options.end ?? tokens.length);
  const shown = rows.map((r) => Array.from(r.values).slice(start, end));
  const scale = options.scale ?? maxAbs(shown.flat());
  const units = options.units ?? "nats";
  const digits = options.digits ?? 4;
  const rowHtml = rows
    .map((r, k) => {
      const spans = shown[k]!
        .map((v, i) => {
          const p = start + i;
          const tip = `${p}: ${JSON.stringify(tokens[p]!)} ${signed(v, digits)} ${units}`;
          return `<span style="background-color:${cuiColour(v, scale)}" title="${escapeHtml(tip)}" data-pos="${p}" data-value="${v}">${escapeHtml(paragraphToken(tokens[p]!))}</span>`;
        })
        .join("");
      return `<div style="font-weight:600;margin:8px 0 2px">${escapeHtml(r.label)}</div><div style="white-space:pre-wrap;font-family:ui-monospace,Menlo,monospace;font-size:13px;line-height:1.6;border:1px solid #ddd;padding:6px">${spans}</div>`;
    })
    .join("");
  const legend =
    `<div style="font-size:12px;color:#444;margin-top:4px">` +
    `<span style="background:${cuiColour(scale, scale)};padding:0 6px">+${scale.toPrecision(3)}</span> loss rises · ` +
    `<span style="background:${cuiColour(-scale, scale)};padding:0 6px">−${scale.toPrecision(3)}</span> loss falls · ` +
    `white = no change; hover a token for its value (${escapeHtml(units)})</div>`;
  const title = options.title ? `<div style="font-weight:700">${escapeHtml(options.title)}</div>` : "";
  return `<div class="isc-coloured-text">${title}${rowHtml}${legend}</div>`;
}
