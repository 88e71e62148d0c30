/**
 * The results on the page as files: JSON with every table (mean, SE, variance, count per category),
 * each % recovered with its 95 % interval and gap flag, and what produced them (the hypothesis,
 * samples, seed, backend, model, data); CSV with one row per experiment × category. Both are
 * spelled by @isc/scrubbing's comparison format, the one `scrub recovered --format json|csv` writes,
 * so the same programs read the CLI's files and the page's.
 */
import { type Comparison, comparisonJson, formatComparisonAs } from "@isc/scrubbing";
import type { PreliminaryResult, ReadyInfo, SingleResult } from "./protocol.js";

export type ExportableResult = SingleResult | PreliminaryResult;

function comparisonOf(r: ExportableResult): Comparison {
  const runs = r.kind === "single" ? [r.unscrubbed, r.baseline, r.run] : r.runs;
  const recovered = r.kind === "single" ? [r.recovered] : r.recovered;
  return {
    samples: runs[0]!.samples,
    seed: runs[0]!.seed,
    runs: runs.map((o) => ({ experiment: o.name, table: o.table })),
    recovered: recovered.map((x) => ({ experiment: x.name, values: x.values, interval: x.interval })),
  };
}

/** What was run: a catalogue experiment by name, the page's hypothesis as the builder spelled it, or the preliminary set. */
function hypothesisOf(r: ExportableResult) {
  if (r.kind === "preliminary") return { kind: "preliminary", experiments: r.runs.map((o) => o.name) };
  const t = r.target;
  return t.kind === "experiment" ? { kind: "experiment", name: t.name, description: r.run.description } : { kind: "hypothesis", name: t.name, description: r.run.description, spec: t.spec };
}

export function exportJson(r: ExportableResult, info: Pick<ReadyInfo, "model" | "dataset">): string {
  const runs = r.kind === "single" ? [r.run] : r.runs;
  const doc = {
    hypothesis: hypothesisOf(r),
    backend: runs[0]!.backend,
    model: { name: info.model.name, interim: info.model.interim },
    dataset: { name: info.dataset.name, rows: info.dataset.rows, sha256: info.dataset.sha256 },
    ...comparisonJson(comparisonOf(r)),
  };
  return JSON.stringify(doc, null, 2) + "\n";
}

export function exportCsv(r: ExportableResult): string {
  return formatComparisonAs("csv", comparisonOf(r));
}

/** A file name that says what the file holds, e.g. "scrub-ev-64-samples-seed-42.json". */
export function exportName(r: ExportableResult, ext: "json" | "csv"): string {
  const name = r.kind === "single" ? r.run.name : "preliminary";
  const runs = r.kind === "single" ? [r.run] : r.runs;
  return `scrub-${name.replace(/[^\w.+-]+/g, "-")}-${runs[0]!.samples}-samples-seed-${runs[0]!.seed}.${ext}`;
}
