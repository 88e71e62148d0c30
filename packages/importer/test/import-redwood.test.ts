/**
 * `importRedwood({ from: DIR })`, what `pnpm import-redwood --from DIR` runs: the tiny fixture files (in
 * exactly the original files' format) become a model bundle whose weights are bit-identical to the state
 * dict, whose logits match PyTorch's, and which the CLI's bundle layout accepts; every wrong input is a
 * clear error.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import {
  initBackend,
  loadModel,
  parseConfig,
  parseTokenizerSpec,
  readSafetensors,
  readTokenDataset,
  tokenizerFromSpec,
} from "@isc/core";
import { parseHeadRoles, REDWOOD_ROLES } from "@isc/scrubbing";
import { importRedwood, type ImportOptions } from "../src/run-import.js";
import { cleanTempDirs, expectedJson, fixture, sourceFolder, tempDir, TORCH_FIXTURES } from "./import-helpers.js";

interface Expected {
  config: Record<string, unknown>;
  begin_id: number;
  data: number[][];
  candidate_ids: number[];
  logit_rows: number;
  logits: number[][];
}
const expected = expectedJson<Expected>();

before(async () => {
  await initBackend({ quiet: true });
});
after(cleanTempDirs);

function options(extra: Partial<ImportOptions>): ImportOptions {
  return { out: path.join(tempDir("out"), "redwood"), cache: tempDir("cache"), quiet: true, ...extra };
}

const readJsonFile = (p: string) => JSON.parse(readFileSync(p, "utf8"));

test("--from: the bundle holds the state dict's weights bit for bit, and nothing else", async () => {
  const o = options({ from: TORCH_FIXTURES });
  const r = await importRedwood(o);
  const cfg = parseConfig(readJsonFile(path.join(o.out, "config.json")));
  assert.deepEqual(cfg, parseConfig(expected.config));
  assert.deepEqual(r.cfg, cfg);

  const manifest = JSON.parse(fixture("state_dict.json").toString()) as Record<string, { shape: number[]; offset: number; bytes: number }>;
  const raw = fixture("state_dict.bin");
  const st = readSafetensors(readFileSync(path.join(o.out, "model.safetensors")));
  const kept = Object.keys(manifest).filter((k) => !/\.(mask|IGNORE|b_[A-Z])$/.test(k));
  assert.deepEqual([...st.keys()].sort(), kept.sort(), "buffers and zero biases are dropped, every parameter kept");
  for (const name of kept) {
    const t = st.get(name)!;
    const m = manifest[name];
    assert.deepEqual(t.shape, m.shape, name);
    assert.equal(t.dtype, "F32");
    const got = Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    assert.ok(got.equals(raw.subarray(m.offset, m.offset + m.bytes)), `${name}: not bit-identical`);
  }
});

test("--from: the converted model's logits match PyTorch's within 1e-4", async () => {
  const o = options({ from: TORCH_FIXTURES });
  await importRedwood(o);
  const model = await loadModel(o.out);
  const { nll, logits } = model.forward(expected.data.slice(0, expected.logit_rows), { returnLogits: true });
  const got = await logits!.data();
  const want = expected.logits.flat();
  let d = 0;
  for (let i = 0; i < want.length; i++) d = Math.max(d, Math.abs(got[i] - want[i]));
  nll.dispose();
  logits!.dispose();
  model.dispose();
  assert.equal(got.length, want.length);
  assert.ok(d < 1e-4, `max abs logit diff ${d}`);
});

test("--from: data, [BEGIN], candidates, tokenizer, card and sha256 record form a valid bundle", async () => {
  const o = options({ from: TORCH_FIXTURES });
  const r = await importRedwood(o);
  const cfg = parseConfig(expected.config);

  const ds = readTokenDataset(path.join(o.out, "eval.u16"));
  assert.equal(ds.meta.begin_id, expected.begin_id);
  assert.equal(r.beginId, expected.begin_id);
  assert.equal(ds.width, expected.data[0].length);
  assert.deepEqual(Array.from(ds.tokens), expected.data.flat());

  const cand = readJsonFile(path.join(o.out, "induction-candidates.json"));
  assert.deepEqual(cand.ids, expected.candidate_ids);

  const tok = tokenizerFromSpec(parseTokenizerSpec(readFileSync(path.join(o.out, "tokenizer.json"), "utf8")));
  assert.equal(tok.beginId, expected.begin_id);
  assert.ok(tok.vocabSize <= cfg.d_vocab, "the bundle loader needs tokenizer vocab <= model vocab");

  const card = readJsonFile(path.join(o.out, "card.json"));
  assert.deepEqual(parseHeadRoles(card.roles, cfg), parseHeadRoles(JSON.parse(JSON.stringify(REDWOOD_ROLES)), cfg));
  assert.equal(card.seed_reference.means.unscrubbed[1], 3.263);
  assert.equal(card.eval_data.begin_id, expected.begin_id);
  assert.match(readFileSync(path.join(o.out, "card.md"), "utf8"), /\| ev \| 4\.270 \| 3\.382 \|/);

  const sources = readJsonFile(path.join(o.out, "sources.json"));
  for (const [key, f] of Object.entries(r.files)) {
    assert.equal(f.hashCheck, "recorded", key);
    assert.equal(sources.files[path.basename(f.path)].sha256, f.sha256);
  }
  // Not the original candidate file, whose sha256 is pinned: imported, but marked as such.
  assert.equal(r.files.candidates.original, false);

  // A second import of the same files checks them against the record.
  const again = await importRedwood({ ...o });
  for (const f of Object.values(again.files)) assert.equal(f.hashCheck, "verified");
});

test("--prepend-begin puts [BEGIN] in front of rows that lack it", async () => {
  const from = sourceFolder({ "validation_data.pt": "validation_data_nobegin.pt" });
  await assert.rejects(importRedwood(options({ from })), /do not all start with a \[BEGIN\] token \(257 or 258\).*--prepend-begin 257 or 258/);
  await assert.rejects(importRedwood(options({ from, prependBegin: 12 })), /--prepend-begin 12: \[BEGIN\] is one of the vocabulary's last two ids, 257 or 258/);
  const o = options({ from, prependBegin: 257 });
  const r = await importRedwood(o);
  assert.equal(r.beginId, 257);
  assert.deepEqual(Array.from(readTokenDataset(path.join(o.out, "eval.u16")).tokens), expected.data.flat());
  await assert.rejects(importRedwood(options({ from: TORCH_FIXTURES, prependBegin: 257 })), /every row already starts with 257/);
});

test("--width and --rows cut the rows", async () => {
  const o = options({ from: TORCH_FIXTURES, width: 11, rows: 5 });
  const r = await importRedwood(o);
  assert.equal(r.width, 11);
  assert.equal(r.rows, 5);
  const ds = readTokenDataset(path.join(o.out, "eval.u16"));
  assert.deepEqual(Array.from(ds.tokens), expected.data.slice(0, 5).flatMap((row) => row.slice(0, 11)));
});

const BAD_INPUTS: [string, Partial<Record<"et_model_state_dict.pt" | "validation_data.pt" | "induction_candidates.pt", string>>, RegExp][] = [
  ["a non-zero bias", { "et_model_state_dict.pt": "bad/nonzero_bias.pt" }, /bias "blocks\.0\.attn\.b_Q" \[8,4\] is not zero \(max \|value\| 0\.25\)/],
  ["a missing weight", { "et_model_state_dict.pt": "bad/missing_tensor.pt" }, /missing tensor "blocks\.1\.attn\.W_V"/],
  ["a pickle that calls os.system", { "et_model_state_dict.pt": "bad/evil_os_system.pt" }, /"posix\.system", which is not on the allow-list/],
  ["a bare tensor instead of a state dict", { "et_model_state_dict.pt": "validation_data.pt" }, /expected a state dict, found a single int64 tensor/],
  ["a token id outside the vocabulary", { "validation_data.pt": "bad/tokens_out_of_vocab.pt" }, /row 3, column 7 holds 299, not a token id in \[0, 259\)/],
  ["a candidate entry that is not 0/1", { "induction_candidates.pt": "bad/candidates_not_binary.pt" }, /entry 5 is 0\.5, but candidates are marked 0 or 1/],
  ["candidates of the wrong length", { "induction_candidates.pt": "validation_data.pt" }, /expected a 0\/1 vector over the 259-id vocabulary, found shape \[12,21\]/],
  ["a legacy-format file", { "validation_data.pt": "bad/legacy_format.pt" }, /legacy torch\.save format/],
];

for (const [what, swap, pattern] of BAD_INPUTS) {
  test(`rejects ${what}`, async () => {
    await assert.rejects(importRedwood(options({ from: sourceFolder(swap) })), pattern);
  });
}

test("without files: --from names what is missing; no flag and an empty cache says what to pass", async () => {
  const empty = tempDir("empty");
  await assert.rejects(importRedwood(options({ from: empty })), /missing et_model_state_dict\.pt, validation_data\.pt, induction_candidates\.pt/);
  await assert.rejects(importRedwood(options({})), /Pass --download to fetch them, or --from DIR/);
});

const FULL = process.env.ISC_REDWOOD_FULL_SIZE_DIR;
test(
  "full size: a random redwood_attn_2l-format state dict written by real PyTorch imports, and its logits match",
  { skip: FULL ? false : "set ISC_REDWOOD_FULL_SIZE_DIR (made by scripts/golden/make_torch_fixtures.py --full-size DIR)" },
  async () => {
    const meta = readJsonFile(path.join(FULL!, "expected_full.json")) as { begin_id: number; tokens: number[][]; logits_shape: number[] };
    const o = options({ from: FULL });
    const r = await importRedwood(o);
    assert.equal(r.beginId, meta.begin_id);
    assert.deepEqual(r.cfg, parseConfig({ n_layers: 2, d_model: 256, n_heads: 8, d_head: 32, d_vocab: 50259, n_ctx: 2048, positional_embedding_type: "shortformer" }));
    assert.deepEqual(parseTokenizerSpec(readFileSync(path.join(o.out, "tokenizer.json"), "utf8")), { kind: "gpt2-full", beginId: meta.begin_id });
    const raw = readFileSync(path.join(FULL!, "expected_logits.bin"));
    const want = new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
    const model = await loadModel(o.out);
    const { nll, logits } = model.forward(meta.tokens, { returnLogits: true });
    const got = await logits!.data();
    nll.dispose();
    logits!.dispose();
    model.dispose();
    assert.equal(got.length, want.length);
    let d = 0;
    for (let i = 0; i < want.length; i++) d = Math.max(d, Math.abs(got[i] - want[i]));
    assert.ok(d < 1e-4, `max abs logit diff ${d}`);
  },
);
