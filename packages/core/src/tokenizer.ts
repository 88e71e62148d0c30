/**
 * GPT-2 byte-level BPE tokenizers, fully offline.
 *
 * Two flavours:
 * - `gpt2Truncated(k)`: GPT-2 (r50k_base) keeping only ranks < k. GPT-2's merge i creates token 256 + i, so
 *   dropping every rank >= k leaves a valid byte-level BPE whose ids are exactly GPT-2's ids 0..k-1 (any text
 *   still encodes, through shorter pieces). `[BEGIN]` = k. This is the project's default small-vocab model.
 * - `gpt2Full(beginId)`: Redwood's `GPTBeginEndToks` vocabulary: GPT-2 plus `[BEGIN]` and `[END]` (50259 ids).
 *   Public copies of Redwood's code disagree on which of 50257 / 50258 is `[BEGIN]`, hence the parameter.
 *
 * Literal special-token text in the input (`<|endoftext|>`, `[BEGIN]`) is encoded as ordinary text: corpus
 * documents contain such strings, and a tokenizer that throws or silently emits a control id on them would
 * corrupt data. Control ids are only ever placed by the code that builds rows.
 */
import { FormatError } from "./errors.js";
import { Tiktoken, type TiktokenBPE } from "js-tiktoken/lite";
import r50kBase from "js-tiktoken/ranks/r50k_base";

export interface Tokenizer {
  readonly name: string;
  /** Number of ids, specials included; every id produced or accepted is < vocabSize. */
  readonly vocabSize: number;
  readonly beginId: number;
  readonly endId: number | null;
  /** Text to ids. Never emits `beginId` / `endId`. */
  encode(text: string): number[];
  /** Ids to text; specials decode to their names ("[BEGIN]"), bytes that are not valid UTF-8 to U+FFFD. */
  decode(ids: ArrayLike<number>): string;
  /** The decoded string of every id, index = id; length vocabSize. */
  tokenStrings(): string[];
}

/** JSON-serialisable description of a tokenizer, stored as `weights/<model>/tokenizer.json`. */
export type TokenizerSpec = { kind: "gpt2-truncated"; k: number } | { kind: "gpt2-full"; beginId: 50257 | 50258 };

export const BEGIN_TOKEN = "[BEGIN]";
export const END_TOKEN = "[END]";

/** GPT-2 has 50256 BPE ranks (256 bytes + 50000 merges) and `<|endoftext|>` = 50256. */
const GPT2_BPE_RANKS = 50256;
const GPT2_EOT = 50256;
const GPT2_EOT_TEXT = "<|endoftext|>";

/**
 * The r50k rank table keeping only ranks < k. The table is lines of "<anything> <first rank> <b64 token>..."
 * with consecutive ranks per line, so filtering is a slice per line.
 */
function truncatedRanks(k: number): string {
  const out: string[] = [];
  for (const line of r50kBase.bpe_ranks.split("\n")) {
    if (!line) continue;
    const [head, offsetStr, ...tokens] = line.split(" ");
    const offset = Number.parseInt(offsetStr, 10);
    const keep = tokens.slice(0, Math.max(0, k - offset));
    if (keep.length > 0) out.push([head, offsetStr, ...keep].join(" "));
  }
  return out.join("\n");
}

/**
 * Wraps js-tiktoken with a per-piece cache. js-tiktoken re-merges every regex piece from bytes each time
 * (and rebuilds its regexes per call); caching the ids of each distinct piece makes corpus-scale encoding
 * several times faster. Each piece is encoded on its own, which gives the same ids as encoding the whole
 * text because GPT-2's pre-tokenizer regex never merges across its own pieces (checked in the tests).
 */
class CachedBpe implements Tokenizer {
  private readonly bpe: Tiktoken;
  private readonly pattern: RegExp;
  private readonly cache = new Map<string, number[]>();
  private strings: string[] | null = null;

  constructor(
    readonly name: string,
    ranks: TiktokenBPE,
    /** Ids above the BPE ranks and the text they decode to. */
    private readonly specials: ReadonlyMap<number, string>,
    readonly vocabSize: number,
    readonly beginId: number,
    readonly endId: number | null,
  ) {
    this.bpe = new Tiktoken(ranks, Object.fromEntries([...specials].map(([id, text]) => [text, id])));
    this.pattern = new RegExp(ranks.pat_str, "gu");
  }

