/** Finding an experiment by name, and suggestions when the name is unknown. */
import { UsageError } from "@isc/core";
import _ from "lodash";
import type { Experiment } from "./entry.js";
import { PRELIMINARY_EXPERIMENTS } from "./preliminary.js";

export class UnknownExperimentError extends UsageError {
  override name = "UnknownExperimentError";
  constructor(
    readonly experiment: string,
    readonly suggestions: string[],
    known: number,
  ) {
    super(
      `unknown experiment "${experiment}"` +
        (suggestions.length ? `; did you mean ${suggestions.map((s) => `"${s}"`).join(", ")}?` : `; no name is close (${known} experiments, e.g. ${PRELIMINARY_EXPERIMENTS.join(", ")})`),
    );
  }
}

export function getExperiment(catalogue: ReadonlyMap<string, Experiment>, name: string): Experiment {
  const e = catalogue.get(name);
  if (e) return e;
  throw new UnknownExperimentError(name, closeNames(name, [...catalogue.keys()]), catalogue.size);
}

/** Up to 5 names within a few edits of `name` (or containing it), nearest first. */
export function closeNames(name: string, names: readonly string[], limit = 5): string[] {
  const max = Math.max(2, Math.floor(name.length / 3));
  const close = names
    .map((n) => ({ n, d: n.includes(name) && name.length >= 3 ? Math.min(editDistance(name, n), max) : editDistance(name, n) }))
    .filter((x) => x.d <= max);
  return _.sortBy(close, ["d", (x) => x.n.length, "n"]).slice(0, limit).map((x) => x.n);
}

function editDistance(a: string, b: string): number {
  let prev = _.range(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}
