/**
 * Per-source sampling weights for the training rows (`--source-weights natural=4,gcide=0.5`). The
 * corpus is a fixed file whose source shares follow the sizes of the offline packages (GCIDE and the
 * kernel comments are two thirds of it), while the evaluation rows are half natural English; weights
 * let a run rebalance toward the text it is judged on without rebuilding the corpus. The corpus names
 * each row's source (train.json's `row_source`, written by build-corpus), and an epoch then holds each
 * row ⌊w⌋ times, plus once more with probability w − ⌊w⌋.
 */
import type { TokenDatasetMeta } from "@isc/core";
import _ from "lodash";
import { UsageError } from "./args.js";

/** Keys: source names (e.g. "gcide") or registers ("natural", "technical"); a source's own key wins. */
export type SourceWeights = Record<string, number>;

/** "key=w,key=w" → weights; every unnamed source keeps 1. An all-ones spec is no weighting (undefined). */
export function parseSourceWeights(raw: string): SourceWeights | undefined {
  const out: SourceWeights = {};
  for (const part of raw.split(",")) {
    const m = /^\s*([a-z][a-z0-9-]*)\s*=\s*([0-9.eE+-]+)\s*$/.exec(part);
    const w = m ? Number(m[2]) : NaN;
    if (!m || !Number.isFinite(w) || w < 0) throw new UsageError(`--source-weights must be NAME=W[,NAME=W…] with W ≥ 0, e.g. natural=4,gcide=0.5; got "${raw}"`);
    if (m[1] in out) throw new UsageError(`--source-weights names "${m[1]}" twice`);
    out[m[1]] = w;
  }
  return normalizeWeights(out);
}

export function normalizeWeights(w: SourceWeights | undefined): SourceWeights | undefined {
  if (!w) return undefined;
  const kept = Object.entries(w).filter(([, v]) => v !== 1).sort(([a], [b]) => a.localeCompare(b));
  return kept.length ? Object.fromEntries(kept) : undefined;
}

export function sameWeights(a: SourceWeights | undefined, b: SourceWeights | undefined): boolean {
  return JSON.stringify(normalizeWeights(a)) === JSON.stringify(normalizeWeights(b));
}

export function weightsAt(first: SourceWeights | undefined, changes: readonly { step: number; weights?: SourceWeights }[] | undefined, step: number): SourceWeights | undefined {
  let out = first;
  for (const c of changes ?? []) if (c.step <= step) out = c.weights;
  return normalizeWeights(out);
}

export function describeWeights(w: SourceWeights | undefined): string {
  const n = normalizeWeights(w);
  return n ? `sources weighted ${Object.entries(n).map(([k, v]) => `${k} ×${v}`).join(", ")}` : "sources at their corpus shares";
}

interface RowSourceMeta {
  row_source?: string;
  row_source_legend?: Record<string, string>;
  row_source_register?: Record<string, string>;
}

/** The per-row weights [rows] for a data set whose metadata names each row's source. */
export function rowWeights(meta: TokenDatasetMeta, rows: number, w: SourceWeights): Float64Array {
  const m = meta as TokenDatasetMeta & RowSourceMeta;
  if (typeof m.row_source !== "string" || !m.row_source_legend || m.row_source.length !== rows) {
    throw new UsageError("--source-weights needs training data that names each row's source (row_source in its .json); rebuild it with `pnpm build-corpus`");
  }
  const legend = m.row_source_legend;
  const register = m.row_source_register ?? {};
  const known = new Set([...Object.values(legend), ...Object.values(register)]);
  for (const k of Object.keys(w)) {
    if (!known.has(k)) throw new UsageError(`--source-weights: "${k}" is neither a source nor a register of this data (${[...known].sort().join(", ")})`);
  }
  const byCode = _.mapValues(legend, (name) => w[name] ?? w[register[name]] ?? 1);
  const out = new Float64Array(rows);
  let total = 0;
  for (let r = 0; r < rows; r++) total += out[r] = byCode[m.row_source[r]] ?? 1;
  if (!(total > 0)) throw new UsageError("--source-weights leaves no rows to train on");
  return out;
}
