/**
 * `validation_data.pt` → evaluation rows in the project's dataset format.
 *
 * What the file is assumed to hold (docs/semantics.md §3): Redwood's `toks_int_var` rows, [104091, 301]
 * token ids of OpenWebText validation text, each row starting with [BEGIN]; ACDC reads it as
 * `torch.load(f).long()` and slices `data[:, :seq_len]` / `data[:, 1:seq_len+1]`, and asserts it has the
 * shape of REPO's [N, 301] masks. The `.long()` suggests it may be stored as another dtype (Redwood kept
 * token arrays as floats), so any integer dtype, or floats holding whole numbers, is accepted.
 *
 * [BEGIN] (open question Q2: 50257 in INTERP, 50258 in RCP): the rows themselves settle it. If every
 * row starts with the same one of the vocabulary's last two ids, that id is [BEGIN]. Anything else is an
 * error, unless `prependBegin` names the id to put in front of each row (for a file whose rows lack it).
 */
import { FormatError } from "@isc/core";
import { type TorchTensor, torchTensorToNumbers } from "./torch-pickle.js";

export class DataImportError extends FormatError {
  override name = "DataImportError";
}

export interface DataOptions {
  /** The model's vocabulary size and context: ids must be < vocab, rows at most nCtx + 1 wide. */
  vocab: number;
  nCtx: number;
  /** Row width to keep (default 301, the seed's: 300 loss positions); wider rows are cut. */
  width?: number;
  /** Keep only the first N rows (default all). */
  rows?: number;
  /** Put this [BEGIN] id in front of every row, for rows that do not start with one. */
  prependBegin?: number;
}

export interface ConvertedData {
  tokens: Uint16Array | Uint32Array;
  rows: number;
  width: number;
  beginId: number;
  /** What was done to the rows, for the dataset sidecar and the log. */
  notes: string[];
}

export const SEED_WIDTH = 301;

export function convertValidationData(t: TorchTensor, source: string, o: DataOptions): ConvertedData {
  if (t.shape.length !== 2) throw new DataImportError(`${source}: expected token ids of shape [rows, width], found shape [${t.shape}] (${t.dtype})`);
  if (t.dtype === "bool") throw new DataImportError(`${source}: holds a bool tensor, not token ids`);
  const [R, W] = t.shape;
  if (R === 0 || W < 2) throw new DataImportError(`${source}: shape [${t.shape}] has no loss positions`);
  const notes: string[] = [];
  const values = torchTensorToNumbers(t);
  if (t.dtype !== "int64") notes.push(`stored as ${t.dtype}; read as integer ids`);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isInteger(v) || v < 0 || v >= o.vocab) {
      throw new DataImportError(`${source}: row ${Math.floor(i / W)}, column ${i % W} holds ${v}, not a token id in [0, ${o.vocab})`);
    }
  }
  const specials = [o.vocab - 2, o.vocab - 1];
  const firsts = new Map<number, number>();
  for (let r = 0; r < R; r++) firsts.set(values[r * W], (firsts.get(values[r * W]) ?? 0) + 1);

  let beginId: number;
  let prepend = 0;
  if (o.prependBegin !== undefined) {
    if (!specials.includes(o.prependBegin)) {
      throw new DataImportError(`--prepend-begin ${o.prependBegin}: [BEGIN] is one of the vocabulary's last two ids, ${specials.join(" or ")}`);
    }
    if (firsts.size === 1 && firsts.has(o.prependBegin)) {
      throw new DataImportError(`${source}: every row already starts with ${o.prependBegin}; drop --prepend-begin`);
    }
    beginId = o.prependBegin;
    prepend = 1;
    notes.push(`[BEGIN] ${beginId} put in front of every row (--prepend-begin)`);
  } else if (firsts.size === 1 && specials.includes([...firsts.keys()][0])) {
    beginId = [...firsts.keys()][0];
    notes.push(`every row starts with ${beginId}, taken as [BEGIN] (${beginId === o.vocab - 2 ? "INTERP's" : "RCP's"} convention; Q2)`);
  } else {
    const common = [...firsts.entries()].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([id, n]) => `${id} (${n} rows)`);
    throw new DataImportError(
      `${source}: the rows do not all start with a [BEGIN] token (${specials.join(" or ")}): column 0 holds ${firsts.size} distinct ` +
        `id${firsts.size === 1 ? "" : "s"}, most often ${common.join(", ")}. The seed's rows start with [BEGIN] (docs/semantics.md §3); ` +
        `if this file's rows lack it, rerun with --prepend-begin ${specials[0]} or ${specials[1]}`,
    );
  }

  const have = W + prepend;
  const wantWidth = o.width ?? SEED_WIDTH;
  const width = Math.min(wantWidth, have);
  if (width < have) notes.push(`rows cut from ${have} to ${width} tokens`);
  if (width < wantWidth) notes.push(`rows are ${width} tokens wide, fewer than the ${wantWidth} asked for (the seed's are ${SEED_WIDTH})`);
  if (width > o.nCtx + 1) throw new DataImportError(`${source}: rows of ${width} tokens exceed the model's context (${o.nCtx} + 1); pass --width`);
  const rows = Math.min(o.rows ?? R, R);
  if (rows < R) notes.push(`first ${rows} of ${R} rows kept`);

  const tokens = o.vocab <= 0x10000 ? new Uint16Array(rows * width) : new Uint32Array(rows * width);
  for (let r = 0; r < rows; r++) {
    const dst = r * width;
    if (prepend) tokens[dst] = beginId;
    for (let c = prepend; c < width; c++) tokens[dst + c] = values[r * W + c - prepend];
  }
  return { tokens, rows, width, beginId, notes };
}

/** `induction_candidates.pt` → ids whose entry is 1 (a float 0/1 vector over the vocabulary, docs/semantics.md §3). */
export function convertCandidates(t: TorchTensor, source: string, vocab: number): number[] {
  if (t.shape.length !== 1 || t.shape[0] !== vocab) {
    throw new DataImportError(`${source}: expected a 0/1 vector over the ${vocab}-id vocabulary, found shape [${t.shape}] (${t.dtype})`);
  }
  const v = torchTensorToNumbers(t);
  const ids: number[] = [];
  for (let i = 0; i < v.length; i++) {
    if (v[i] === 1) ids.push(i);
    else if (v[i] !== 0) throw new DataImportError(`${source}: entry ${i} is ${v[i]}, but candidates are marked 0 or 1`);
  }
  return ids;
}
