/**
 * The whole import: obtain the three original files (download with resume, or a folder), check their
 * sha256, convert them, and write the model bundle `weights/redwood/` that the scrub CLI and notebooks
 * read (packages/node/src/bundle.ts): config.json, model.safetensors, tokenizer.json, card.json, card.md,
 * eval.u16 + eval.json, induction-candidates.json, plus sources.json (the sha256 record).
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import _ from "lodash";
import {
  HookedTransformer,
  type ModelConfig,
  ResourceError,
  paramsToNamed,
  parseConfig,
  type TokenizerSpec,
  writeSafetensors,
  writeTokenDataset,
} from "@isc/core";
import { readTorchStateDict, readTorchTensor } from "./torch-pickle.js";
import { buildCard, buildCardMarkdown, type CardSource } from "./card.js";
import { type ConvertedData, convertCandidates, convertValidationData } from "./convert-data.js";
import { type ConvertedModel, convertStateDict } from "./convert-model.js";
import { downloadFile } from "./download.js";
import {
  checkOrRecord,
  type HashCheck,
  readSourcesFile,
  sha256File,
  SOURCES,
  type SourceFile,
  type SourceKey,
  type SourcesFile,
  sourcePath,
  sourceUrl,
  writeSourcesFile,
} from "./sources.js";

export interface ImportOptions {
  /** Bundle directory to write (weights/redwood). */
  out: string;
  /** Take the files from this folder instead of downloading. */
  from?: string;
  /** Download (or finish downloading) the files into `cache`. */
  download?: boolean;
  /** Where downloads go (default <repo>/.cache/redwood). */
  cache: string;
  /** Fetch `<baseUrl>/<file>` instead of the original URLs (a mirror; the tests' loopback server). */
  baseUrl?: string;
  /** A TransformerLens config.json to use instead of the inferred config. */
  configPath?: string;
  width?: number;
  rows?: number;
  prependBegin?: number;
  /** Rows scored by the import check (default 8). */
  checkRows?: number;
  retries?: number;
  retryDelayMs?: number;
  quiet?: boolean;
  /** Progress messages (default: stderr unless quiet). */
  log?: (msg: string) => void;
}

export interface ImportReport {
  out: string;
  cfg: ModelConfig;
  beginId: number;
  rows: number;
  width: number;
  candidates: number;
  meanNll: number;
  files: Record<SourceKey, { path: string; sha256: string; hashCheck: HashCheck["status"]; original: boolean | null; resumedAt: number[] }>;
}

export class ImportError extends ResourceError {
  override name = "ImportError";
}

/** Finds each original file: downloaded into the cache, in --from, or already in the cache. */
async function obtainFiles(o: ImportOptions, log: (m: string) => void): Promise<Map<SourceKey, { path: string; resumedAt: number[] }>> {
  const found = new Map<SourceKey, { path: string; resumedAt: number[] }>();
  if (o.from) {
    const missing = SOURCES.filter((s) => !existsSync(sourcePath(o.from!, s)));
    if (missing.length) {
      throw new ImportError(`--from ${o.from}: missing ${missing.map((s) => s.file).join(", ")} (expected ${SOURCES.map((s) => s.file).join(", ")})`);
    }
    for (const s of SOURCES) found.set(s.key, { path: sourcePath(o.from, s), resumedAt: [] });
    return found;
  }
  if (o.download) {
    mkdirSync(o.cache, { recursive: true });
    for (const s of SOURCES) {
      const dest = sourcePath(o.cache, s);
      const url = sourceUrl(s, o.baseUrl);
      if (!existsSync(dest)) log(`downloading ${s.file} from ${url}`);
      const r = await downloadFile(url, dest, { retries: o.retries, retryDelayMs: o.retryDelayMs, quiet: o.quiet, label: s.file });
      found.set(s.key, { path: dest, resumedAt: r.resumedAt });
    }
    return found;
  }
  const missing = SOURCES.filter((s) => !existsSync(sourcePath(o.cache, s)));
  if (missing.length) {
    throw new ImportError(
      `no original files: ${missing.map((s) => s.file).join(", ")} not in ${o.cache}. Pass --download to fetch them, or --from DIR for a folder holding ${SOURCES.map((s) => s.file).join(", ")}`,
    );
  }
  for (const s of SOURCES) found.set(s.key, { path: sourcePath(o.cache, s), resumedAt: [] });
  return found;
}

