/**
 * The head-role analysis on a tiny random model: every Δ is the CANDIDATES loss of its own scrub
 * minus the unscrubbed one, the roles follow from the scores and the Δs by the stated rule, and the
 * rule's head sets on hand-made Δs.
 */
import assert from "node:assert/strict";
import { before, test } from "node:test";
import { HookedTransformer, initBackend, type ModelConfig, Rng, TINY_ATTN_2L } from "@isc/core";
import { headSets } from "../src/head-role-analysis.js";
import {
  analyseHeadRoles,
  candidateFlags,
  candidatesMeanLoss,
  chain,
  Correspondence,
  type HeadRoleAnalysis,
  InterpNode,
  parseHeadRoles,
  runScrub,
  scrubCandidatesLoss,
  TokenDataset,
} from "../src/index.js";

const cfg: ModelConfig = { ...TINY_ATTN_2L, n_heads: 4, d_head: 4 };
const W = cfg.n_ctx + 1;
const BEGIN = cfg.d_vocab - 1;
let model: HookedTransformer;
let ds: TokenDataset;
let isCand: Uint8Array;
let a: HeadRoleAnalysis;

before(async () => {
  await initBackend({ quiet: true });
  model = HookedTransformer.random(cfg, 11);
  const r = new Rng(2);
  // Few distinct tokens, so tokens repeat within a row as they do in text.
  ds = new TokenDataset(Int32Array.from({ length: 30 * W }, (_, i) => (i % W === 0 ? BEGIN : r.int(12))), W, "test rows");
  isCand = candidateFlags([1, 3, 5, 7, 9, 11], cfg.d_vocab);
  a = await analyseHeadRoles(model, ds, isCand, { samples: 8, beginId: BEGIN, probeRows: 10, inductionProbe: { nSeq: 16, len: 8 } });
});

test("scores and Δs: the previous-token head is the best layer-0 head, each Δ is its own scrub's rise", async () => {
  assert.equal(a.probeRows, 10);
  assert.equal(a.previousTokenScores.length, 2);
  const l0 = a.previousTokenScores[0];
  assert.equal(a.roles.previousTokenHead.head, l0.indexOf(Math.max(...l0)));
  const unscrubbed = await runScrub(model, ds, new Correspondence(new InterpNode("logits")), { samples: 8, seed: 42 });
  assert.equal(a.unscrubbedCandidatesLoss, candidatesMeanLoss(ds, isCand, unscrubbed.loss, unscrubbed.refRows));
  const root = new InterpNode("logits");
  const corr = new Correspondence(root);
  corr.addChild(root, "scrubbed", chain({ layer: 1, heads: a.roles.inductionHeads.heads, slots: ["k"] }, { layer: 0, heads: [2] }));
  assert.equal(a.delta.k[2], (await scrubCandidatesLoss(model, ds, isCand, corr, 8)) - a.unscrubbedCandidatesLoss);
  for (const s of ["v", "q", "k"] as const) assert.equal(a.delta[s].length, cfg.n_heads);
  assert.ok(a.delta.v.some((d) => d !== 0), "resampling a path changes the loss");
});

test("roles: induction heads by the 0.3 threshold or the best two; the head sets follow from τ; the card's parser takes them", async () => {
  const l1 = a.induction.scores[1];
  const above = l1.map((s, h) => [s, h] as const).filter(([s]) => s >= 0.3);
  assert.equal(a.inductionHeadsFormed, above.length >= 2);
  const best = [...l1.keys()].sort((x, y) => l1[y] - l1[x]);
  const expected = a.inductionHeadsFormed ? above.map(([, h]) => h) : best.slice(0, 2);
  assert.deepEqual(a.roles.inductionHeads, { layer: 1, heads: expected.sort((x, y) => x - y) });
  const { tau, ...sets } = headSets(a.delta, a.roles.previousTokenHead.head, cfg.n_heads);
  assert.equal(a.tau, tau);
  assert.deepEqual({ plusHeads: a.roles.plusHeads, pthKPlusKept: a.roles.pthKPlusKept, ekNarrowScrubbed: a.roles.ekNarrowScrubbed }, sets);
  assert.deepEqual(parseHeadRoles(JSON.parse(JSON.stringify(a.roles)), cfg), a.roles);
  const again = await analyseHeadRoles(model, ds, isCand, { samples: 8, beginId: BEGIN, probeRows: 10, inductionProbe: { nSeq: 16, len: 8 } });
  assert.deepEqual(again.roles, a.roles, "the same model and rows give the same roles");
});

test("head sets on hand-made Δs: τ, the plus heads, the heads pth-k+ keeps and the narrow scrub", () => {
  const delta = { v: [0.5, 0, 0, 0], q: [0, 0.3, 0, 0], k: [0.2, 0, 0.05, 0.001] };
  // τ = 10% of 0.5; heads 2 and 3 write nothing the values and queries need.
  assert.deepEqual(headSets(delta, 0, 4), { tau: 0.05, plusHeads: [2, 3], pthKPlusKept: [0, 2], ekNarrowScrubbed: [2, 3] });
  // Every head needed: the plus set falls back to the previous-token head.
  const all = { v: [1, 1, 1], q: [1, 1, 1], k: [0, 0, 0] };
  assert.deepEqual(headSets(all, 1, 3), { tau: 0.1, plusHeads: [1], pthKPlusKept: [1], ekNarrowScrubbed: [1] });
  // Tiny Δs everywhere: τ is at least 0.01.
  assert.equal(headSets({ v: [0.001], q: [0], k: [0] }, 0, 1).tau, 0.01);
});
