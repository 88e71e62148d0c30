/**
 * Builds the training corpus and the evaluation dataset from pinned offline sources (what
 * `pnpm build-corpus` runs). Outputs (see packages/core/src/dataset-file.ts for the format):
 *   <out>/train.u16 (+ .json)       every training row, shuffled
 *   <out>/valid.u16 (+ .json)       held-out rows not used for evaluation (for validation loss while training)
 *   <evalOut>/eval.u16 (+ .json)    exactly `evalRows` held-out rows, shuffled
 *   <evalOut>/tokenizer.json        the tokenizer spec
 * Rows are [BEGIN] + 300 text tokens. Re-running reuses the download cache and gives identical files.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import _ from "lodash";
import { gpt2Truncated, Rng, type Tokenizer, type TokenizerSpec, UsageError, writeTokenDataset, type TokenDatasetMeta } from "@isc/core";
import { type FetchedPackage, fetchPinned } from "./pinned-fetch.js";
import { makeRows, type RowOptions, type RowSet } from "./rows.js";
import { type CorpusSource, SOURCES } from "./sources.js";
import { splitDocuments } from "./split.js";

export const TEXT_LENGTH = 300;
const WIDTH = TEXT_LENGTH + 1;

export interface BuildOptions {
  /** Folder of train.u16 and valid.u16. */
  out: string;
  /** Folder of eval.u16 and tokenizer.json (the model bundle). */
  evalOut: string;
  /** Download cache. */
  cache: string;
  seed: number;
  /** Cut the training rows to this many text tokens (default all). */
  maxTokens?: number;
  /** GPT-2 ids kept by the truncated tokenizer. */
  k: number;
  evalRows: number;
  /** Share of the evaluation rows from natural-English sources. */
  naturalShare: number;
  heldOutFraction: number;
  /** Only these sources (default all). */
  only?: readonly string[];
  /** Use a Debian package whose served version differs from its pin. */
  allowDrift: boolean;
  /** Progress and the report, line by line (default stdout). */
  log?: (line: string) => void;
}

/** One source's documents, tokenized (and capped at its maxTokens). */
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

/** A row of one source's row set. */
type RowRef = { source: number; row: number };

/** The held-out split: per document whether it is held out, and each source's rows on each side. */
interface Split {
  held: boolean[];
  train: RowSet[];
  heldOut: RowSet[];
}

const M = (n: number) => (n / 1e6).toFixed(2);
const secs = (since: number) => ((performance.now() - since) / 1000).toFixed(1);

export function buildCorpus(o: BuildOptions): { train: TokenDatasetMeta; valid: TokenDatasetMeta; eval: TokenDatasetMeta } {
  const log = o.log ?? ((line: string) => console.log(line));
  const t0 = performance.now();
  const tokenizer = gpt2Truncated(o.k);
  const rowOpts: RowOptions = { textLength: TEXT_LENGTH, beginId: tokenizer.beginId, separator: tokenizer.encode("\n\n") };
  const rng = new Rng(o.seed);
  const selected = o.only ? SOURCES.filter((s) => o.only!.includes(s.name)) : SOURCES;
  if (selected.length === 0) throw new UsageError(`--only ${o.only!.join(",")}: no such source; known: ${SOURCES.map((s) => s.name).join(", ")}`);
  log(`tokenizer ${tokenizer.name} (vocab ${tokenizer.vocabSize}, [BEGIN]=${tokenizer.beginId}); seed ${o.seed}; cache ${o.cache}`);
  const results = selected.map((source) => readSource(source, tokenizer, rng, o, log));
  const split = splitHeldOut(results, o, rowOpts);
  const { chosen, validRefs } = chooseEvalRows(results, split.heldOut, o, rng);
  let trainRefs: RowRef[] = split.train.flatMap((t, s) => _.range(t.rows).map((row) => ({ source: s, row })));
  rng.fork("train").shuffle(trainRefs);
  if (o.maxTokens !== undefined && Number.isFinite(o.maxTokens)) trainRefs = trainRefs.slice(0, Math.ceil(o.maxTokens / TEXT_LENGTH));
  const tw = performance.now();
  const metas = writeRows(results, split, { train: trainRefs, valid: validRefs, eval: chosen }, tokenizer, o);
  report(results, split, chosen, log);
  log(`train.u16: ${metas.train.rows} rows (${M(metas.train.rows * TEXT_LENGTH)} M text tokens) sha256 ${metas.train.sha256}`);
  log(`valid.u16: ${metas.valid.rows} rows sha256 ${metas.valid.sha256}`);
  log(`eval.u16:  ${metas.eval.rows} rows sha256 ${metas.eval.sha256}`);
  log(`wrote ${o.out} and ${o.evalOut} in ${secs(tw)}s; total ${secs(t0)}s`);
  return metas;
}