function tokenizerSpec(cfg: ModelConfig, beginId: number): TokenizerSpec {
  if (cfg.d_vocab === 50259) return { kind: "gpt2-full", beginId: beginId as 50257 | 50258 };
  // A test-sized model: GPT-2's first ids plus [BEGIN], which the truncated tokenizer puts at k.
  if (beginId < 256) throw new ImportError(`vocabulary of ${cfg.d_vocab} ids is too small for a GPT-2 tokenizer`);
  return { kind: "gpt2-truncated", k: beginId };
}

type Log = (msg: string) => void;
type Files = Map<SourceKey, { path: string; resumedAt: number[] }>;

/** The sha256 check of each file, for the report and the card; `record` is sources.json as it will be written. */
interface Provenance {
  sourcesPath: string;
  record: SourcesFile;
  files: ImportReport["files"];
  cardSources: CardSource[];
}

export async function importRedwood(o: ImportOptions): Promise<ImportReport> {
  const log = o.log ?? ((m: string) => (o.quiet ? undefined : process.stderr.write(`${m}\n`)));
  const files = await obtainFiles(o, log);
  mkdirSync(o.out, { recursive: true });
  const prov = await checkHashes(o, files, log);
  const conv = await readModel(o, files.get("model")!.path, log);
  const model = new HookedTransformer(conv.cfg, conv.params);
  try {
    const { data, candidates } = await readRows(o, files, conv.cfg, log);
    // A quick look at the loss, so a wrong [BEGIN] or a misread file shows up now rather than in a table.
    const checkRows = Math.min(o.checkRows ?? 8, data.rows);
    const nll = await model.lossPerToken({ data: data.tokens.subarray(0, checkRows * data.width), batch: checkRows, width: data.width });
    const meanNll = _.mean(nll);
    log(`import check: mean per-token loss on the first ${checkRows} rows = ${meanNll.toFixed(3)}`);
    await writeBundle(o, prov, conv, data, candidates, { rows: checkRows, mean_nll: Number(meanNll.toFixed(4)) });
    log(`wrote ${o.out}: ${data.rows} rows × ${data.width}, [BEGIN] = ${data.beginId}, ${candidates.length} candidates`);
    return { out: o.out, cfg: conv.cfg, beginId: data.beginId, rows: data.rows, width: data.width, candidates: candidates.length, meanNll, files: prov.files };
  } finally {
    model.dispose();
  }
}

/** sha256: pinned in code, or recorded on first use in sources.json. */
async function checkHashes(o: ImportOptions, files: Files, log: Log): Promise<Provenance> {
  const sourcesPath = path.join(o.out, "sources.json");
  const record = readSourcesFile(sourcesPath);
  const report: Partial<ImportReport["files"]> = {};
  const cardSources: CardSource[] = [];
  const bySource = new Map<SourceKey, SourceFile>(SOURCES.map((s) => [s.key, s]));
  for (const [key, f] of files) {
    const s = bySource.get(key)!;
    const sha = await sha256File(f.path);
    const bytes = statSync(f.path).size;
    const url = sourceUrl(s, o.baseUrl);
    const check = checkOrRecord(s, sha, bytes, record, { url, obtained: o.from ? path.resolve(o.from) : "download", sourcesPath, filePath: f.path });
    for (const w of check.warnings) log(`warning: ${w}`);
    if (check.status !== "verified") log(`${s.file}: sha256 ${sha} recorded in ${sourcesPath}${o.from ? "" : " (later downloads are checked against it)"}`);
    report[key] = { path: f.path, sha256: sha, hashCheck: check.status, original: check.original, resumedAt: f.resumedAt };
    cardSources.push({ file: s.file, url, sha256: sha, bytes, original: check.original });
  }
  return { sourcesPath, record, files: report as ImportReport["files"], cardSources };
}

