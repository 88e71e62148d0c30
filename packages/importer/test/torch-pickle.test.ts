/**
 * The PyTorch checkpoint reader against files real PyTorch wrote (test/fixtures/torch, made by
 * scripts/golden/make_torch_fixtures.py): exact values, every dtype and layout, the TransformerLens state
 * dict and its logits, and every way a file can be wrong or hostile.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { before, test } from "node:test";
import { HookedTransformer, initBackend, paramsFromNamed, parseConfig } from "@isc/core";
import {
  readTorchFile,
  readTorchStateDict,
  readTorchTensor,
  TORCH_PICKLE_ALLOWED_GLOBALS,
  torchStateDictToFloat32,
  torchTensorToFloat32,
  torchTensorToNumbers,
  type TorchTensor,
} from "../src/torch-pickle.js";
import { readZipEntries, TorchFileError } from "../src/torch-zip.js";
import { fixtureJson, maxAbsDiff, TORCH_FIXTURES as DIR } from "./import-helpers.js";

const file = (name: string) => readFileSync(path.join(DIR, name));

interface Expected {
  config: unknown;
  begin_id: number;
  data_shape: [number, number];
  data: number[][];
  candidate_ids: number[];
  logit_rows: number;
  logits: number[][];
}
const expected = fixtureJson<Expected>("expected.json");

before(async () => {
  await initBackend({ quiet: true });
});

/** Raw little-endian bytes of a tensor's elements, for bit-exact comparison. */
function bytesOf(t: TorchTensor): Uint8Array {
  return new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
}

test("state dict: TransformerLens keys, order, dtypes and shapes, every byte as PyTorch saved it", async () => {
  const sd = await readTorchStateDict(file("et_model_state_dict.pt"), "et_model_state_dict.pt");
  const manifest = fixtureJson<Record<string, { dtype: string; shape: number[]; offset: number; bytes: number }>>("state_dict.json");
  const raw = file("state_dict.bin");
  assert.deepEqual([...sd.keys()], Object.keys(manifest));
  for (const [name, m] of Object.entries(manifest)) {
    const t = sd.get(name)!;
    assert.equal(t.dtype, m.dtype, name);
    assert.deepEqual(t.shape, m.shape, name);
    assert.ok(Buffer.from(bytesOf(t)).equals(raw.subarray(m.offset, m.offset + m.bytes)), `${name}: bytes differ`);
  }
  // The buffers TransformerLens saves: a bool causal mask and the masked-score fill value.
  assert.equal(sd.get("blocks.0.attn.mask")!.dtype, "bool");
  assert.deepEqual(sd.get("blocks.0.attn.IGNORE")!.shape, []);
  assert.equal(torchTensorToFloat32(sd.get("blocks.0.attn.IGNORE")!)[0], -1e5);
});

test("the converted tiny model's logits match PyTorch's within 1e-4", async () => {
  const cfg = parseConfig(expected.config);
  const sd = await readTorchStateDict(file("et_model_state_dict.pt"));
  const model = new HookedTransformer(cfg, paramsFromNamed(cfg, torchStateDictToFloat32(sd), "et_model_state_dict.pt"));
  const { nll, logits } = model.forward(expected.data.slice(0, expected.logit_rows), { returnLogits: true });
  const d = maxAbsDiff(await logits!.data(), expected.logits.flat());
  nll.dispose();
  logits!.dispose();
  model.dispose();
  assert.ok(d < 1e-4, `logits max abs diff ${d}`);
});

test("a bare int64 tensor: the data rows, exactly", async () => {
  const t = await readTorchTensor(file("validation_data.pt"));
  assert.equal(t.dtype, "int64");
  assert.deepEqual(t.shape, expected.data_shape);
  assert.deepEqual(Array.from(torchTensorToNumbers(t)), expected.data.flat());
});

test("a float32 0/1 vector: the candidate list", async () => {
  const t = await readTorchTensor(file("induction_candidates.pt"));
  assert.equal(t.dtype, "float32");
  const ids = Array.from(torchTensorToNumbers(t).entries()).filter(([, v]) => v === 1).map(([i]) => i);
  assert.deepEqual(ids, expected.candidate_ids);
});

test("newer torch's zip layout (archive/ prefix, byteorder, serialization id) reads the same", async () => {
  const a = await readTorchTensor(file("newer_format.pt"));
  const b = await readTorchTensor(file("validation_data.pt"));
  assert.deepEqual(a.shape, b.shape);
  assert.deepEqual(Array.from(torchTensorToNumbers(a)), Array.from(torchTensorToNumbers(b)));
});

for (const name of ["dtypes.pt", "dtypes_p4.pt"]) {
  test(`${name}: every dtype, strided views, shared storage, 0-d and empty tensors`, async () => {
    const sd = await readTorchStateDict(file(name));
    const want = fixtureJson<Record<string, { dtype: string; shape: number[]; values: (number | string | boolean)[] }>>("dtypes.json");
    assert.deepEqual([...sd.keys()], Object.keys(want));
    for (const [k, w] of Object.entries(want)) {
      const t = sd.get(k)!;
      assert.equal(t.dtype, w.dtype, k);
      assert.deepEqual(t.shape, w.shape, k);
      if (t.dtype === "int64") {
        assert.deepEqual(Array.from(t.data as BigInt64Array, String), w.values, k);
      } else if (t.dtype === "bool") {
        assert.deepEqual(Array.from(t.data as Uint8Array, (v) => v === 1), w.values, k);
      } else {
        // float16/bfloat16 values in the JSON are the rounded values, so equality is exact here too.
        assert.deepEqual(Array.from(torchTensorToFloat32(t)), (w.values as number[]).map(Math.fround), k);
      }
    }
    // Up to 2^53 - 1, int64 converts to numbers exactly.
    assert.deepEqual(Array.from(torchTensorToNumbers(sd.get("i64")!)), [-(2 ** 40), -1, 0, 1, 2 ** 31, 2 ** 53 - 1]);
  });
}

