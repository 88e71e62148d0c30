/**
 * The token dataset format, without file access: a flat little-endian array of token ids,
 * `rows × width` (uint16, or uint32 when the vocabulary does not fit), plus a JSON sidecar that says
 * how to read it and carries the data's sha256, so a stale or truncated dataset is an error rather
 * than a wrong loss. Node reads and writes files with dataset-file.ts; a browser fetches the two
 * files and calls `decodeTokenDataset` here, so both check and decode the same way.
 */
import { FormatError } from "./errors.js";
import { sha256Hex } from "./sha256.js";

export type TokenDtype = "uint16" | "uint32";

export interface TokenDatasetMeta {
  rows: number;
  width: number;
  dtype: TokenDtype;
  /** Every id is < vocab. */
  vocab: number;
  /** The id that starts every row, or null when rows do not start with a fixed token. */
  begin_id: number | null;
  /** Short human description of where the rows came from. */
  source: string;
  /** Of the data file's bytes. */
  sha256: string;
  /** Writers may add provenance (seed, per-source counts, ...); readers ignore what they do not know. */
  [extra: string]: unknown;
}

/** What a writer supplies; rows, sha256 and (unless forced) dtype are derived from the data. */
export interface TokenDatasetMetaInput {
  width: number;
  vocab: number;
  begin_id: number | null;
  source: string;
  dtype?: TokenDtype;
  [extra: string]: unknown;
}

export interface TokenDatasetFile {
  tokens: Uint16Array | Uint32Array;
  rows: number;
  width: number;
  meta: TokenDatasetMeta;
}

export class DatasetFileError extends FormatError {
  override name = "DatasetFileError";
}

/** The data file's extension for each dtype. */
export const TOKEN_DATA_EXTENSION: Readonly<Record<TokenDtype, string>> = Object.freeze({ uint16: ".u16", uint32: ".u32" });

/** The sidecar of `x.u16` / `x.u32` is `x.json`. */
export function sidecarPath(dataPath: string): string {
  return dataPath.replace(/\.(u16|u32|bin)$/, "") + ".json";
}

/**
 * The source of each of the first `rows` rows, when the sidecar names them (build-corpus writes
 * `row_source`: one letter per row, `row_source_legend`: letter → source, `row_source_register`:
 * source → "natural" | "technical"); null when it does not.
 */
export function rowSourceNames(meta: Readonly<Record<string, unknown>>, rows: number): { names: string[]; register: Record<string, string> } | null {
  const codes = meta.row_source;
  const legend = meta.row_source_legend as Record<string, string> | undefined;
  if (typeof codes !== "string" || !legend || codes.length < rows) return null;
  return {
    names: Array.from(codes.slice(0, rows), (c) => legend[c] ?? c),
    register: (meta.row_source_register as Record<string, string> | undefined) ?? {},
  };
}

/** The narrowest dtype that holds every id below `vocab`. */
export function tokenDtypeFor(vocab: number): TokenDtype {
  return vocab <= 0x10000 ? "uint16" : "uint32";
}

/** Throws a DatasetFileError naming `where` for an id >= vocab, or a row that does not start with beginId. */
export function checkTokens(tokens: Uint16Array | Uint32Array, width: number, vocab: number, beginId: number | null, where: string): void {
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i] >= vocab) {
      throw new DatasetFileError(`${where}: token ${tokens[i]} at row ${Math.floor(i / width)}, column ${i % width} is >= vocab ${vocab}`);
    }
  }
  if (beginId !== null) {
    for (let r = 0; r * width < tokens.length; r++) {
      if (tokens[r * width] !== beginId) {
        throw new DatasetFileError(`${where}: row ${r} starts with ${tokens[r * width]}, not begin_id ${beginId}`);
      }
    }
  }
}

/** The file bytes of `tokens`: little-endian whatever the machine's byte order. */
export function tokenDataBytes(tokens: Uint16Array | Uint32Array): Uint8Array {
  const bytes = new Uint8Array(tokens.byteLength);
  const view = new DataView(bytes.buffer);
  if (tokens instanceof Uint16Array) for (let i = 0; i < tokens.length; i++) view.setUint16(2 * i, tokens[i], true);
  else for (let i = 0; i < tokens.length; i++) view.setUint32(4 * i, tokens[i], true);
  return bytes;
}

/** Parses and validates a sidecar's text; `where` names it in errors. */
export function parseTokenDatasetMeta(text: string, where: string): TokenDatasetMeta {
  let m: Record<string, unknown>;
  try {
    m = JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw new DatasetFileError(`${where}: sidecar is not valid JSON (${(e as Error).message})`);
  }
  const need = (key: string, ok: (v: unknown) => boolean, what: string) => {
    if (!ok(m[key])) throw new DatasetFileError(`${where}: sidecar field "${key}" must be ${what}, got ${JSON.stringify(m[key])}`);
  };
  const posInt = (v: unknown) => Number.isInteger(v) && (v as number) > 0;
  need("rows", (v) => Number.isInteger(v) && (v as number) >= 0, "a non-negative integer");
  need("width", posInt, "a positive integer");
  need("vocab", posInt, "a positive integer");
  need("dtype", (v) => v === "uint16" || v === "uint32", '"uint16" or "uint32"');
  need("begin_id", (v) => v === null || Number.isInteger(v), "an integer or null");
  need("sha256", (v) => typeof v === "string" && /^[0-9a-f]{64}$/.test(v), "64 hex digits");
  if (m.dtype === "uint16" && (m.vocab as number) > 0x10000) throw new DatasetFileError(`${where}: vocab ${m.vocab} does not fit dtype uint16`);
  return { source: "", ...m } as TokenDatasetMeta;
}

/**
 * Checks the data bytes against the sidecar (size = rows × width, sha256, every id < vocab, rows
 * start with begin_id when set) and decodes them. `where` names the data file in errors; `sha256`
 * defaults to the plain-JS one (Node passes node:crypto's, which is faster).
 */
export function decodeTokenDataset(
  meta: TokenDatasetMeta,
  bytes: Uint8Array,
  where: string,
  sha256: (bytes: Uint8Array) => string = sha256Hex,
): TokenDatasetFile {
  const itemSize = meta.dtype === "uint16" ? 2 : 4;
  const expected = meta.rows * meta.width * itemSize;
  if (bytes.length !== expected) {
    throw new DatasetFileError(
      `${where}: file has ${bytes.length} bytes but the sidecar says ${meta.rows} rows × ${meta.width} × ${itemSize} B = ${expected} B (truncated or stale?)`,
    );
  }
  const found = sha256(bytes);
  if (found !== meta.sha256) throw new DatasetFileError(`${where}: sha256 mismatch: sidecar says ${meta.sha256}, file is ${found}`);
  const n = meta.rows * meta.width;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let tokens: Uint16Array | Uint32Array;
  if (meta.dtype === "uint16") {
    tokens = new Uint16Array(n);
    for (let i = 0; i < n; i++) tokens[i] = view.getUint16(2 * i, true);
  } else {
    tokens = new Uint32Array(n);
    for (let i = 0; i < n; i++) tokens[i] = view.getUint32(4 * i, true);
  }
  checkTokens(tokens, meta.width, meta.vocab, meta.begin_id, where);
  return { tokens, rows: meta.rows, width: meta.width, meta };
}
