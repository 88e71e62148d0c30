/**
 * The seed's numbers as the imported model's card records them: means (docs/semantics.md §10.1) and % loss
 * recovered (§10.2), both derived from the one copy of the seed tables in @isc/scrubbing.
 */
import { SEED_CATEGORIES, SEED_TABLES, seedMeans, seedRecovered } from "@isc/scrubbing";

export { SEED_CATEGORIES };

/** Mean per-token loss per category, in SEED_CATEGORIES order. */
export const SEED_MEANS: Readonly<Record<string, readonly number[]>> = Object.freeze(
  Object.fromEntries(Object.keys(SEED_TABLES).map((e) => [e, seedMeans(e)!])),
);

const round3 = (x: number) => Math.round(x * 1000) / 1000;

/** (baseline − exp) / (baseline − unscrubbed) per category, SEED_CATEGORIES order (docs/semantics.md §10.2). */
export const SEED_RECOVERED: Readonly<Record<string, readonly number[]>> = Object.freeze(
  Object.fromEntries(Object.keys(SEED_TABLES).filter((e) => e !== "unscrubbed" && e !== "baseline").map((e) => [e, seedRecovered(e)!.map(round3)])),
);

export const SEED_REFERENCE = Object.freeze({
  source: "seed notebook (REPO results.ipynb @0272edd): 10,000 samples, ExactSampler, seed 42; docs/semantics.md §10",
  tolerance: "means expected within ±0.01 on the original weights and data",
  categories: SEED_CATEGORIES,
  means: SEED_MEANS,
  recovered: SEED_RECOVERED,
});
