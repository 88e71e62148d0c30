#!/usr/bin/env node
/**
 * `pnpm bench`: throughput (tokens/s) of what the experiments and the trainer spend their time on,
 * beside PyTorch peer scripts (kept outside this repository; `--peer DIR`) when Debian's python3-torch
 * is present:
 *   - forward + per-token NLL at batch 16 × 300, default shape (vocab 8193) and Redwood's (50259);
 *   - the unscrubbed, `ev` and `all` scrubs (treeified runner) on the default model and its eval rows;
 *   - one training step (forward, backward, clip, Adam) at batch 8 × 300 on the default shape.
 * Medians of several runs after a warm-up; it also reports peak RSS and whether tf.memory's tensor
 * count stayed flat. The last line is one JSON object.
 */
import { spawnSync } from "node:child_process";
import { existsSync, realpathSync } from "node:fs";
import path from "node:path";
import { DEFAULT_ATTN_2L, HookedTransformer, initBackend, initParams, REDWOOD_ATTN_2L, Rng, tf, type ModelConfig } from "@isc/core";
import { experimentCatalogue, REDWOOD_ROLES, runScrub, TokenDataset } from "@isc/scrubbing";
import { type Command, defaultModelDir, loadBundle, parseOrHelp, runMain } from "@isc/node";
import { Adam, ADAM_DEFAULTS, clipByGlobalNorm, installFastMaxGrad, lossAndGrads } from "@isc/train";

const COMMAND = {
  name: "bench",
  summary: "Throughput of forward, scrubs and training beside the PyTorch peers; last line JSON.",
  flags: {
    runs: { type: "int", min: 1, help: "timed runs per measurement (default 3)" },
    peer: { type: "string", help: "folder of the PyTorch peers (ref_forward.py, ref_train.py); without it ours run alone" },
    only: { type: "list", help: "subset of: forward scrub train" },
  },
} as const satisfies Command;

const W = 301;
const T = W - 1;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Median seconds of `runs` calls after one warm-up, and whether the tensor count stayed flat. */
async function timeIt(runs: number, f: () => Promise<void>): Promise<{ s: number; flat: boolean }> {
  await f();
  const before = tf.memory().numTensors;
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await f();
    times.push((performance.now() - t0) / 1000);
  }
  return { s: median(times), flat: tf.memory().numTensors === before };
}

function randomRows(cfg: ModelConfig, n: number, seed: number): Int32Array {
  const r = new Rng(seed);
  return Int32Array.from({ length: n * W }, (_, i) => (i % W === 0 ? cfg.d_vocab - 1 : r.int(cfg.d_vocab - 1)));
}

let blasChecked = false;
/** Debian's torch falls back to the reference BLAS (~10-20x slower) unless OpenBLAS is installed: say so once. */
function warnReferenceBlas(): void {
  if (blasChecked) return;
  blasChecked = true;
  const lib = "/usr/lib/x86_64-linux-gnu/libblas.so.3";
  if (existsSync(lib) && !/openblas|blis|mkl/i.test(realpathSync(lib))) {
    console.error(`bench: warning: ${lib} is the reference BLAS, so the PyTorch peers run ~10x slower than they should; apt-get install libopenblas0-pthread`);
  }
}

/** Why the PyTorch peers cannot run here, or null when they can. */
function peerProblem(dir: string): string | null {
  if (!existsSync(path.join(dir, "ref_forward.py"))) return `no PyTorch peers in ${path.resolve(dir)} (pass --peer DIR, the folder holding ref_forward.py and ref_train.py)`;
  if (!existsSync("/usr/bin/python3")) return "no /usr/bin/python3 for the PyTorch peers (apt-get install python3-torch libopenblas0-pthread)";
  if (spawnSync("/usr/bin/python3", ["-c", "import torch"]).status !== 0) return "python3 has no torch for the PyTorch peers (apt-get install python3-torch libopenblas0-pthread)";
  return null;
}

function peer(dir: string, script: string, args: (string | number)[]): number | null {
  const file = path.join(dir, script);
  warnReferenceBlas();
  const r = spawnSync("/usr/bin/python3", [file, ...args.map(String)], { encoding: "utf8" });
  const m = /tokens\/s=(\d+)/.exec(r.stdout ?? "");
  return m ? Number(m[1]) : null;
}

/** What the measurements share: the runs per measurement, where the peers run from, and the report. */
interface Bench {
  runs: number;
  /** The PyTorch peers' folder; null when they do not run. */
  peerDir: string | null;
  out: Record<string, unknown>;
  ratios: Record<string, number | null>;
  peers: Record<string, number | null>;
  /** Whether every measurement left tf.memory's tensor count where it found it. */
  flat: boolean;
}

function report(b: Bench, key: string, tokPerS: number, peerKey?: string, peerTokPerS?: number | null): void {
  console.error(`${key}: ${Math.round(tokPerS)} tokens/s${peerTokPerS ? ` (PyTorch ${peerTokPerS}, ratio ${(tokPerS / peerTokPerS).toFixed(2)})` : ""}`);
  if (peerKey) {
    b.peers[peerKey] = peerTokPerS ?? null;
    b.ratios[peerKey] = peerTokPerS ? Number((tokPerS / peerTokPerS).toFixed(3)) : null;
  }
}

