import assert from "node:assert/strict";
import { test } from "node:test";
import { floatToHalf, halfToFloat } from "../src/float16.js";
import {
  paramShapes,
  paramsFromNamed,
  readSafetensors,
  SafetensorsError,
  TINY_ATTN_2L,
  writeSafetensors,
  type TensorToWrite,
} from "../src/index.js";

const sample = () =>
  new Map<string, TensorToWrite>([
    ["a", { shape: [2, 3], data: Float32Array.from([1, -2, 3.5, 0, 1e-3, -7]) }],
    ["b", { shape: [4], data: Float32Array.from([0.25, 65504, -0.5, 1 / 3]) }],
  ]);

function tinyNamed(): Map<string, TensorToWrite> {
  return new Map(paramShapes(TINY_ATTN_2L).map(([n, s]) => [n, { shape: s, data: new Float32Array(s.reduce((a, b) => a * b, 1)) }]));
}

function withHeader(header: unknown, dataBytes: number): Uint8Array {
  const h = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + h.length + dataBytes);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  return out;
}

test("F32 round trip is exact; data section is 8-byte aligned", () => {
  const bytes = writeSafetensors(sample());
  const headerLen = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  assert.equal((8 + headerLen) % 8, 0);
  const back = readSafetensors(bytes);
  assert.deepEqual([...back.keys()].sort(), ["a", "b"]);
  assert.deepEqual(back.get("a")!.shape, [2, 3]);
  assert.deepEqual([...back.get("a")!.data], [...sample().get("a")!.data]);
});

test("F16 round trip rounds to nearest half", () => {
  const back = readSafetensors(writeSafetensors(sample(), { dtype: "F16" }));
  assert.equal(back.get("b")!.dtype, "F16");
  assert.deepEqual([...back.get("b")!.data].slice(0, 3), [0.25, 65504, -0.5]);
  assert.ok(Math.abs(back.get("b")!.data[3] - 1 / 3) < 2e-4);
  assert.equal(halfToFloat(floatToHalf(1e-7)), 1.1920928955078125e-7); // subnormal half
  assert.equal(halfToFloat(floatToHalf(1e6)), Infinity);
  assert.equal(halfToFloat(floatToHalf(2049)), 2048); // tie rounds to even
});

test("a truncated file is refused, naming what is missing", () => {
  const bytes = writeSafetensors(sample());
  assert.throws(() => readSafetensors(bytes.subarray(0, 5), "m.safetensors"), /m\.safetensors: file is 5 bytes, too short/);
  assert.throws(() => readSafetensors(bytes.subarray(0, 20)), /header claims \d+ bytes but only 12 follow/);
  assert.throws(() => readSafetensors(bytes.subarray(0, bytes.length - 4)), /tensor "b": data ends at byte 40 but the data section has only 36 bytes/);
});

test("a corrupt header is refused", () => {
  const bytes = writeSafetensors(sample());
  const bad = bytes.slice();
  bad[9] = 0x7b; // '{' where a quote was: not JSON any more
  bad[10] = 0x7b;
  assert.throws(() => readSafetensors(bad), /header is not valid UTF-8 JSON/);
  assert.throws(() => readSafetensors(withHeader([1, 2], 0)), /header is not a JSON object/);
  assert.throws(
    () => readSafetensors(withHeader({ w: { dtype: "F32", shape: [2], data_offsets: [0, 4] } }, 4)),
    /tensor "w": shape \[2\] as F32 needs 8 bytes, but data_offsets span 4/,
  );
  assert.throws(
    () => readSafetensors(withHeader({ w: { dtype: "F32", shape: [-1], data_offsets: [0, 4] } }, 4)),
    /tensor "w": shape \[-1\] is not a list of non-negative integers/,
  );
  assert.throws(
    () =>
      readSafetensors(
        withHeader({ a: { dtype: "F32", shape: [2], data_offsets: [0, 8] }, b: { dtype: "F32", shape: [2], data_offsets: [4, 12] } }, 12),
      ),
    /tensors "a" and "b" overlap/,
  );
});

test("an unsupported dtype is refused with its name", () => {
  assert.throws(
    () => readSafetensors(withHeader({ w: { dtype: "I64", shape: [1], data_offsets: [0, 8] } }, 8)),
    (e: unknown) => e instanceof SafetensorsError && /tensor "w": dtype "I64" is not supported \(expected F32 or F16\)/.test((e as Error).message),
  );
});

test("a missing tensor, a wrong shape and an unexpected tensor are named", () => {
  const missing = tinyNamed();
  missing.delete("blocks.1.attn.W_K");
  assert.throws(() => paramsFromNamed(TINY_ATTN_2L, missing, "m"), /m: missing tensor "blocks\.1\.attn\.W_K" \(expected shape \[2,16,8\]\)/);
  const wrong = tinyNamed();
  wrong.set("unembed.W_U", { shape: [50, 16], data: new Float32Array(800) });
  assert.throws(() => paramsFromNamed(TINY_ATTN_2L, wrong, "m"), /tensor "unembed\.W_U" has shape \[50,16\], expected \[16,50\]/);
  const extra = tinyNamed();
  extra.set("blocks.0.mlp.W_in", { shape: [2], data: new Float32Array(2) });
  assert.throws(() => paramsFromNamed(TINY_ATTN_2L, extra, "m"), /unexpected tensor "blocks\.0\.mlp\.W_in"/);
});

test("TransformerLens buffers and all-zero biases are accepted; a non-zero bias is not", () => {
  const named = tinyNamed();
  named.set("blocks.0.attn.IGNORE", { shape: [], data: Float32Array.of(-1e5) });
  named.set("blocks.0.attn.mask", { shape: [2, 2], data: Float32Array.of(1, 0, 1, 1) });
  named.set("blocks.0.attn.b_Q", { shape: [2, 8], data: new Float32Array(16) });
  for (const t of Object.values(paramsFromNamed(TINY_ATTN_2L, named))) t.dispose();
  named.set("unembed.b_U", { shape: [50], data: new Float32Array(50).fill(0.5) });
  assert.throws(() => paramsFromNamed(TINY_ATTN_2L, named), /unexpected tensor "unembed\.b_U"/);
});
