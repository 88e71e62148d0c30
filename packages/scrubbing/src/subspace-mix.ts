/**
 * The tensor side of a subspace split (docs/semantics.md §5.5). REPO keeps P(a₁ − c) + c from the
 * proj_target side and a₂ − (P(a₂ − c) + c) from the proj_residual side; their sum is
 * a₂ + P(a₁ − a₂), in which c cancels, and computing it in that form makes two cases exact: both
 * sides equal gives a₂ + 0, and an empty basis gives a₂ itself. P = UᵀU for the kept rows U.
 */
import { tf } from "@isc/core";
import type { SubspaceSplit } from "./subspace.js";

/** The kept rows of a split's basis [dim, D], or null when it keeps none. The caller disposes it. */
export function keptBasis(split: SubspaceSplit): tf.Tensor2D | null {
  const b = split.basis!;
  return split.dim === 0 ? null : tf.tensor2d(b.vectors.subarray(0, split.dim * b.d), [split.dim, b.d]);
}

/** target, residual [B, T, D] -> residual + ((target − residual) Uᵀ) U  [B, T, D]; `residual` itself when U is null. */
export function mixSubspace(target: tf.Tensor3D, residual: tf.Tensor3D, U: tf.Tensor2D | null): tf.Tensor3D {
  if (!U) return residual;
  return tf.tidy(() => {
    const [B, T, D] = residual.shape;
    const diff = tf.reshape(tf.sub(target, residual), [B * T, D]); // [B·T, D]
    const kept = tf.matMul(tf.matMul(diff, U, false, true), U); // [B·T, dim] then [B·T, D]
    return tf.add(residual, tf.reshape(kept, [B, T, D])) as tf.Tensor3D;
  });
}
