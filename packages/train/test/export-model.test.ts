/**
 * exportModel on a small random model: the bundle gets the checkpoint's weights, a card whose roles
 * are the head-role analysis of those weights on the bundle's rows, the acceptance checks, and the
 * deviations the run's recipe calls for.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { HookedTransformer, initBackend, loadModel, type ModelConfig, paramsToNamed, Rng, TINY_ATTN_2L, writeSafetensors, writeTokenDataset } from "@isc/core";
import { analyseHeadRoles, candidateFlags, parseHeadRoles, TokenDataset } from "@isc/scrubbing";
import { exportModel } from "../src/index.js";

// 300 positions: the ICL score reads positions 200–299, the induction probe rows of 101 tokens.
const cfg: ModelConfig = { ...TINY_ATTN_2L, n_heads: 4, d_head: 4, n_ctx: 300 };
const W = cfg.n_ctx + 1;
const BEGIN = cfg.d_vocab - 1;
const dir = mkdtempSync(path.join(tmpdir(), "isc-export-"));
const ckpt = path.join(dir, "ckpt");
const out = path.join(dir, "bundle");
let model: HookedTransformer;
let tokens: Uint16Array;

before(async () => {
  await initBackend({ quiet: true });
  model = HookedTransformer.random(cfg, 4);
  mkdirSync(ckpt, { recursive: true });
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(ckpt, "params.safetensors"), writeSafetensors(await paramsToNamed(model.params)));
  const hyper = { batch: 8, lr: 1e-3, warmup: 10, steps: 100, minLrFrac: 0.1, clip: 1, seed: 0, posInit: "sinusoidal", repeat: { frac: 0.5, minLen: 16, maxLen: 96, kind: "random" } };
  const data = { path: "train.u16", sha256: "0", rows: 10, width: W };
  writeFileSync(path.join(ckpt, "state.json"), JSON.stringify({ format: "isc-train-ckpt/1", step: 40, config: cfg, configName: "test", hyper, tokensSeen: 96000, wallSeconds: 12, data }));
  const r = new Rng(8);
  tokens = Uint16Array.from({ length: 16 * W }, (_, i) => (i % W === 0 ? BEGIN : r.int(20)));
  writeTokenDataset(path.join(out, "eval.u16"), tokens, { width: W, vocab: cfg.d_vocab, begin_id: BEGIN, source: "test rows" });
  writeFileSync(path.join(out, "induction-candidates.json"), JSON.stringify({ ids: [2, 4, 6, 8] }));
});

after(() => rmSync(dir, { recursive: true, force: true }));

test("the bundle holds the checkpoint's weights and a card with the analysis' roles, the checks and the recipe", async () => {
  const r = await exportModel({ ckpt, out, samples: 4, acceptanceSamples: 4, interim: true, log: () => {} });
  const exported = await loadModel(out);
  for (const k of Object.keys(model.params)) assert.deepEqual(await exported.params[k].data(), await model.params[k].data(), k);
  exported.dispose();
  const card = JSON.parse(readFileSync(path.join(out, "card.json"), "utf8"));
  const ds = new TokenDataset(tokens, W, "eval.u16");
  const a = await analyseHeadRoles(model, ds, candidateFlags([2, 4, 6, 8], cfg.d_vocab), { samples: 4, beginId: BEGIN, log: () => {} });
  assert.deepEqual(card.roles, JSON.parse(JSON.stringify(a.roles)));
  assert.deepEqual(parseHeadRoles(card.roles, cfg), a.roles);
  assert.deepEqual(r, { out, step: 40, tokens: 96000, roles: a.roles, heldout: card.evaluation.heldout_loss });
  assert.equal(card.interim, true);
  assert.equal(card.training.weights, "the weights at the last step");
  assert.deepEqual(card.acceptance.map((c: { need: string }) => c.need), ["≥ 0.7", "≥ 0.5", "≤ 1.0", "≤ −0.25", "≥ 0.5"]);
  assert.match(card.acceptance[0].check, /\(mean probability, t ≥ 1, 16 eval rows\)/);
  assert.equal(card.evaluation.icl_by_source, null, "the rows name no sources");
  assert.equal(card.deviations.length, 2);
  assert.match(card.deviations[0], /^W_pos started at the sin\/cos table/);
  assert.match(card.deviations[1], /from step 0, 50% of rows with a repeated random-token span of 16–96 tokens \(random ids written once/);
  assert.equal(card.role_analysis.samples, 4);
  assert.deepEqual(card.role_analysis.delta_k, a.delta.k.map((x) => Math.round(x * 1000) / 1000));
  const md = readFileSync(path.join(out, "card.md"), "utf8");
  assert.match(md, /^# Default model card \(INTERIM: training is not finished\)\n/);
  assert.match(md, new RegExp(`\\n- previous-token head: 0\\.${a.roles.previousTokenHead.head}\\n`));
  assert.match(md, /\n\| slot \| 0\.0 \| 0\.1 \| 0\.2 \| 0\.3 \|\n/);
  await assert.rejects(exportModel({ ckpt: path.join(dir, "nothing"), out, log: () => {} }), /no checkpoint in .*nothing/);
});