function readSource(source: CorpusSource, tokenizer: Tokenizer, rng: Rng, o: BuildOptions, log: (line: string) => void): SourceResult {
  const ts = performance.now();
  const packages = source.pins.map((pin) => fetchPinned(pin, o.cache, o.allowDrift));
  for (const p of packages) log(`  ${source.name}: ${p.kind} ${p.name} ${p.version} ${p.hash}${p.drifted ? "  (DRIFTED from pin)" : ""}`);
  const tf = performance.now();
  const raw = source.read(packages);
  const tr = performance.now();
  let docs = raw.map((d) => ({ id: d.id, text: d.text, tokens: Uint16Array.from(tokenizer.encode(d.text)) })).filter((d) => d.tokens.length > 0);
  const tokensRead = _.sumBy(docs, (d) => d.tokens.length);
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
    chars: _.sumBy(docs, (d) => d.text.length),
    tokens: _.sumBy(docs, (d) => d.tokens.length),
    docsRead,
    tokensRead,
  };
  const capped = result.tokens < tokensRead ? ` (capped from ${docsRead} docs / ${M(tokensRead)} M tokens)` : "";
  log(
    `  ${source.name}: ${result.docs.length} docs, ${M(result.chars)} M chars, ${M(result.tokens)} M tokens` +
      ` (${(result.chars / result.tokens).toFixed(2)} chars/token)${capped}; fetch ${((tf - ts) / 1000).toFixed(1)}s, read ${((tr - tf) / 1000).toFixed(1)}s, tokenize ${secs(tr)}s`,
  );
  return result;
}

/** Split by document, then rows per (source, split); more natural text is held out until it fills its share of the eval rows. */
function splitHeldOut(results: SourceResult[], o: BuildOptions, rowOpts: RowOptions): Split {
  const nNatural = Math.round(o.evalRows * o.naturalShare);
  const splitDocs = results.flatMap((r) => r.docs.map((d) => ({ source: r.source.name, natural: r.source.register === "natural", tokens: d.length })));
  // Margin: each source's packing stream drops its last partial row.
  let naturalTarget = Math.ceil(nNatural * TEXT_LENGTH * 1.02) + results.length * TEXT_LENGTH;
  for (let attempt = 0; ; attempt++) {
    const held = splitDocuments(splitDocs, { seed: o.seed, heldOutFraction: o.heldOutFraction, naturalHeldOutTokens: naturalTarget });
    let at = 0;
    const train: RowSet[] = [];
    const heldOut: RowSet[] = [];
    for (const r of results) {
      const flags = held.slice(at, at + r.docs.length);
      at += r.docs.length;
      train.push(makeRows(r.docs.filter((_, i) => !flags[i]), rowOpts));
      heldOut.push(makeRows(r.docs.filter((_, i) => flags[i]), rowOpts));
    }
    const natRows = _.sumBy(heldOut.filter((_, i) => results[i].source.register === "natural"), (h) => h.rows);
    const allRows = _.sumBy(heldOut, (h) => h.rows);
    const natShort = Math.max(0, nNatural - natRows);
    const allShort = Math.max(0, o.evalRows - allRows);
    if (natShort === 0 && allShort === 0) return { held, train, heldOut };
    if (attempt === 5) throw new Error(`held-out set too small: ${allRows} rows (${natRows} natural) for ${o.evalRows} evaluation rows (${nNatural} natural)`);
    naturalTarget += (Math.max(natShort, allShort) + 10) * TEXT_LENGTH;
  }
}

/** The evaluation rows, stratified by register and shuffled; the other held-out rows are for validation. */
function chooseEvalRows(results: SourceResult[], heldOut: RowSet[], o: BuildOptions, rng: Rng): { chosen: RowRef[]; validRefs: RowRef[] } {
  const nNatural = Math.round(o.evalRows * o.naturalShare);
  const refs = (register: "natural" | "technical") =>
    heldOut.flatMap((h, s) => (results[s].source.register === register ? _.range(h.rows).map((row) => ({ source: s, row })) : []));
  const evalRng = rng.fork("eval");
  const naturalPool = evalRng.shuffle(refs("natural"));
  const technicalPool = evalRng.shuffle(refs("technical"));
  const takeNatural = Math.min(nNatural, naturalPool.length);
  const takeTechnical = Math.min(o.evalRows - takeNatural, technicalPool.length);
  const chosen: RowRef[] = [...naturalPool.slice(0, takeNatural), ...technicalPool.slice(0, takeTechnical)];
  // If technical text ran short, natural fills the rest (and vice versa above).
  chosen.push(...naturalPool.slice(takeNatural, takeNatural + o.evalRows - chosen.length));
  if (chosen.length !== o.evalRows) throw new Error(`only ${chosen.length} held-out rows for ${o.evalRows} evaluation rows`);
  evalRng.shuffle(chosen);
  const chosenKey = new Set(chosen.map((r) => `${r.source}:${r.row}`));
  const validRefs = _.sortBy(
    [...naturalPool, ...technicalPool].filter((r) => !chosenKey.has(`${r.source}:${r.row}`)),
    [(r) => r.source, (r) => r.row],
  );
  rng.fork("valid").shuffle(validRefs);
  return { chosen, validRefs };
}