test("torch.save to a path names the archive after the file, as in the original candidate file", async () => {
  const names = [...(await readZipEntries(file("induction_candidates.pt"), "x")).keys()];
  assert.deepEqual(names, ["induction_candidates/data.pkl", "induction_candidates/data/0", "induction_candidates/version"]);
});

// ------------------------------------------------------------------------------------------------
// Errors: each names what it found.
// ------------------------------------------------------------------------------------------------

async function rejects(bytes: Uint8Array, pattern: RegExp, label: string): Promise<void> {
  await assert.rejects(readTorchFile(bytes, label), (e: Error) => {
    assert.ok(e instanceof TorchFileError, `${label}: ${e.name}: ${e.message}`);
    assert.match(e.message, pattern, label);
    assert.ok(e.message.startsWith(label), `${label}: the error names the file: ${e.message}`);
    return true;
  });
}

const BAD: [string, RegExp][] = [
  ["legacy_format.pt", /legacy torch\.save format/],
  ["not_a_checkpoint.pt", /not a PyTorch zip checkpoint: found text starting "<html>404/],
  ["not_torch.zip", /no "<name>\/data\.pkl" entry.*readme\.txt/],
  ["no_data_pkl.pt", /no "<name>\/data\.pkl" entry/],
  ["missing_storage.pt", /storage 0 \(252 × int64\) has no zip entry "archive\/data\/0"/],
  ["short_storage.pt", /"archive\/data\/0" has 2008 bytes but the pickle describes 252 × int64 = 2016 bytes/],
  ["big_endian.pt", /"big"-endian/],
  ["future_version.pt", /format version "99"/],
  ["nested_dict.pt", /entry "model" holds a dict of 1 entries, not a tensor/],
  ["list_value.pt", /entry "b" holds a list\/tuple of 3 items/],
  ["top_level_list.pt", /holds a list\/tuple of 1 items; expected a tensor or a state dict/],
  ["malformed_pickle.pt", /malformed pickle/],
  ["forged_persistent_id.pt", /persistent id names storage type a string "Float"/],
  ["call_storage_type.pt", /torch\.FloatStorage is a storage type and cannot be called/],
  ["build_on_global.pt", /malformed pickle \(.*not extensible/],
];

for (const [name, pattern] of BAD) {
  test(`rejects bad/${name} with a clear error`, async () => {
    await rejects(file(path.join("bad", name)), pattern, `bad/${name}`);
  });
}

test("rejects pickles that try to call anything off the allow-list, and runs nothing", async () => {
  // Relative: the payload would write it in the working directory, where the test looks.
  const marker = "isc-torch-pickle-pwned";
  const cases: [string, string][] = [
    ["evil_os_system.pt", "posix.system"], // GLOBAL + REDUCE, protocol 2 (torch.save's default)
    ["evil_os_system_p4.pt", "posix.system"], // STACK_GLOBAL, protocol 4
    ["evil_eval.pt", "__builtin__.eval"],
    ["inst_opcode.pt", "posix.system"], // INST: look-up and call in one opcode
    ["stack_global.pt", "builtins.exec"],
  ];
  for (const [name, global] of cases) {
    await rejects(file(path.join("bad", name)), new RegExp(`names the global "${global.replace(".", "\\.")}", which is not on the allow-list`), `bad/${name}`);
  }
  assert.equal(existsSync(marker), false, "a rejected pickle ran a command");
  assert.ok(TORCH_PICKLE_ALLOWED_GLOBALS.includes("torch._utils._rebuild_tensor_v2"));
  assert.ok(TORCH_PICKLE_ALLOWED_GLOBALS.every((g) => /^(torch\.|collections\.OrderedDict$)/.test(g)));
});

test("rejects truncated and corrupted archives", async () => {
  const good = file("et_model_state_dict.pt");
  await rejects(good.subarray(0, Math.floor(good.length * 0.6)), /truncated or corrupt zip archive/, "truncated.pt");
  await rejects(new Uint8Array(0), /found an empty file/, "empty.pt");
  // One flipped byte inside a weight: only the CRC can tell.
  const flipped = Uint8Array.from(good);
  const at = good.indexOf(Buffer.from("et_model_state_dict/data/0")) + 200;
  flipped[at] ^= 0x40;
  await rejects(flipped, /is corrupt: CRC-32 [0-9a-f]{8} but the archive records [0-9a-f]{8}/, "flipped.pt");
});

test("readTorchStateDict / readTorchTensor say which of the two they found instead", async () => {
  await assert.rejects(readTorchStateDict(file("validation_data.pt"), "v.pt"), /v\.pt: expected a state dict, found a single int64 tensor \[12,21\]/);
  await assert.rejects(readTorchTensor(file("et_model_state_dict.pt"), "m.pt"), /m\.pt: expected a single tensor, found a state dict of 30 tensors/);
});
