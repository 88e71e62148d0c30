/**
 * Reader for PyTorch checkpoint files (`torch.save` since torch 1.6): a zip holding `<name>/data.pkl`, a
 * pickle describing the saved object, plus one raw little-endian entry per tensor storage
 * (`<name>/data/<key>`), `<name>/version`, and with newer torch `<name>/byteorder` and
 * `<name>/.data/serialization_id`.
 *
 * It covers what the original model's files hold (docs/semantics.md §2.4, §3): state dicts of tensors
 * (`OrderedDict`, with TransformerLens' `mask`/`IGNORE` buffers) and a single bare tensor.
 *
 * Safety. A .pt file is a pickle, and a pickle can ask to call any importable function
 * (`posix.system`, `builtins.eval`, ...). Nothing here runs or imports what a file names: the pickle
 * machine (the `pickleparser` package) only ever gets callables from `resolveGlobal` below, which answers
 * for an allow-list (the tensor rebuild functions, the storage types, the dtypes `_rebuild_tensor_v3`
 * names, `collections.OrderedDict`) with small local functions that build plain descriptions, and throws
 * for every other name before anything could be called. Those functions are made per file and frozen,
 * and tensors are recognised by identity (a WeakSet), so a pickle cannot forge or patch one.
 */
import { Parser } from "pickleparser";
import { halfToFloat, type TensorToWrite } from "@isc/core";
import { readZipEntries, TorchFileError } from "./torch-zip.js";


export type TorchDtype = "float64" | "float32" | "float16" | "bfloat16" | "int64" | "int32" | "int16" | "int8" | "uint8" | "bool";

/** float16 / bfloat16 keep their raw 16-bit patterns (see `torchTensorToFloat32`); bool is 0/1 bytes. */
export type TorchTensorData = Float64Array | Float32Array | Uint16Array | BigInt64Array | Int32Array | Int16Array | Int8Array | Uint8Array;

export interface TorchTensor {
  dtype: TorchDtype;
  shape: number[];
  /** Elements in row-major order, whatever strides and storage offset the file used. */
  data: TorchTensorData;
}

export type TorchValue = { kind: "tensor"; tensor: TorchTensor } | { kind: "state_dict"; tensors: Map<string, TorchTensor> };

const STORAGE_TYPES: Record<string, TorchDtype> = {
  DoubleStorage: "float64",
  FloatStorage: "float32",
  HalfStorage: "float16",
  BFloat16Storage: "bfloat16",
  LongStorage: "int64",
  IntStorage: "int32",
  ShortStorage: "int16",
  CharStorage: "int8",
  ByteStorage: "uint8",
  BoolStorage: "bool",
};

/** `torch.<name>` dtype globals, as `_rebuild_tensor_v3` pickles its dtype argument. */
const DTYPE_GLOBALS: Record<string, TorchDtype> = {
  float64: "float64",
  double: "float64",
  float32: "float32",
  float: "float32",
  float16: "float16",
  half: "float16",
  bfloat16: "bfloat16",
  int64: "int64",
  long: "int64",
  int32: "int32",
  int: "int32",
  int16: "int16",
  short: "int16",
  int8: "int8",
  uint8: "uint8",
  bool: "bool",
};

const ITEM_BYTES: Record<TorchDtype, number> = {
  float64: 8,
  float32: 4,
  float16: 2,
  bfloat16: 2,
  int64: 8,
  int32: 4,
  int16: 2,
  int8: 1,
  uint8: 1,
  bool: 1,
};

const REBUILD_FUNCTIONS = ["_rebuild_tensor", "_rebuild_tensor_v2", "_rebuild_tensor_v3", "_rebuild_parameter"] as const;

/** Every global a checkpoint may name (module.name); anything else is refused. */
export const TORCH_PICKLE_ALLOWED_GLOBALS: readonly string[] = Object.freeze([
  ...REBUILD_FUNCTIONS.map((f) => `torch._utils.${f}`),
  ...Object.keys(STORAGE_TYPES).map((s) => `torch.${s}`),
  ...Object.keys(DTYPE_GLOBALS).map((d) => `torch.${d}`),
  "collections.OrderedDict",
]);

/** Torch (storage-element) format versions torch.load itself reads. */
const MAX_FORMAT_VERSION = 10;

interface StorageRef {
  readonly key: string;
  readonly dtype: TorchDtype;
  readonly numel: number;
}

