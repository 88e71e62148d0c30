/**
 * Losses summed per reference row and category: what uncertainty is computed from, since the
 * tokens of one row are not independent samples (its losses move together) but rows are.
 */
import { TABLE_CATEGORIES, type CategoryInfo, type TableMaskKey } from "./masks.js";

/** Per row and category, the sum of `loss` [N·T] over the category's tokens: [N, C] (C = masks.length). */
export function rowSums(loss: Float32Array, masks: readonly Uint8Array[], N: number, T: number): Float64Array {
  const C = masks.length;
  const out = new Float64Array(N * C);
  for (let c = 0; c < C; c++) {
    const m = masks[c]!;
    for (let r = 0; r < N; r++) {
      let s = 0;
      for (let t = r * T; t < (r + 1) * T; t++) if (m[t] !== 0) s += loss[t]!;
      out[r * C + c] = s;
    }
  }
  return out;
}

/** Per row and category, how many tokens the category holds: [N, C]. */
export function rowCounts(masks: readonly Uint8Array[], N: number, T: number): Float64Array {
  return rowSums(new Float32Array(N * T).fill(1), masks, N, T);
}

/**
 * The standard error of each category's mean loss Σs/Σn with rows as the independent units
 * (the cluster-robust form for a ratio): √(N/(N−1)·Σ_r (s_r − m·n_r)²) / Σ_r n_r; NaN unless two rows hold the category.
 */
export function rowClusteredSE(loss: Float32Array, masks: readonly Uint8Array[], T: number): Float64Array {
  const N = loss.length / T;
  const C = masks.length;
  const s = rowSums(loss, masks, N, T);
  const n = rowCounts(masks, N, T);
  return Float64Array.from({ length: C }, (_, c) => {
    let S = 0;
    let M = 0;
    let rows = 0; // rows that hold the category: with one, nothing says how much its mean could move
    for (let r = 0; r < N; r++) [S, M, rows] = [S + s[r * C + c]!, M + n[r * C + c]!, rows + (n[r * C + c]! > 0 ? 1 : 0)];
    const mean = S / M;
    let q = 0;
    for (let r = 0; r < N; r++) q += (s[r * C + c]! - mean * n[r * C + c]!) ** 2;
    return rows < 2 ? NaN : Math.sqrt((N / (N - 1)) * q) / M;
  });
}

/** The row-clustered standard error of each table category's mean loss (OVERALL: every token), in table order. */
export function categoryStandardErrors(
  loss: Float32Array,
  masks: Readonly<Partial<Record<TableMaskKey, Uint8Array>>>,
  T: number,
  categories: readonly CategoryInfo[] = TABLE_CATEGORIES,
): Float64Array {
  return rowClusteredSE(loss, categoryMasks(masks, categories, loss.length), T);
}

/** Each category's mask in table order; a category without one (OVERALL) covers every token. */
export function categoryMasks(masks: Readonly<Partial<Record<TableMaskKey, Uint8Array>>>, categories: readonly CategoryInfo[], length: number): Uint8Array[] {
  return categories.map((c) => masks[c.key] ?? new Uint8Array(length).fill(1));
}
