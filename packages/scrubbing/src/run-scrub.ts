/** A scrub in one call: `prepareScrub` then `evaluate`. */
import type { HookedTransformer } from "@isc/core";
import type { TokenDataset } from "./dataset.js";
import { evaluate, type EvaluateOptions, type ScrubResult } from "./evaluate-scrub.js";
import type { Correspondence } from "./hypothesis.js";
import { type PrepareOptions, prepareScrub } from "./prepare-scrub.js";

export type ScrubOptions = PrepareOptions & EvaluateOptions;

export async function runScrub(model: HookedTransformer, ds: TokenDataset, corr: Correspondence, options: ScrubOptions): Promise<ScrubResult> {
  const start = performance.now();
  const result = await evaluate(prepareScrub(model, ds, corr, options), options);
  return { ...result, seconds: (performance.now() - start) / 1000 };
}
