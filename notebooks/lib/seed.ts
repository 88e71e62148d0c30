/** The seed notebook's numbers (docs/semantics.md §10), kept once in @isc/scrubbing. */
export { SEED_CATEGORIES, SEED_LATER, SEED_SAA_EXAMPLE, SEED_SAA_TABLES, SEED_TABLES, seedMeans, seedRecovered } from "@isc/scrubbing";
