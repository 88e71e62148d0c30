/**
 * The default basis of a subspace split (docs/semantics.md §5.5): principal components of one
 * activation of the unscrubbed model over every position of the first `rows` dataset rows, as
 * REPO's `ProjectionLayer.reset_as_pca` computes them (mean over all positions, population
 * covariance, eigenvectors by decreasing eigenvalue). Several activations share one forward pass.
 */
import { type HookedTransformer, tf } from "@isc/core";
import type { TokenDataset } from "./dataset.js";
import type { ActivationSite, Basis } from "./subspace.js";
import { symmetricEigen } from "./symmetric-eigen.js";

export interface ActivationPca {
  site: ActivationSite;
  /** [D] mean over every position of every row used. */
  mean: Float32Array;
  /** [D, D] principal directions as rows, by decreasing variance. */
  components: Float32Array;
  /** [D] the variance along each direction (divisor: positions). */
  variances: Float32Array;
  rows: number;
  positions: number;
}

export interface PcaOptions {
  /** Dataset rows 0..rows−1 (all rows if fewer). */
  rows: number;
  batchSize?: number;
  onProgress?: (done: number, total: number) => void;
}

/** Running sums in float64 around a shift K (the first batch's mean), so large means do not swamp the covariance. */
interface Moments {
  shift: Float32Array | null;
  n: number;
  s1: Float64Array; // [D] Σ (x − K)
  s2: Float64Array; // [D, D] Σ (x − K)(x − K)ᵀ
}

export async function activationPcas(model: HookedTransformer, ds: TokenDataset, sites: readonly ActivationSite[], options: PcaOptions): Promise<ActivationPca[]> {
  const D = model.cfg.d_model;
  const rows = Math.min(options.rows, ds.rows);
  const batch = options.batchSize ?? 16;
  const moments: Moments[] = sites.map(() => ({ shift: null, n: 0, s1: new Float64Array(D), s2: new Float64Array(D * D) }));
  for (let r = 0; r < rows; r += batch) {
    const idx = Int32Array.from({ length: Math.min(batch, rows - r) }, (_, i) => r + i);
    const c = model.runWithCache({ data: ds.gather(idx), batch: idx.length, width: ds.width }, { namesFilter: sites.map((s) => s.hook) });
    try {
      for (let i = 0; i < sites.length; i++) await accumulate(moments[i], activationRows(c.cache.get(sites[i].hook), sites[i]));
    } finally {
      c.nll.dispose();
      c.cache.dispose();
    }
    options.onProgress?.(r + idx.length, rows);
  }
  return sites.map((site, i) => finish(site, moments[i], D, rows));
}

/** The basis a split uses: all D directions, the mean as REPO's centre c. */
export function pcaBasis(pca: ActivationPca, source: string): Basis {
  const d = pca.mean.length;
  return { d, k: pca.components.length / d, vectors: pca.components, center: pca.mean, source };
}

/** [B, T, D] (or [B, T, H, D] summed over the site's heads) -> [B·T, D]. */
function activationRows(a: tf.Tensor, site: ActivationSite): tf.Tensor2D {
  return tf.tidy(() => {
    const D = a.shape[a.rank - 1];
    const x = site.heads ? tf.sum(tf.gather(a, [...site.heads], 2), 2) : a;
    return tf.reshape(x, [-1, D]) as tf.Tensor2D;
  });
}

async function accumulate(m: Moments, x: tf.Tensor2D): Promise<void> {
  try {
    if (!m.shift) {
      const mean = tf.mean(x, 0); // [D]
      m.shift = (await mean.data()) as Float32Array;
      mean.dispose();
    }
    const [s1, s2] = tf.tidy(() => {
      const y = tf.sub(x, tf.tensor1d(m.shift!)); // [N, D]
      return [tf.sum(y, 0), tf.matMul(y, y, true, false)]; // [D], [D, D]
    });
    const [a, b] = [await s1.data(), await s2.data()];
    tf.dispose([s1, s2]);
    for (let i = 0; i < a.length; i++) m.s1[i] += a[i];
    for (let i = 0; i < b.length; i++) m.s2[i] += b[i];
    m.n += x.shape[0];
  } finally {
    x.dispose();
  }
}

function finish(site: ActivationSite, m: Moments, D: number, rows: number): ActivationPca {
  const mu = Float64Array.from(m.s1, (v) => v / m.n); // mean − K
  const cov = new Float64Array(D * D);
  for (let i = 0; i < D; i++) for (let j = 0; j < D; j++) cov[i * D + j] = m.s2[i * D + j] / m.n - mu[i] * mu[j];
  for (let i = 0; i < D; i++) for (let j = 0; j < i; j++) cov[i * D + j] = cov[j * D + i] = (cov[i * D + j] + cov[j * D + i]) / 2;
  const { values, vectors } = symmetricEigen(cov, D);
  return {
    site,
    mean: Float32Array.from(mu, (v, i) => v + m.shift![i]),
    components: Float32Array.from(vectors),
    variances: Float32Array.from(values, (v) => Math.max(v, 0)),
    rows,
    positions: m.n,
  };
}