  encode(text: string): number[] {
    const out: number[] = [];
    for (const m of text.matchAll(this.pattern)) {
      const piece = m[0];
      let ids = this.cache.get(piece);
      if (ids === undefined) {
        // allowed = none, disallowed = none: special-token text is plain text.
        ids = this.bpe.encode(piece, [], []);
        // Bound memory on adversarial input (e.g. huge whitespace-free blobs); real text has few distinct pieces.
        if (this.cache.size >= 1 << 20) this.cache.clear();
        this.cache.set(piece, ids);
      }
      for (let i = 0; i < ids.length; i++) out.push(ids[i]);
    }
    return out;
  }

  decode(ids: ArrayLike<number>): string {
    const list = Array.from(ids);
    for (const id of list) {
      if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize) {
        throw new FormatError(`${this.name}: token id ${id} is outside the vocabulary [0, ${this.vocabSize})`);
      }
    }
    return this.bpe.decode(list);
  }

  tokenStrings(): string[] {
    if (this.strings === null) {
      const s: string[] = new Array(this.vocabSize);
      for (let id = 0; id < this.vocabSize; id++) s[id] = this.specials.get(id) ?? this.bpe.decode([id]);
      this.strings = s;
    }
    return this.strings.slice();
  }
}

/** GPT-2 BPE truncated to its first k ids, plus `[BEGIN]` = k (no `[END]`); vocabSize k + 1. */
export function gpt2Truncated(k = 8192): Tokenizer {
  if (!Number.isInteger(k) || k < 256 || k > GPT2_BPE_RANKS) {
    throw new RangeError(`gpt2Truncated: k must be an integer in [256, ${GPT2_BPE_RANKS}] (256 byte tokens are required), got ${k}`);
  }
  const ranks: TiktokenBPE = { pat_str: r50kBase.pat_str, special_tokens: {}, bpe_ranks: truncatedRanks(k) };
  return new CachedBpe(`gpt2-truncated-${k}`, ranks, new Map([[k, BEGIN_TOKEN]]), k + 1, k, null);
}

/**
 * Full GPT-2 plus `[BEGIN]` and `[END]` (Redwood's vocabulary, 50259 ids). `beginId` picks which of the two
 * extra ids is `[BEGIN]`; the other is `[END]`.
 */
export function gpt2Full(beginId: 50257 | 50258 = 50257): Tokenizer {
  if (beginId !== 50257 && beginId !== 50258) throw new RangeError(`gpt2Full: beginId must be 50257 or 50258, got ${beginId}`);
  const endId = beginId === 50257 ? 50258 : 50257;
  const ranks: TiktokenBPE = { pat_str: r50kBase.pat_str, special_tokens: {}, bpe_ranks: r50kBase.bpe_ranks };
  const specials = new Map<number, string>([
    [GPT2_EOT, GPT2_EOT_TEXT],
    [beginId, BEGIN_TOKEN],
    [endId, END_TOKEN],
  ]);
  return new CachedBpe(`gpt2-full-begin${beginId}`, ranks, specials, 50259, beginId, endId);
}

export function tokenizerFromSpec(spec: TokenizerSpec): Tokenizer {
  switch (spec?.kind) {
    case "gpt2-truncated":
      return gpt2Truncated(spec.k);
    case "gpt2-full":
      return gpt2Full(spec.beginId);
    default:
      throw new Error(`unknown tokenizer spec ${JSON.stringify(spec)}: expected {"kind":"gpt2-truncated","k":N} or {"kind":"gpt2-full","beginId":50257|50258}`);
  }
}

/** Parses and validates the JSON text of a tokenizer spec (e.g. the contents of `tokenizer.json`). */
export function parseTokenizerSpec(json: string): TokenizerSpec {
  const v: unknown = JSON.parse(json);
  if (typeof v === "object" && v !== null) {
    const o = v as Record<string, unknown>;
    if (o.kind === "gpt2-truncated" && typeof o.k === "number") return { kind: "gpt2-truncated", k: o.k };
    if (o.kind === "gpt2-full" && (o.beginId === 50257 || o.beginId === 50258)) return { kind: "gpt2-full", beginId: o.beginId };
  }
  throw new Error(`not a tokenizer spec: ${json.slice(0, 200)}`);
}
