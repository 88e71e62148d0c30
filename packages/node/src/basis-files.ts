/**
 * The files of subspace-split bases (docs/semantics.md §5.5). A model's default bases live beside it,
 * `<model dir>/proj/<site>.safetensors` (tensors `basis` [D, D], rows by decreasing variance, `mean`
 * [D], `variance` [D]) with `<site>.json` saying how they were made. A user's own basis is any
 * safetensors file with an orthonormal `basis` [k, D] (rows most important first; `mean` optional).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { readSafetensors, ResourceError, sha256Hex, writeSafetensors } from "@isc/core";
import { type ActivationPca, type ActivationSite, type Basis, siteKey } from "@isc/scrubbing";

export const BASIS_DIR = "proj";

export class BasisError extends ResourceError {
  override name = "BasisError";
}

/** How a default basis was made: enough to make it again and to refuse it for another model. */
export interface BasisProvenance {
  site: string;
  hook: string;
  heads: number[] | null;
  method: string;
  model: { dir: string; sha256: string };
  data: { path: string; sha256: string; rows_used: number; positions: number };
  /** Share of the total variance in the first n directions, for a few n. */
  explained: { dims: number; fraction: number }[];
  backend: string;
  toolkit: string;
  created: string;
}

export function basisFile(modelDir: string, site: ActivationSite): string {
  return path.join(modelDir, BASIS_DIR, `${siteKey(site)}.safetensors`);
}

export function provenanceFile(basis: string): string {
  return basis.replace(/\.safetensors$/, ".json");
}

/** Writes a PCA and its provenance, each through a temporary file so a stopped run leaves no half file. */
export function writeBasis(file: string, pca: ActivationPca, provenance: BasisProvenance): void {
  const D = pca.mean.length;
  const bytes = writeSafetensors({
    basis: { shape: [pca.components.length / D, D], data: pca.components },
    mean: { shape: [D], data: pca.mean },
    variance: { shape: [D], data: pca.variances },
  });
  mkdirSync(path.dirname(file), { recursive: true });
  for (const [target, data] of [[file, bytes], [provenanceFile(file), JSON.stringify(provenance, null, 2) + "\n"]] as const) {
    writeFileSync(`${target}.partial`, data);
    renameSync(`${target}.partial`, target);
  }
}

/** Reads a basis for d-dimensional activations and checks that its rows are orthonormal. */
export function readBasis(file: string, d: number): Basis {
  if (!existsSync(file)) throw new BasisError(`basis file ${file} does not exist`);
  const bytes = readFileSync(file);
  const t = readSafetensors(bytes, file);
  const b = t.get("basis");
  if (!b || b.shape.length !== 2 || b.shape[1] !== d) {
    throw new BasisError(`${file}: needs a tensor "basis" of shape [k, ${d}] (k orthonormal rows), found ${b ? `[${b.shape.join(", ")}]` : "none"}`);
  }
  const k = b.shape[0];
  const worst = orthonormalityError(b.data, k, d);
  if (worst > 1e-3) throw new BasisError(`${file}: the rows of "basis" are not orthonormal (a Gram entry is off by ${worst.toExponential(1)})`);
  const mean = t.get("mean");
  const source = `${path.relative(process.cwd(), file) || file} sha256 ${sha256Hex(bytes).slice(0, 12)}`;
  return { d, k, vectors: b.data, ...(mean?.data.length === d ? { center: mean.data } : {}), source };
}

/** max |UUᵀ − I| over the Gram matrix of k rows of length d, in float64. */
function orthonormalityError(u: Float32Array, k: number, d: number): number {
  let worst = 0;
  for (let i = 0; i < k; i++) {
    for (let j = i; j < k; j++) {
      let dot = 0;
      for (let x = 0; x < d; x++) dot += u[i * d + x] * u[j * d + x];
      worst = Math.max(worst, Math.abs(dot - (i === j ? 1 : 0)));
    }
  }
  return worst;
}

export function readProvenance(basis: string): BasisProvenance | null {
  const f = provenanceFile(basis);
  return existsSync(f) ? (JSON.parse(readFileSync(f, "utf8")) as BasisProvenance) : null;
}
