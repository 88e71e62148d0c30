/**
 * Refactors must not change a single number: per-token losses of twelve experiments on the default
 * model (64 rows, seed 42) are compared bit for bit with a committed fixture. Bits depend on the
 * kernels (native ones per instruction set, or the wasm ones), so the fixture keeps one file per
 * kernel set; the wasm file is the same on every x86-64 machine and is always checked (run-tests
 * runs this file again with SCRUB_NATIVE=0). `UPDATE_BIT_IDENTITY=1` writes the file for the
 * kernels in use.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import { dirSource, initBackend, nativeKernelsInfo, sha256Hex } from "@isc/core";
import { ExactSampler, experimentCatalogue, getExperiment, loadBundleFrom, PRELIMINARY_EXPERIMENTS, runScrub } from "../src/index.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const FIXTURE_DIR = path.resolve(here, "../../test/fixtures/bit-identity");
const MODEL_DIR = path.resolve(here, "../../../../weights/default");
const EXPERIMENTS = [...PRELIMINARY_EXPERIMENTS, "ev+-decoherent", "scrub-0.0", "real-0.0"];
const SAMPLES = 64;
const SEED = 42;

interface FixtureIndex {
  experiments: string[];
  samples: number;
  seed: number;
  T: number;
  model_sha256: string;
  /** kernel set -> sha256 of its .f32 file, [experiments, samples, T] row-major. */
  files: Record<string, string>;
}

/** "native-avx512", "native-avx2", "native-sse" or "wasm": what decides the bits. */
function kernelSet(): string {
  const info = nativeKernelsInfo();
  return info ? `native-${info.split(",")[0]}` : "wasm";
}

async function computeLosses(): Promise<{ losses: Float32Array; T: number; modelSha: string }> {
  const bundle = await loadBundleFrom(dirSource(MODEL_DIR), {});
  try {
    const catalogue = experimentCatalogue(bundle.model.cfg, bundle.roles);
    const parts: Float32Array[] = [];
    let T = 0;
    for (const name of EXPERIMENTS) {
      const { corr, modification } = getExperiment(catalogue, name).build(new ExactSampler());
      const r = await runScrub(bundle.model, bundle.dataset, corr, { samples: SAMPLES, seed: SEED, modification });
      parts.push(r.loss);
      T = r.T;
    }
    const losses = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
    parts.reduce((at, p) => (losses.set(p, at), at + p.length), 0);
    return { losses, T, modelSha: sha256Hex(readFileSync(path.join(MODEL_DIR, "model.safetensors"))) };
  } finally {
    bundle.model.dispose();
  }
}

function firstDifference(a: Float32Array, b: Float32Array, T: number): string {
  for (let i = 0; i < a.length; i++) {
    if (Object.is(a[i], b[i])) continue;
    const e = Math.floor(i / (SAMPLES * T));
    const r = Math.floor(i / T) % SAMPLES;
    return `${EXPERIMENTS[e]}, sample ${r}, position ${i % T}: ${a[i]} vs fixture ${b[i]}`;
  }
  return "none";
}

test("per-token losses of twelve experiments on the default model are bit-identical to the fixture", async (t) => {
  await initBackend({ quiet: true });
  const set = kernelSet();
  const indexPath = path.join(FIXTURE_DIR, "index.json");
  const file = path.join(FIXTURE_DIR, `${set}.f32`);
  const { losses, T, modelSha } = await computeLosses();
  if (process.env.UPDATE_BIT_IDENTITY === "1") {
    mkdirSync(FIXTURE_DIR, { recursive: true });
    const old: Partial<FixtureIndex> = existsSync(indexPath) ? JSON.parse(readFileSync(indexPath, "utf8")) : {};
    const bytes = new Uint8Array(losses.buffer);
    writeFileSync(file, bytes);
    const index: FixtureIndex = { experiments: EXPERIMENTS, samples: SAMPLES, seed: SEED, T, model_sha256: modelSha, files: { ...old.files, [set]: sha256Hex(bytes) } };
    writeFileSync(indexPath, JSON.stringify(index, null, 2) + "\n");
    t.diagnostic(`wrote ${file}`);
    return;
  }
  const index = JSON.parse(readFileSync(indexPath, "utf8")) as FixtureIndex;
  assert.deepEqual(index.experiments, EXPERIMENTS);
  assert.equal(modelSha, index.model_sha256, "weights/default/model.safetensors changed: the fixture is for another model");
  if (!existsSync(file)) {
    t.skip(`no fixture for the ${set} kernels here (have: ${Object.keys(index.files).join(", ")}); the wasm run covers the code`);
    return;
  }
  const want = new Float32Array(new Uint8Array(readFileSync(file)).buffer);
  assert.equal(losses.length, want.length);
  assert.equal(firstDifference(losses, want, T), "none");
});
