/**
 * The in-context-learning score broken down by the source of each evaluation row (eval.json's
 * `row_source`). The overall score mixes sources whose scores differ by 0.4 nats (code comments gain
 * from earlier tokens, packed dictionary entries do not), so the breakdown is what says why a model's
 * score is what it is.
 */
import _ from "lodash";
import { FormatError, type HookedTransformer, inContextLearningScore, type IclResult, rowSourceNames, type TokenDatasetFile } from "@isc/core";

export interface IclGroup {
  name: string;
  rows: number;
  /** Mean loss at positions 10–49 and 200–299 over the group's rows. */
  early: number;
  late: number;
  /** late − early. */
  score: number;
  /** Standard error of the score over the group's rows. */
  se: number;
}

export interface IclBreakdown {
  sources: IclGroup[];
  registers: IclGroup[];
  all: IclGroup;
}

function group(name: string, idx: number[], perRow: IclResult["perRow"]): IclGroup {
  let e = 0, l = 0, d2 = 0;
  for (const i of idx) {
    e += perRow.early[i];
    l += perRow.late[i];
    d2 += (perRow.late[i] - perRow.early[i]) ** 2;
  }
  const n = idx.length;
  const score = (l - e) / n;
  const variance = n > 1 ? (d2 / n - score * score) * (n / (n - 1)) : NaN;
  return { name, rows: n, early: e / n, late: l / n, score, se: Math.sqrt(Math.max(0, variance) / n) };
}

export function iclBreakdown(perRow: IclResult["perRow"], names: readonly string[], register: Record<string, string> = {}): IclBreakdown {
  if (names.length !== perRow.early.length) throw new Error(`${names.length} row names for ${perRow.early.length} rows`);
  const rows = _.range(names.length);
  const by = (key: (i: number) => string | undefined) => {
    const groups = _.groupBy(rows.filter((i) => key(i) !== undefined), key);
    return Object.keys(groups).sort((a, b) => a.localeCompare(b)).map((k) => group(k, groups[k], perRow));
  };
  return {
    sources: by((i) => names[i]),
    registers: by((i) => register[names[i]]),
    all: group("all", rows, perRow),
  };
}

/** A markdown table: one line per source, then per register, then all rows. */
export function iclTable(b: IclBreakdown): string {
  const f = (x: number) => x.toFixed(3);
  const line = (g: IclGroup, bold = false) => {
    const name = bold ? `**${g.name}**` : g.name;
    return `| ${name} | ${g.rows} | ${f(g.early)} | ${f(g.late)} | ${f(g.score)} ± ${Number.isFinite(g.se) ? g.se.toFixed(3) : "–"} |`;
  };
  return [
    "| rows from | rows | loss 10–49 | loss 200–299 | ICL score ± s.e. |",
    "|---|---|---|---|---|",
    ...b.sources.map((g) => line(g)),
    ...b.registers.map((g) => line(g, true)),
    line(b.all, true),
  ].join("\n");
}

/** The ICL score of a model on the first `rows` rows of an evaluation file, and its breakdown by the rows' sources. */
export async function iclBySource(model: HookedTransformer, ds: TokenDatasetFile, rows: number, where: string): Promise<{ icl: IclResult; breakdown: IclBreakdown }> {
  const sources = rowSourceNames(ds.meta, rows);
  if (!sources) throw new FormatError(`${where}: its .json names no row sources (row_source); rebuild it with \`pnpm build-corpus\``);
  const icl = await inContextLearningScore(model, { data: ds.tokens.subarray(0, rows * ds.width), batch: rows, width: ds.width });
  return { icl, breakdown: iclBreakdown(icl.perRow, sources.names, sources.register) };
}
