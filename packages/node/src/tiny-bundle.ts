/**
 * A complete model bundle with a tiny random model (8 heads, so the catalogue's head numbers exist)
 * and random rows, written to a directory: for tests, and for trying the CLI in seconds.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { HookedTransformer, type ModelConfig, Rng, saveModel, TINY_ATTN_2L, writeTokenDataset } from "@isc/core";
import { REDWOOD_ROLES } from "@isc/scrubbing";

/** GPT-2 truncated to 299 ids (the 256 bytes and 43 merges) plus [BEGIN] = 299. */
export const TINY_BUNDLE_CONFIG: Readonly<ModelConfig> = Object.freeze({ ...TINY_ATTN_2L, n_heads: 8, d_head: 4, d_vocab: 300 });

export async function writeTinyBundle(options: { dir?: string; rows?: number; tokensBelow?: number; seed?: number } = {}): Promise<string> {
  const dir = options.dir ?? mkdtempSync(path.join(os.tmpdir(), "tiny-bundle-"));
  const cfg = TINY_BUNDLE_CONFIG;
  const model = HookedTransformer.random(cfg, options.seed ?? 3);
  await saveModel(model, dir);
  model.dispose();
  const r = new Rng(5);
  const W = cfg.n_ctx + 1;
  const below = options.tokensBelow ?? 299; // fewer distinct tokens make repeats (and so every category) common
  const rows = Uint16Array.from({ length: (options.rows ?? 50) * W }, (_, i) => (i % W === 0 ? 299 : r.int(below)));
  writeTokenDataset(path.join(dir, "eval.u16"), rows, { width: W, vocab: 300, begin_id: 299, source: "random rows (tiny bundle)" });
  writeFileSync(path.join(dir, "tokenizer.json"), JSON.stringify({ kind: "gpt2-truncated", k: 299 }));
  writeFileSync(path.join(dir, "induction-candidates.json"), JSON.stringify({ ids: [1, 2, 3, 10, 20] }));
  writeFileSync(path.join(dir, "card.json"), JSON.stringify({ name: "tiny", roles: REDWOOD_ROLES }));
  return dir;
}
