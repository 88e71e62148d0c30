/**
 * Eigenvalues and eigenvectors of a small symmetric matrix (a covariance, d_model × d_model) by
 * cyclic Jacobi rotations in float64: simple, and accurate to rounding for every eigenvalue, which
 * is what a PCA basis needs. O(n³) per sweep; a few sweeps at n = 256 take about a second.
 */

export interface SymmetricEigen {
  /** [n] eigenvalues, largest first. */
  values: Float64Array;
  /** [n, n] row-major: row i is the unit eigenvector of values[i], its largest-magnitude entry positive. */
  vectors: Float64Array;
}

/** `a` [n, n] row-major, symmetric (only its values are read; it is not changed). */
export function symmetricEigen(a: Float64Array, n: number): SymmetricEigen {
  const A = Float64Array.from(a);
  const V = new Float64Array(n * n); // columns: eigenvectors so far
  for (let i = 0; i < n; i++) V[i * n + i] = 1;
  const total = A.reduce((s, x) => s + x * x, 0);
  for (let sweep = 0; sweep < 100 && offDiagonal(A, n) > 1e-30 * total; sweep++) {
    for (let p = 0; p < n - 1; p++) for (let q = p + 1; q < n; q++) rotate(A, V, n, p, q);
  }
  return sorted(A, V, n);
}

function offDiagonal(A: Float64Array, n: number): number {
  let s = 0;
  for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) s += 2 * A[p * n + q] * A[p * n + q];
  return s;
}

/** One rotation in the (p, q) plane that zeroes A[p, q]: A ← JᵀAJ, V ← VJ. */
function rotate(A: Float64Array, V: Float64Array, n: number, p: number, q: number): void {
  const apq = A[p * n + q];
  if (apq === 0) return;
  // Below rounding of the diagonal a rotation changes nothing but noise: drop the entry (as Numerical Recipes' jacobi does).
  if (Math.abs(apq) <= 1e-18 * (Math.abs(A[p * n + p]) + Math.abs(A[q * n + q]))) {
    A[p * n + q] = A[q * n + p] = 0;
    return;
  }
  const theta = (A[q * n + q] - A[p * n + p]) / (2 * apq);
  const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
  const c = 1 / Math.sqrt(t * t + 1);
  const s = t * c;
  for (let k = 0; k < n; k++) {
    const [akp, akq] = [A[k * n + p], A[k * n + q]];
    A[k * n + p] = c * akp - s * akq;
    A[k * n + q] = s * akp + c * akq;
  }
  for (let k = 0; k < n; k++) {
    const [apk, aqk] = [A[p * n + k], A[q * n + k]];
    A[p * n + k] = c * apk - s * aqk;
    A[q * n + k] = s * apk + c * aqk;
  }
  for (let k = 0; k < n; k++) {
    const [vkp, vkq] = [V[k * n + p], V[k * n + q]];
    V[k * n + p] = c * vkp - s * vkq;
    V[k * n + q] = s * vkp + c * vkq;
  }
}

/** Diagonal and columns of V, by decreasing eigenvalue, each vector's sign fixed so that runs agree. */
function sorted(A: Float64Array, V: Float64Array, n: number): SymmetricEigen {
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => A[j * n + j] - A[i * n + i] || i - j);
  const values = Float64Array.from(order, (i) => A[i * n + i]);
  const vectors = new Float64Array(n * n);
  order.forEach((col, row) => {
    let big = 0;
    for (let k = 0; k < n; k++) if (Math.abs(V[k * n + col]) > Math.abs(V[big * n + col])) big = k;
    const sign = V[big * n + col] < 0 ? -1 : 1;
    for (let k = 0; k < n; k++) vectors[row * n + k] = sign * V[k * n + col];
  });
  return { values, vectors };
}