interface TensorRef {
  readonly storage: StorageRef;
  readonly offset: number;
  readonly shape: readonly number[];
  readonly stride: readonly number[];
}

/** One file's unpickling: the objects its allow-listed globals made, recognised by identity. */
class Unpickling {
  readonly tensors = new WeakSet<object>();
  readonly storages = new Map<string, StorageRef>();
  private readonly storageTypes = new Map<unknown, TorchDtype>();
  private readonly dtypes = new Map<unknown, TorchDtype>();
  private readonly globals = new Map<string, (...args: unknown[]) => unknown>();

  constructor(private readonly where: string) {
    for (const f of REBUILD_FUNCTIONS) this.define(`torch._utils.${f}`, (...args) => this.rebuild(f, args));
    for (const [s, dtype] of Object.entries(STORAGE_TYPES)) {
      const marker = this.define(`torch.${s}`, () => this.fail(`torch.${s} is a storage type and cannot be called`));
      this.storageTypes.set(marker, dtype);
    }
    for (const [d, dtype] of Object.entries(DTYPE_GLOBALS)) {
      const marker = this.define(`torch.${d}`, () => this.fail(`torch.${d} is a dtype and cannot be called`));
      this.dtypes.set(marker, dtype);
    }
    // OrderedDict() with no arguments, as a state dict pickles; its items arrive through SETITEMS.
    this.define("collections.OrderedDict", (...args) => {
      if (args.length !== 0) this.fail(`collections.OrderedDict called with ${args.length} arguments, expected none`);
      return new Map();
    });
  }

  private define(name: string, fn: (...args: unknown[]) => unknown): (...args: unknown[]) => unknown {
    const frozen = Object.freeze(fn);
    this.globals.set(name, frozen);
    return frozen;
  }

  fail(msg: string): never {
    throw new TorchFileError(`${this.where}: ${msg}`);
  }

  resolveGlobal(module: string, name: string): (...args: unknown[]) => unknown {
    const fqn = `${module}.${name}`;
    const fn = this.globals.get(fqn);
    if (fn) return fn;
    return this.fail(
      `the pickle names the global ${JSON.stringify(fqn)}, which is not on the allow-list (tensor rebuild functions, ` +
        `torch storage types and dtypes, collections.OrderedDict); refusing to load. A .pt file can ask to run code, ` +
        `and no state dict or tensor needs this name: do not load this file with torch.load either`,
    );
  }

  /** `('storage', <storage type>, key, location, numel)` (torch.serialization's persistent id). */
  resolveStorage(pid: unknown): StorageRef {
    if (!Array.isArray(pid) || pid.length !== 5 || pid[0] !== "storage") {
      this.fail(`unexpected persistent id ${describe(pid)}: expected ('storage', type, key, location, numel)`);
    }
    const [, type, key, location, numelRaw] = pid as unknown[];
    const dtype = this.storageTypes.get(type);
    if (!dtype) this.fail(`persistent id names storage type ${describe(type)}, not one of torch.{${Object.keys(STORAGE_TYPES).join(",")}}`);
    if (typeof key !== "string" || !/^[A-Za-z0-9_]+$/.test(key)) this.fail(`storage key ${describe(key)} is not a plain name`);
    if (typeof location !== "string") this.fail(`storage ${key}: location ${describe(location)} is not a string`);
    const numel = this.int(numelRaw, `storage ${key}: element count`);
    const seen = this.storages.get(key);
    if (seen) {
      if (seen.dtype !== dtype || seen.numel !== numel) {
        this.fail(`storage ${key} is described twice, as ${seen.numel} × ${seen.dtype} and as ${numel} × ${dtype}`);
      }
      return seen;
    }
    const ref = Object.freeze({ key, dtype: dtype!, numel });
    this.storages.set(key, ref);
    return ref;
  }