function gather(sets: RowSet[], list: RowRef[]): Uint16Array {
  const out = new Uint16Array(list.length * WIDTH);
  list.forEach((r, i) => out.set(sets[r.source].tokens.subarray(r.row * WIDTH, (r.row + 1) * WIDTH), i * WIDTH));
  return out;
}

/** The three row files with their provenance, and tokenizer.json. */
function writeRows(results: SourceResult[], split: Split, lists: { train: RowRef[]; valid: RowRef[]; eval: RowRef[] }, tokenizer: Tokenizer, o: BuildOptions) {
  const sourceNames = results.map((r) => r.source.name);
  const countBy = (list: RowRef[]) => Object.fromEntries(sourceNames.map((n, s) => [n, list.filter((r) => r.source === s).length]));
  const spec: TokenizerSpec = { kind: "gpt2-truncated", k: o.k };
  const provenance = {
    seed: o.seed,
    tokenizer: spec,
    separator_ids: tokenizer.encode("\n\n"),
    text_length: TEXT_LENGTH,
    built_by: "scripts/src/build-corpus.ts",
    packages: results.flatMap((r) => r.packages.map((p) => ({ source: r.source.name, kind: p.kind, name: p.name, version: p.version, hash: p.hash }))),
  };
  const description = `GPT-2-truncated-${o.k} rows of [BEGIN] + ${TEXT_LENGTH} tokens from ${sourceNames.join(", ")}`;
  mkdirSync(o.out, { recursive: true });
  mkdirSync(o.evalOut, { recursive: true });
  // One letter per row naming its source, so results can be broken down by source and the trainer can
  // weight sources (`train --source-weights`).
  const codes = "abcdefghijklmnopqrstuvwxyz";
  const rowSources = (list: RowRef[]) => ({
    rows_by_source: countBy(list),
    row_source_legend: Object.fromEntries(sourceNames.map((n, s) => [codes[s], n])),
    row_source_register: Object.fromEntries(results.map((r) => [r.source.name, r.source.register])),
    row_source: list.map((r) => codes[r.source]).join(""),
  });
  const base = { width: WIDTH, vocab: tokenizer.vocabSize, begin_id: tokenizer.beginId };
  const train = writeTokenDataset(join(o.out, "train.u16"), gather(split.train, lists.train), {
    ...base, source: `training ${description}`, ...provenance, ...rowSources(lists.train),
  });
  const valid = writeTokenDataset(join(o.out, "valid.u16"), gather(split.heldOut, lists.valid), {
    ...base, source: `held-out (not evaluation) ${description}`, ...provenance, ...rowSources(lists.valid),
  });
  const evalMeta = writeTokenDataset(join(o.evalOut, "eval.u16"), gather(split.heldOut, lists.eval), {
    ...base, source: `held-out documents, ${Math.round(o.naturalShare * 100)}% natural English: ${description}`, ...provenance, ...rowSources(lists.eval),
  });
  writeFileSync(join(o.evalOut, "tokenizer.json"), JSON.stringify(spec, null, 2) + "\n");
  return { train, valid, eval: evalMeta };
}

/** The per-source table and the totals. */
function report(results: SourceResult[], { held, train, heldOut }: Split, chosen: RowRef[], log: (line: string) => void): void {
  log("\nsource            register   docs(train/held)      tokens   train rows  held rows  eval rows");
  let at = 0;
  results.forEach((r, s) => {
    const flags = held.slice(at, at + r.docs.length);
    at += r.docs.length;
    const nHeld = flags.filter(Boolean).length;
    log(
      `${r.source.name.padEnd(17)} ${r.source.register.padEnd(10)} ${`${r.docs.length - nHeld}/${nHeld}`.padEnd(16)} ${M(r.tokens).padStart(9)} M ${String(train[s].rows).padStart(11)} ${String(heldOut[s].rows).padStart(10)} ${String(chosen.filter((c) => c.source === s).length).padStart(10)}`,
    );
  });
  log(
    `\ntotal tokens ${M(_.sumBy(results, (r) => r.tokens))} M; train ${M(_.sumBy(train, (r) => r.usedTokens))} M in rows` +
      ` (${M(_.sumBy(train, (r) => r.droppedTokens) / 1)} M dropped tails); held-out ${M(_.sumBy(heldOut, (r) => r.usedTokens))} M in rows`,
  );
}
