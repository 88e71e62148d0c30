/**
 * The seed notebook's numbers for Redwood's model (docs/semantics.md §10; REPO results.ipynb at
 * 0272edd and e30ba3d): 10,000 samples, ExactSampler, seed 42. Per experiment, the 9 categories in
 * table order as [mean, variance, count]. Notebooks, the importer's card and tests compare with
 * them; with the original weights and data, means are expected within about ±0.01 (the reference
 * sample itself was not reproducible, docs/semantics.md §5.2).
 */
import { lossRecovered } from "./recovered.js";

export const SEED_CATEGORIES = [
  "OVERALL",
  "CANDIDATES",
  "LATER CANDIDATES",
  "REPEATS",
  "UNCOMMON REPEATS",
  "NON-ERB UNCOMMON REPEATS",
  "MISLEADING INDUCTION",
  "CANDIDATE ERB",
  "NFERB UR",
] as const;

type Row = [number, number, number];

export const SEED_TABLES: Readonly<Record<string, readonly Row[]>> = {
  unscrubbed: [[4.192, 10.507, 3000000], [3.263, 11.428, 163147], [1.165, 7.686, 36312], [2.499, 5.658, 1278308], [3.952, 11.538, 303884], [5.569, 9.985, 172800], [4.837, 9.919, 182439], [0.202, 0.538, 30722], [5.76, 9.61, 158631]],
  ev: [[4.27, 10.392, 3000000], [3.382, 10.846, 163147], [1.558, 6.768, 36312], [2.675, 6.037, 1278308], [4.556, 11.424, 303884], [6.013, 9.766, 172800], [4.788, 9.673, 182439], [0.76, 1.752, 30722], [6.172, 9.489, 158631]],
  "pth-k": [[4.318, 10.685, 3000000], [3.462, 10.952, 163161], [1.827, 7.838, 36311], [2.767, 6.752, 1278288], [5.013, 12.238, 303868], [6.339, 10.281, 172779], [4.764, 9.678, 182416], [1.099, 3.698, 30721], [6.49, 9.948, 158612]],
  eq: [[4.346, 10.338, 3000000], [3.837, 10.49, 163129], [3.339, 9.473, 36300], [2.855, 6.438, 1278282], [5.23, 10.152, 303828], [6.039, 9.249, 172782], [4.748, 9.564, 182420], [2.886, 7.798, 30711], [6.112, 9.201, 158614]],
  all: [[4.448, 10.882, 3000000], [3.992, 10.694, 163161], [3.842, 9.986, 36311], [3.028, 7.656, 1278288], [5.927, 11.408, 303868], [6.794, 10.382, 172779], [4.81, 9.906, 182416], [3.463, 8.765, 30721], [6.862, 10.338, 158612]],
  baseline: [[4.623, 11.468, 3000000], [4.421, 11.424, 163129], [4.748, 11.149, 36300], [3.203, 8.591, 1278282], [6.525, 11.767, 303828], [7.255, 10.874, 172782], [4.956, 10.432, 182420], [4.494, 10.615, 30711], [7.309, 10.839, 158614]],
  "ev+": [[4.209, 10.506, 3000000], [3.279, 11.46, 163129], [1.199, 7.852, 36300], [2.522, 5.705, 1278282], [3.986, 11.652, 303828], [5.597, 10.103, 172782], [4.871, 10.142, 182420], [0.229, 0.622, 30711], [5.787, 9.724, 158614]],
  "pth-k+": [[4.271, 10.825, 3000000], [3.315, 11.333, 163143], [1.242, 7.388, 36299], [2.638, 6.602, 1278262], [4.567, 13.291, 303812], [6.245, 10.867, 172761], [4.859, 9.891, 182397], [0.329, 0.957, 30710], [6.422, 10.42, 158595]],
  "eq+": [[4.249, 10.425, 3000000], [3.336, 11.221, 163147], [1.391, 7.649, 36312], [2.621, 5.869, 1278308], [4.362, 11.268, 303884], [5.74, 9.691, 172800], [4.798, 9.696, 182439], [0.509, 1.616, 30722], [5.912, 9.354, 158631]],
};

/** SAA runs on example 4 (FixedSampler(4), 1000 resamples). */
export const SEED_SAA_EXAMPLE = 4;
export const SEED_SAA_TABLES: Readonly<Record<string, readonly Row[]>> = {
  unscrubbed: [[3.691, 10.733, 300000], [3.495, 11.479, 33000], [1.411, 9.299, 7000], [2.065, 6.115, 139000], [2.893, 11.646, 44000], [4.569, 14.252, 21000], [5.006, 11.791, 21000], [0.171, 0.076, 6000], [4.717, 14.504, 20000]],
  "scrub-1.5": [[4.099, 11.085, 300000], [4.06, 11.102, 33000], [2.199, 7.92, 7000], [2.595, 7.968, 139000], [4.726, 12.179, 44000], [6.766, 9.85, 21000], [4.86, 12.889, 21000], [1.113, 0.978, 6000], [6.85, 10.125, 20000]],
};

/** Later notebook version (docs/semantics.md §10.3): CANDIDATES and LATER CANDIDATES means. */
export const SEED_LATER: Readonly<Record<string, readonly [number, number]>> = {
  "scrub-1.6": [3.464, 1.689],
  "scrub-1.5": [3.606, 1.785],
  "1.5-pth-k+": [3.3, 1.208],
  "1.6-pth-k+": [3.27, 1.179],
  "1.5-ek": [3.383, 1.581],
  "1.5-e46k": [3.361, 1.518],
  "real-0.0": [3.267, 1.168],
  "beg-0.0": [3.929, 3.699],
  "1.5-zero-0.0": [3.344, 1.464],
  "1.5-beg-0.0": [3.345, 1.467],
  "1.5-pos20-0.0": [3.361, 1.513],
  "1.6-zero-0.0": [3.373, 1.592],
  "1.6-beg-0.0": [3.374, 1.593],
  "1.6-pos20-0.0": [3.412, 1.634],
  "zero-0.0": [3.917, 3.685],
  "scrub-0.0": [4.124, 4.089],
};

/** Seed means of every category for one experiment, in table order. */
export function seedMeans(exp: string): number[] | undefined {
  return SEED_TABLES[exp]?.map((r) => r[0]);
}

/** % loss recovered, (baseline − exp) / (baseline − unscrubbed), from the seed means (docs/semantics.md §10.2). */
export function seedRecovered(exp: string): number[] | undefined {
  const e = seedMeans(exp);
  return e && [...lossRecovered(seedMeans("unscrubbed")!, seedMeans("baseline")!, e)];
}