  private int(v: unknown, what: string): number {
    const n = typeof v === "bigint" && v >= 0n && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
    if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 0) this.fail(`${what} is ${describe(v)}, not a non-negative integer`);
    return n as number;
  }

  private ints(v: unknown, what: string): number[] {
    if (!Array.isArray(v)) this.fail(`${what} is ${describe(v)}, not a tuple of integers`);
    return (v as unknown[]).map((x, i) => this.int(x, `${what}[${i}]`));
  }

  isStorage(v: unknown): v is StorageRef {
    return typeof v === "object" && v !== null && this.storages.get((v as StorageRef).key) === v;
  }

  isTensor(v: unknown): v is TensorRef {
    return typeof v === "object" && v !== null && this.tensors.has(v);
  }

  private rebuild(fn: (typeof REBUILD_FUNCTIONS)[number], args: unknown[]): TensorRef {
    const what = `torch._utils.${fn}`;
    if (fn === "_rebuild_parameter") {
      // (data, requires_grad, backward_hooks): an nn.Parameter is its data here.
      if (args.length < 1 || !this.isTensor(args[0])) this.fail(`${what} expects a tensor first, got ${describe(args[0])}`);
      return args[0] as TensorRef;
    }
    // (storage, storage_offset, size, stride, ...): requires_grad, hooks and metadata do not matter for reading.
    const minArgs = fn === "_rebuild_tensor" ? 4 : fn === "_rebuild_tensor_v2" ? 6 : 7;
    if (args.length < minArgs) this.fail(`${what} called with ${args.length} arguments, expected at least ${minArgs}`);
    const [storage, offsetRaw, sizeRaw, strideRaw] = args;
    if (!this.isStorage(storage)) this.fail(`${what}: first argument is ${describe(storage)}, not a storage`);
    if (fn === "_rebuild_tensor_v3") {
      const dtype = this.dtypes.get(args[6]);
      if (dtype !== storage.dtype) this.fail(`${what}: dtype ${describe(args[6])} does not match storage ${storage.key} (${storage.dtype})`);
    }
    const offset = this.int(offsetRaw, `${what}: storage offset`);
    const shape = this.ints(sizeRaw, `${what}: size`);
    const stride = this.ints(strideRaw, `${what}: stride`);
    if (shape.length !== stride.length) this.fail(`${what}: size [${shape}] and stride [${stride}] differ in length`);
    const numel = shape.reduce((a, b) => a * b, 1);
    if (numel > 0) {
      const last = offset + shape.reduce((acc, d, i) => acc + (d - 1) * stride[i], 0);
      if (last >= storage.numel) {
        this.fail(`tensor of size [${shape}], stride [${stride}] at offset ${offset} reaches element ${last} of storage ${storage.key}, which has ${storage.numel}`);
      }
    }
    const ref: TensorRef = Object.freeze({ storage, offset, shape: Object.freeze(shape), stride: Object.freeze(stride) });
    this.tensors.add(ref);
    return ref;
  }
}

/** Short description of an unpickled value, for error messages. */
function describe(v: unknown): string {
  if (v === null || v === undefined) return "None";
  if (typeof v === "boolean") return `a bool (${v})`;
  if (typeof v === "number" || typeof v === "bigint") return `a number (${v})`;
  if (typeof v === "string") return `a string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + "…" : v)}`;
  if (typeof v === "function") return "a global";
  if (v instanceof Uint8Array) return `bytes (${v.length})`;
  if (v instanceof Map) return `a dict of ${v.size} entries`;
  if (Array.isArray(v)) return `a list/tuple of ${v.length} items`;
  return "an object";
}

function unpickle(pkl: Uint8Array, u: Unpickling): unknown {
  const parser = new Parser({
    nameResolver: { resolve: (module: string, name: string) => u.resolveGlobal(module, name) },
    persistentResolver: { resolve: (pid: unknown) => u.resolveStorage(pid) },
    extensionResolver: {
      resolve: (code: number) => u.fail(`the pickle uses extension code ${code} (copyreg), which no checkpoint needs`),
    },
    unpicklingTypeOfDictionary: "Map",
    unpicklingTypeOfSet: "array",
  });
  try {
    return parser.parse(pkl);
  } catch (e) {
    if (e instanceof TorchFileError) throw e;
    // pickleparser's own errors (bad opcode, truncated stream), or a TypeError from a malformed one.
    return u.fail(`malformed pickle (${(e as Error).message})`);
  }
}

function littleEndianHost(): boolean {
  return new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
}

