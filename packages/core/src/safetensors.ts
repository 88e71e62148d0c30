/**
 * Reader and writer for the safetensors format (8-byte little-endian header length, a JSON
 * header, then raw little-endian tensor bytes). Only F32 and F16 are accepted: everything the
 * model holds is float, and a silently misread dtype would give wrong numbers, not an error.
 */
import _ from "lodash";
import { FormatError } from "./errors.js";
import { floatToHalf, halfToFloat } from "./float16.js";

export type SafetensorsDtype = "F32" | "F16";

export interface NamedTensor {
  dtype: SafetensorsDtype;
  shape: number[];
  /** Always decoded to float32, whatever the stored dtype. */
  data: Float32Array;
}

export class SafetensorsError extends FormatError {
  override name = "SafetensorsError";
}

const BYTES: Record<SafetensorsDtype, number> = { F32: 4, F16: 2 };

export function readSafetensors(bytes: Uint8Array, source = "safetensors file"): Map<string, NamedTensor> {
  const fail = (msg: string): never => {
    throw new SafetensorsError(`${source}: ${msg}`);
  };
  if (bytes.byteLength < 8) fail(`file is ${bytes.byteLength} bytes, too short for the 8-byte header length (truncated?)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = Number(view.getBigUint64(0, true));
  if (headerLen > bytes.byteLength - 8) {
    fail(`header claims ${headerLen} bytes but only ${bytes.byteLength - 8} follow (truncated or not a safetensors file)`);
  }
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + headerLen)));
  } catch (e) {
    fail(`header is not valid UTF-8 JSON (${(e as Error).message})`);
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) fail("header is not a JSON object");
  const dataStart = 8 + headerLen;
  const dataLen = bytes.byteLength - dataStart;
  const out = new Map<string, NamedTensor>();
  const spans: [number, number, string][] = [];
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === "__metadata__") continue;
    const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof e !== "object" || e === null) fail(`tensor "${name}": entry is not an object`);
    if (e.dtype !== "F32" && e.dtype !== "F16") {
      fail(`tensor "${name}": dtype ${JSON.stringify(e.dtype)} is not supported (expected F32 or F16)`);
    }
    const dtype = e.dtype as SafetensorsDtype;
    if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isInteger(d) && d >= 0)) {
      fail(`tensor "${name}": shape ${JSON.stringify(e.shape)} is not a list of non-negative integers`);
    }
    const shape = e.shape as number[];
    const offs = e.data_offsets;
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every((o) => Number.isInteger(o) && o >= 0) || offs[0] > offs[1]) {
      fail(`tensor "${name}": data_offsets ${JSON.stringify(offs)} is not [begin, end]`);
    }
    const [begin, end] = offs as [number, number];
    const numel = shape.reduce((a, b) => a * b, 1);
    if (end - begin !== numel * BYTES[dtype]) {
      fail(`tensor "${name}": shape [${shape}] as ${dtype} needs ${numel * BYTES[dtype]} bytes, but data_offsets span ${end - begin}`);
    }
    if (end > dataLen) fail(`tensor "${name}": data ends at byte ${end} but the data section has only ${dataLen} bytes (truncated)`);
    spans.push([begin, end, name]);
    out.set(name, { dtype, shape, data: decode(bytes.subarray(dataStart + begin, dataStart + end), dtype, numel) });
  }
  spans.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < spans.length; i++) {
    if (spans[i][0] < spans[i - 1][1]) fail(`tensors "${spans[i - 1][2]}" and "${spans[i][2]}" overlap`);
  }
  return out;
}

function decode(raw: Uint8Array, dtype: SafetensorsDtype, numel: number): Float32Array {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const data = new Float32Array(numel);
  if (dtype === "F32") for (let i = 0; i < numel; i++) data[i] = view.getFloat32(4 * i, true);
  else for (let i = 0; i < numel; i++) data[i] = halfToFloat(view.getUint16(2 * i, true));
  return data;
}

export interface TensorToWrite {
  shape: number[];
  data: Float32Array;
}

/** Writes tensors in sorted-name order, as the reference implementation does. */
export function writeSafetensors(
  tensors: Map<string, TensorToWrite> | Record<string, TensorToWrite>,
  options: { dtype?: SafetensorsDtype; metadata?: Record<string, string> } = {},
): Uint8Array {
  const dtype = options.dtype ?? "F32";
  const entries = _.sortBy(tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors), ([name]) => name);
  const header: Record<string, unknown> = {};
  if (options.metadata) header.__metadata__ = options.metadata;
  let offset = 0;
  for (const [name, t] of entries) {
    const numel = t.shape.reduce((a, b) => a * b, 1);
    if (numel !== t.data.length) {
      throw new SafetensorsError(`tensor "${name}": shape [${t.shape}] has ${numel} elements but data has ${t.data.length}`);
    }
    header[name] = { dtype, shape: t.shape, data_offsets: [offset, offset + numel * BYTES[dtype]] };
    offset += numel * BYTES[dtype];
  }
  let json = JSON.stringify(header);
  // The data section starts 8-byte aligned, as the Rust implementation pads it.
  json += " ".repeat((8 - ((8 + new TextEncoder().encode(json).length) % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let p = 8 + headerBytes.length;
  for (const [, t] of entries) {
    if (dtype === "F32") for (let i = 0; i < t.data.length; i++, p += 4) view.setFloat32(p, t.data[i], true);
    else for (let i = 0; i < t.data.length; i++, p += 2) view.setUint16(p, floatToHalf(t.data[i]), true);
  }
  return out;
}
