/**
 * A model bundle from a directory: `weights/<name>/` holds everything an experiment needs
 * (config.json, model.safetensors, tokenizer.json, card.json, eval.u16 + eval.json,
 * induction-candidates.json, token-ranks.json), read by the same loader the browser uses
 * (scrubbing's loadBundleFrom) through a directory source, plus what only Node can add: the
 * weights' sha256 for run manifests.
 */
import { ResourceError } from "@isc/core";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { dirSource } from "@isc/core";
import { type BundleCard, loadBundleFrom, type SourcedBundle } from "@isc/scrubbing";

export type ModelCard = BundleCard;

export interface Bundle extends SourcedBundle {
  dir: string;
  /** The evaluation rows' path on disk. */
  datasetPath: string;
  modelSha256: string;
}

export class BundleError extends ResourceError {
  override name = "BundleError";
}

/** The repository's weights/ folder, found from this file so commands work from any directory. */
export function weightsDir(): string {
  return path.resolve(path.dirname(new URL(import.meta.url).pathname), "../../../../weights");
}

export function defaultModelDir(): string {
  return process.env.SCRUB_MODEL ?? path.join(weightsDir(), "default");
}

/** `options.data`: evaluation rows anywhere on disk (default the bundle's eval.u16). */
export async function loadBundle(dir = defaultModelDir(), options: { data?: string } = {}): Promise<Bundle> {
  if (!existsSync(dir)) throw new BundleError(`model directory ${dir} does not exist`);
  const datasetPath = path.resolve(dir, options.data ? path.resolve(options.data) : "eval.u16");
  const b = await loadBundleFrom(dirSource(dir), { data: datasetPath });
  const modelSha256 = createHash("sha256").update(readFileSync(path.join(dir, "model.safetensors"))).digest("hex");
  return { ...b, dir, datasetPath, modelSha256 };
}