/** A typed view of a storage's bytes, over a copy when the bytes are not aligned for the element size. */
function storageArray(bytes: Uint8Array, dtype: TorchDtype): TorchTensorData {
  const size = ITEM_BYTES[dtype];
  const b = bytes.byteOffset % size === 0 ? bytes : bytes.slice();
  const n = b.byteLength / size;
  switch (dtype) {
    case "float64":
      return new Float64Array(b.buffer, b.byteOffset, n);
    case "float32":
      return new Float32Array(b.buffer, b.byteOffset, n);
    case "float16":
    case "bfloat16":
      return new Uint16Array(b.buffer, b.byteOffset, n);
    case "int64":
      return new BigInt64Array(b.buffer, b.byteOffset, n);
    case "int32":
      return new Int32Array(b.buffer, b.byteOffset, n);
    case "int16":
      return new Int16Array(b.buffer, b.byteOffset, n);
    case "int8":
      return new Int8Array(b.buffer, b.byteOffset, n);
    case "uint8":
    case "bool":
      return new Uint8Array(b.buffer, b.byteOffset, n);
  }
}

/** Copies the tensor's elements out of its storage in row-major order (any strides, any offset). */
function materialize(t: TensorRef, storage: TorchTensorData): TorchTensor {
  const shape = [...t.shape];
  const numel = shape.reduce((a, b) => a * b, 1);
  const Ctor = storage.constructor as new (n: number) => TorchTensorData;
  const out = new Ctor(numel);
  let contiguous = true;
  for (let i = shape.length - 1, expect = 1; i >= 0; i--) {
    if (shape[i] !== 1 && t.stride[i] !== expect) contiguous = false;
    expect *= shape[i];
  }
  if (contiguous) {
    (out as Float32Array).set((storage as Float32Array).subarray(t.offset, t.offset + numel));
  } else if (numel > 0) {
    const idx = new Array<number>(shape.length).fill(0);
    let src = t.offset;
    for (let k = 0; k < numel; k++) {
      (out as Float32Array)[k] = (storage as Float32Array)[src];
      // Odometer increment over the dims, last fastest.
      for (let d = shape.length - 1; d >= 0; d--) {
        idx[d]++;
        src += t.stride[d];
        if (idx[d] < shape[d]) break;
        src -= t.stride[d] * shape[d];
        idx[d] = 0;
      }
    }
  }
  return { dtype: t.storage.dtype, shape, data: out };
}

/**
 * Reads a `torch.save` zip checkpoint holding a tensor or a (flat) state dict of tensors. Corrupt,
 * truncated or unexpected content, and any global off the allow-list, is a TorchFileError naming
 * `source` and what was found.
 */
export async function readTorchFile(bytes: Uint8Array, source = "checkpoint"): Promise<TorchValue> {
  if (!littleEndianHost()) throw new TorchFileError(`${source}: reading torch checkpoints needs a little-endian machine`);
  const entries = await readZipEntries(bytes, source);
  const names = [...entries.keys()];
  const pkls = names.filter((n) => /^[^/]+\/data\.pkl$/.test(n));
  const listing = () => names.slice(0, 8).join(", ") + (names.length > 8 ? `, … (${names.length} entries)` : "");
  if (pkls.length !== 1) {
    throw new TorchFileError(
      pkls.length === 0
        ? `${source}: the zip has no "<name>/data.pkl" entry, so it is not a torch.save checkpoint (entries: ${listing()})`
        : `${source}: the zip has ${pkls.length} data.pkl entries (${pkls.join(", ")}); expected one`,
    );
  }
  const prefix = pkls[0].slice(0, -"data.pkl".length);
  const version = entries.get(`${prefix}version`);
  if (!version) throw new TorchFileError(`${source}: no "${prefix}version" entry (entries: ${listing()})`);
  const v = new TextDecoder().decode(version).trim();
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > MAX_FORMAT_VERSION) {
    throw new TorchFileError(`${source}: format version ${JSON.stringify(v)} is not one torch.load reads (1 to ${MAX_FORMAT_VERSION})`);
  }
  const order = entries.get(`${prefix}byteorder`);
  if (order) {
    const o = new TextDecoder().decode(order).trim();
    if (o !== "little") {
      throw new TorchFileError(`${source}: storages are stored ${JSON.stringify(o)}-endian; only "little" (what x86 and ARM write) is supported`);
    }
  }

  const u = new Unpickling(`${source}: ${pkls[0]}`);
  const root = unpickle(entries.get(pkls[0])!, u);

  const arrays = new Map<string, TorchTensorData>();
  for (const s of u.storages.values()) {
    const entry = `${prefix}data/${s.key}`;
    const raw = entries.get(entry);
    if (!raw) throw new TorchFileError(`${source}: storage ${s.key} (${s.numel} × ${s.dtype}) has no zip entry "${entry}" (truncated archive?)`);
    const want = s.numel * ITEM_BYTES[s.dtype];
    if (raw.byteLength !== want) {
      throw new TorchFileError(`${source}: "${entry}" has ${raw.byteLength} bytes but the pickle describes ${s.numel} × ${s.dtype} = ${want} bytes`);
    }
    arrays.set(s.key, storageArray(raw, s.dtype));
  }
  const tensor = (t: TensorRef) => materialize(t, arrays.get(t.storage.key)!);

  if (u.isTensor(root)) return { kind: "tensor", tensor: tensor(root) };
  if (root instanceof Map) {
    const tensors = new Map<string, TorchTensor>();
    for (const [k, val] of root) {
      if (typeof k !== "string") throw new TorchFileError(`${source}: state dict key ${describe(k)} is not a string`);
      if (!u.isTensor(val)) {
        throw new TorchFileError(
          `${source}: state dict entry ${JSON.stringify(k)} holds ${describe(val)}, not a tensor (expected a flat state dict of tensors, or one tensor)`,
        );
      }
      tensors.set(k, tensor(val));
    }
    return { kind: "state_dict", tensors };
  }
  throw new TorchFileError(`${source}: the checkpoint holds ${describe(root)}; expected a tensor or a state dict of tensors`);
}

