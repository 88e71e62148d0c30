/**
 * What a saved run records beyond its losses, so that anyone can re-evaluate it: the hypothesis,
 * every source's rows, which source each path of the treeified model read, and the versions.
 */
import { readFileSync } from "node:fs";
import { tf } from "@isc/core";
import { type Correspondence, type InputAssignment, type ModelModification, pathKey } from "@isc/scrubbing";
import type { RunManifest } from "./results.js";

export type RunRecord = Pick<RunManifest, "hypothesis" | "modification" | "sources" | "paths" | "versions">;

export function runRecord(corr: Correspondence, assignment: InputAssignment, modification: ModelModification | undefined): RunRecord {
  return {
    hypothesis: corr.describe().map((d) => ({ node: d.node, parent: d.parent, sampler: d.sampler, other_inputs_sampler: d.otherInputsSampler, paths: d.paths })),
    modification: modification?.name ?? null,
    sources: assignment.sourceNames,
    paths: assignment.paths.map((p, i) => ({ path: pathKey(p), source: assignment.sourceOf[i] })),
    versions: { toolkit: toolkitVersion(), node: process.version, tfjs: tf.version_core },
  };
}

/** [sources, samples]: every source's rows, one after another. */
export function sourceRows(assignment: InputAssignment): Int32Array {
  const n = assignment.sources[0].length;
  const out = new Int32Array(assignment.sources.length * n);
  assignment.sources.forEach((rows, i) => out.set(rows, i * n));
  return out;
}

/** This package's version (this file is dist/src/run-record.js). */
export function toolkitVersion(): string {
  return (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version;
}