async function readModel(o: ImportOptions, modelPath: string, log: Log): Promise<ConvertedModel> {
  log(`reading ${modelPath}`);
  const sd = await readTorchStateDict(readFileSync(modelPath), modelPath);
  const cfgOverride = o.configPath ? parseConfig(JSON.parse(readFileSync(o.configPath, "utf8"))) : undefined;
  const conv = convertStateDict(sd, modelPath, cfgOverride);
  if (!conv.isRedwoodShape) log(`note: the model's shape is not redwood_attn_2l's: ${JSON.stringify(conv.cfg)}`);
  return conv;
}

/** The evaluation rows and the candidate ids. */
async function readRows(o: ImportOptions, files: Files, cfg: ModelConfig, log: Log): Promise<{ data: ConvertedData; candidates: number[] }> {
  const dataPath = files.get("data")!.path;
  log(`reading ${dataPath}`);
  const data = convertValidationData(await readTorchTensor(readFileSync(dataPath), dataPath), dataPath, {
    vocab: cfg.d_vocab,
    nCtx: cfg.n_ctx,
    width: o.width,
    rows: o.rows,
    prependBegin: o.prependBegin,
  });
  for (const n of data.notes) log(`${path.basename(dataPath)}: ${n}`);
  const candPath = files.get("candidates")!.path;
  const candidates = convertCandidates(await readTorchTensor(readFileSync(candPath), candPath), candPath, cfg.d_vocab);
  if (candidates.includes(data.beginId)) log(`note: [BEGIN] ${data.beginId} is marked as a good induction candidate`);
  return { data, candidates };
}

/** config.json, model.safetensors, tokenizer.json, eval.u16 + eval.json, induction-candidates.json, card.json, card.md, sources.json. */
async function writeBundle(o: ImportOptions, prov: Provenance, conv: ConvertedModel, data: ConvertedData, candidates: number[], check: { rows: number; mean_nll: number }): Promise<void> {
  const sha = (k: SourceKey) => prov.files[k].sha256;
  writeFileSync(path.join(o.out, "config.json"), JSON.stringify({ ...conv.cfg, attn_only: true, model_name: "redwood_attn_2l" }, null, 2) + "\n");
  const named = await paramsToNamed(conv.params);
  writeFileSync(
    path.join(o.out, "model.safetensors"),
    writeSafetensors(named, { metadata: { source: SOURCES[0].file, source_sha256: sha("model"), format: "pt" } }),
  );
  writeFileSync(path.join(o.out, "tokenizer.json"), JSON.stringify(tokenizerSpec(conv.cfg, data.beginId), null, 2) + "\n");
  writeTokenDataset(path.join(o.out, "eval.u16"), data.tokens, {
    width: data.width,
    vocab: conv.cfg.d_vocab,
    begin_id: data.beginId,
    source: `validation_data.pt (HF ArthurConmy/redwood_attn_2l): OpenWebText validation rows; ${data.notes.join("; ")}`,
    source_sha256: sha("data"),
  });
  writeFileSync(
    path.join(o.out, "induction-candidates.json"),
    JSON.stringify({ source: SOURCES[2].url, source_sha256: sha("candidates"), count: candidates.length, ids: candidates }) + "\n",
  );
  const cardIn = {
    cfg: conv.cfg,
    isRedwoodShape: conv.isRedwoodShape,
    beginId: data.beginId,
    sources: prov.cardSources,
    data,
    candidates: candidates.length,
    dropped: conv.dropped,
    check,
  };
  const card = buildCard(cardIn);
  writeFileSync(path.join(o.out, "card.json"), JSON.stringify(card, null, 2) + "\n");
  writeFileSync(path.join(o.out, "card.md"), buildCardMarkdown(card, cardIn));
  writeSourcesFile(prov.sourcesPath, prov.record);
}