/** A state dict, e.g. TransformerLens' `et_model_state_dict.pt`. */
export async function readTorchStateDict(bytes: Uint8Array, source = "checkpoint"): Promise<Map<string, TorchTensor>> {
  const v = await readTorchFile(bytes, source);
  if (v.kind !== "state_dict") throw new TorchFileError(`${source}: expected a state dict, found a single ${v.tensor.dtype} tensor [${v.tensor.shape}]`);
  return v.tensors;
}

/** A single saved tensor, e.g. `validation_data.pt`. */
export async function readTorchTensor(bytes: Uint8Array, source = "checkpoint"): Promise<TorchTensor> {
  const v = await readTorchFile(bytes, source);
  if (v.kind !== "tensor") throw new TorchFileError(`${source}: expected a single tensor, found a state dict of ${v.tensors.size} tensors`);
  return v.tensor;
}

const bf16Scratch = new Uint32Array(1);
const bf16Float = new Float32Array(bf16Scratch.buffer);

/** Elements as float32 (float64 rounds; integers convert; bool/uint8 give 0/1 etc.). */
export function torchTensorToFloat32(t: TorchTensor): Float32Array {
  const n = t.data.length;
  const out = new Float32Array(n);
  switch (t.dtype) {
    case "float16": {
      const d = t.data as Uint16Array;
      for (let i = 0; i < n; i++) out[i] = halfToFloat(d[i]);
      return out;
    }
    case "bfloat16": {
      const d = t.data as Uint16Array;
      for (let i = 0; i < n; i++) {
        bf16Scratch[0] = d[i] << 16;
        out[i] = bf16Float[0];
      }
      return out;
    }
    case "int64":
      out.set(torchTensorToNumbers(t));
      return out;
    default:
      out.set(t.data as Float32Array);
      return out;
  }
}

/**
 * Elements as JS numbers. int64 values must be exact doubles (|v| <= 2^53 - 1): token ids always are, and
 * a silently rounded id would be a different token.
 */
export function torchTensorToNumbers(t: TorchTensor): Float64Array {
  if (t.dtype === "float16" || t.dtype === "bfloat16") return Float64Array.from(torchTensorToFloat32(t));
  if (t.dtype !== "int64") return Float64Array.from(t.data as Float32Array);
  const d = t.data as BigInt64Array;
  const words = new Int32Array(d.buffer, d.byteOffset, d.length * 2);
  const out = new Float64Array(d.length);
  for (let i = 0; i < d.length; i++) {
    const lo = words[2 * i] >>> 0;
    const hi = words[2 * i + 1];
    if (hi >= 0x200000 || hi < -0x200000) throw new TorchFileError(`int64 element ${i} (${d[i]}) is beyond ±2^53 and has no exact JS number`);
    out[i] = hi * 0x100000000 + lo;
  }
  return out;
}

/** A state dict as float32 tensors, ready for `paramsFromNamed` / `writeSafetensors`. */
export function torchStateDictToFloat32(sd: Map<string, TorchTensor>): Map<string, TensorToWrite> {
  const out = new Map<string, TensorToWrite>();
  for (const [name, t] of sd) out.set(name, { shape: t.shape, data: torchTensorToFloat32(t) });
  return out;
}
