/**
 * Bases for the subspace experiments of a run (docs/semantics.md §5.5): the model's default ones
 * (PCA, stored beside it by `scrub pca`), or one file the user gives. Every failure is one line
 * that says what to run.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { initBackend } from "@isc/core";
import {
  type ActivationPca,
  type ActivationSite,
  activationPcas,
  activationSite,
  type Basis,
  experimentCatalogue,
  type ModelModification,
  siteKey,
  subspaceSplits,
  withBases,
} from "@isc/scrubbing";
import { type BasisProvenance, BasisError, basisFile, readBasis, readProvenance, writeBasis } from "./basis-files.js";
import type { Bundle } from "./bundle.js";
import { toolkitVersion } from "./run-record.js";

/** `mod` with a basis for each of its subspace splits: `userFile` if given, else each split's default file. */
export function basesFor(bundle: Bundle, mod: ModelModification | undefined, userFile?: string): ModelModification | undefined {
  const splits = subspaceSplits(mod);
  if (splits.length === 0) {
    if (userFile) throw new BasisError(`--basis applies only to the subspace experiments (k-…-proj-{d}d; see \`scrub list\`)`);
    return mod;
  }
  const { cfg } = bundle.model;
  if (userFile && splits.length > 1) throw new BasisError(`this experiment splits ${splits.length} activations; --basis gives one basis`);
  const read = new Map<string, Basis>();
  const basisOf = (file: string) => read.get(file) ?? read.set(file, readBasis(file, cfg.d_model)).get(file)!;
  if (userFile && !existsSync(userFile)) {
    throw new BasisError(`--basis ${userFile} does not exist (a safetensors file with an orthonormal "basis" [k, ${cfg.d_model}]; \`scrub pca\` writes the PCA ones to <model>/proj/)`);
  }
  if (userFile) return withBases(mod!, () => basisOf(userFile));
  return withBases(mod!, (s) => basisOf(defaultBasisFile(bundle, activationSite(s, cfg))));
}

/** The default basis file of a site, checked to exist and to belong to this model. */
function defaultBasisFile(bundle: Bundle, site: ActivationSite): string {
  const file = basisFile(bundle.dir, site);
  const make = `scrub pca --model ${path.relative(process.cwd(), bundle.dir) || "."} --site ${siteKey(site)}`;
  if (!existsSync(file)) throw new BasisError(`no basis for ${siteKey(site)}: ${file} is missing; make it with \`${make}\` (or give one with --basis FILE)`);
  const prov = readProvenance(file);
  if (prov && prov.model.sha256 !== bundle.modelSha256) {
    throw new BasisError(`${file} was computed for another model (sha256 ${prov.model.sha256.slice(0, 12)}); remake it with \`${make} --force\``);
  }
  return file;
}

/** Every activation the catalogue's subspace experiments split, once each. */
export function catalogueSites(bundle: Bundle): ActivationSite[] {
  const { cfg } = bundle.model;
  const sites = new Map<string, ActivationSite>();
  for (const e of experimentCatalogue(cfg, bundle.roles).values()) {
    if (e.group !== "subspace") continue;
    for (const s of subspaceSplits(e.build().modification)) {
      const site = activationSite(s, cfg);
      sites.set(siteKey(site), site);
    }
  }
  return [...sites.values()];
}

export interface ComputeBasesOptions {
  rows: number;
  batchSize?: number;
  onProgress?: (done: number, total: number) => void;
}

/** PCA of each site over the bundle's first rows, written beside the model with its provenance; returns the files. */
export async function computeBases(bundle: Bundle, sites: readonly ActivationSite[], options: ComputeBasesOptions): Promise<{ site: ActivationSite; file: string; pca: ActivationPca }[]> {
  const backend = await initBackend();
  const pcas = await activationPcas(bundle.model, bundle.dataset, sites, options);
  return pcas.map((pca) => {
    const file = basisFile(bundle.dir, pca.site);
    writeBasis(file, pca, provenance(bundle, pca, `${backend.name} (${backend.detail})`));
    return { site: pca.site, file, pca };
  });
}

function provenance(bundle: Bundle, pca: ActivationPca, backend: string): BasisProvenance {
  const total = pca.variances.reduce((a, b) => a + b, 0);
  const dims = [1, 2, 4, 8, 16, 32, 64, 128, 256].filter((n) => n <= pca.variances.length);
  return {
    site: siteKey(pca.site),
    hook: pca.site.hook,
    heads: pca.site.heads ? [...pca.site.heads] : null,
    method:
      "PCA over every position of dataset rows 0..rows_used−1 of the unscrubbed model: mean, population covariance (float64), " +
      "eigenvectors by decreasing eigenvalue (Jacobi), each with its largest entry positive; rows of `basis` are the directions",
    model: { dir: path.basename(bundle.dir), sha256: bundle.modelSha256 },
    data: { path: path.basename(bundle.datasetPath), sha256: bundle.datasetSha256, rows_used: pca.rows, positions: pca.positions },
    explained: dims.map((n) => ({ dims: n, fraction: pca.variances.subarray(0, n).reduce((a, b) => a + b, 0) / total })),
    backend,
    toolkit: toolkitVersion(),
    created: new Date().toISOString(),
  };
}