async function benchForward(b: Bench): Promise<void> {
  const fwd: Record<string, number> = {};
  for (const cfg of [DEFAULT_ATTN_2L, REDWOOD_ATTN_2L]) {
    const model = HookedTransformer.random(cfg, 0);
    const batch = 16;
    const tokens = tf.tensor2d(randomRows(cfg, batch, 1), [batch, W], "int32");
    const r = await timeIt(b.runs, async () => void (await model.lossPerToken(tokens)));
    tokens.dispose();
    model.dispose();
    b.flat &&= r.flat;
    const key = `forward_vocab_${cfg.d_vocab}`;
    fwd[`vocab_${cfg.d_vocab}`] = Math.round((batch * T) / r.s);
    report(b, key, (batch * T) / r.s, key, b.peerDir ? peer(b.peerDir, "ref_forward.py", [cfg.d_vocab, batch, 3, 2]) : null);
  }
  b.out.forward_tokens_per_s = fwd;
}

async function benchScrub(b: Bench): Promise<void> {
  // The experiments as users run them: the default model on its evaluation rows with its own head
  // roles. A random model on random rows stands in where the bundle is missing; its conditional
  // samplers find other matches, so its `all` runs at a slightly different share of unscrubbed.
  const bundle = existsSync(path.join(defaultModelDir(), "model.safetensors")) ? await loadBundle(defaultModelDir()) : null;
  const cfg = bundle?.model.cfg ?? DEFAULT_ATTN_2L;
  const model = bundle?.model ?? HookedTransformer.random(cfg, 0);
  const ds = bundle?.dataset ?? new TokenDataset(randomRows(cfg, 2000, 2), W, "random rows");
  const cat = experimentCatalogue(cfg, bundle?.roles ?? REDWOOD_ROLES);
  // Enough rows that each run's set-up (sampling the sources, building the plan) weighs what it
  // does in a long run: at 64 rows `all` measured 0.66 of unscrubbed, against 0.71 at 10,000.
  const samples = 256;
  const scrub: Record<string, number> = {};
  for (const name of ["unscrubbed", "ev", "all"]) {
    const { corr, modification } = cat.get(name)!.build();
    const r = await timeIt(b.runs, async () => void (await runScrub(model, ds, corr, { samples, batchSize: 32, modification })));
    b.flat &&= r.flat;
    const tokens = samples * (ds.width - 1);
    scrub[name] = Math.round(tokens / r.s);
    report(b, `scrub ${name}`, tokens / r.s);
  }
  model.dispose();
  b.out.scrub_model = bundle ? path.relative(process.cwd(), bundle.dir) || bundle.dir : "random";
  b.out.scrub_tokens_per_s = scrub;
  b.out.all_over_unscrubbed = Number((scrub.all / scrub.unscrubbed).toFixed(3));
}

async function benchTrain(b: Bench): Promise<void> {
  const cfg = DEFAULT_ATTN_2L;
  installFastMaxGrad();
  let params = initParams(cfg, 0);
  const adam = Adam.zeros(ADAM_DEFAULTS, params);
  const batch = 8;
  const tokens = tf.tensor2d(randomRows(cfg, batch, 3), [batch, W], "int32");
  const r = await timeIt(b.runs, async () => {
    const { grads } = await lossAndGrads(cfg, params, tokens);
    const clipped = await clipByGlobalNorm(grads, 1.0);
    params = adam.apply(params, clipped.grads, 1e-4);
  });
  b.flat &&= r.flat;
  tokens.dispose();
  adam.dispose();
  for (const t of Object.values(params)) t.dispose();
  b.out.train_tokens_per_s = Math.round((batch * T) / r.s);
  report(b, "train step", (batch * T) / r.s, "train_vocab_8193", b.peerDir ? peer(b.peerDir, "ref_train.py", [cfg.d_vocab, batch, T, 5, 2]) : null);
}

async function main(): Promise<void> {
  const args = parseOrHelp(process.argv.slice(2), COMMAND);
  if (!args) return;
  const f = args.flags;
  const runs = f.runs ?? 3;
  const only = new Set(f.only ?? ["forward", "scrub", "train"]);
  const peerWhyNot = f.peer === undefined ? "no --peer DIR given" : peerProblem(f.peer);
  if (peerWhyNot) console.error(`bench: ${peerWhyNot}; measuring ours alone`);
  const backend = await initBackend();
  const b: Bench = {
    runs,
    peerDir: peerWhyNot ? null : f.peer!,
    out: { backend: backend.name, backend_detail: backend.detail, runs },
    ratios: {},
    peers: {},
    flat: true,
  };
  if (only.has("forward")) await benchForward(b);
  if (only.has("scrub")) await benchScrub(b);
  if (only.has("train")) await benchTrain(b);
  if (b.peerDir) {
    b.out.pytorch_tokens_per_s = b.peers;
    b.out.ratio_vs_pytorch = b.ratios;
  }
  b.out.num_tensors_flat = b.flat;
  b.out.peak_rss_mb = Math.round(process.resourceUsage().maxRSS / 1024);
  console.log(JSON.stringify(b.out));
}

runMain("bench", main);
