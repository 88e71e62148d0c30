/**
 * The three original files (docs/semantics.md §2.4, §3) and their sha256 record.
 *
 * The Hugging Face files could not be downloaded where this importer was written, so their sha256 is not
 * pinned in code: the first download records its sha256 in `<out>/sources.json`, and every later run
 * checks the downloaded file against that record (trust on first use). Commit sources.json to pin the
 * files for everyone. The candidate list's sha256 is pinned: it was taken from remix_public's master
 * (the file last changed in commit 54e1609, 2023-02-15).
 */
import { ResourceError } from "@isc/core";
import { createHash } from "node:crypto";
import { createReadStream, existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";

export type SourceKey = "model" | "data" | "candidates";

export interface SourceFile {
  key: SourceKey;
  /** File name in a --from folder, in the download cache and in the URL. */
  file: string;
  url: string;
  what: string;
  /** Known-good sha256, or null where it is only known after a first download (see the file comment). */
  sha256: string | null;
}

const HF = "https://huggingface.co/ArthurConmy/redwood_attn_2l/resolve/main";

export const SOURCES: readonly SourceFile[] = Object.freeze([
  {
    key: "model",
    file: "et_model_state_dict.pt",
    url: `${HF}/et_model_state_dict.pt`,
    what: "TransformerLens state dict of redwood_attn_2l (HF ArthurConmy/redwood_attn_2l)",
    sha256: null,
  },
  {
    key: "data",
    file: "validation_data.pt",
    url: `${HF}/validation_data.pt`,
    what: "OpenWebText validation rows, token ids (HF ArthurConmy/redwood_attn_2l)",
    sha256: null,
  },
  {
    key: "candidates",
    file: "induction_candidates.pt",
    url: "https://raw.githubusercontent.com/redwoodresearch/remix_public/master/remix_d3_data/induction_candidates.pt",
    what: "good induction candidates, float 0/1 over the vocabulary (GitHub redwoodresearch/remix_public)",
    sha256: "ff2197a8c07e2774dbf5bb8c1fabaf7c52038a9d975a24365d49af13351ef309",
  },
]);

/** The URL a file is fetched from: its own, or `<base>/<file>` when a base URL is given (mirrors, tests). */
export function sourceUrl(s: SourceFile, baseUrl?: string): string {
  return baseUrl ? `${baseUrl.replace(/\/+$/, "")}/${s.file}` : s.url;
}

export interface SourceRecord {
  url: string;
  sha256: string;
  bytes: number;
  /** ISO date of the first use. */
  recorded: string;
  /** "download" or the folder given with --from. */
  obtained: string;
}

export interface SourcesFile {
  note: string;
  files: Record<string, SourceRecord>;
}

export class SourceHashError extends ResourceError {
  override name = "SourceHashError";
}

export async function sha256File(file: string): Promise<string> {
  const h = createHash("sha256");
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest("hex");
}

export function readSourcesFile(file: string): SourcesFile {
  const empty: SourcesFile = {
    note: "sha256 of the original files, recorded on first use and checked on every later run of `pnpm import-redwood` (commit this file to pin them)",
    files: {},
  };
  if (!existsSync(file)) return empty;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new SourceHashError(`${file} is not valid JSON (${(e as Error).message}); fix or delete it`);
  }
  const files = (parsed as SourcesFile | null)?.files;
  if (typeof files !== "object" || files === null) throw new SourceHashError(`${file}: no "files" object; fix or delete it`);
  return { ...empty, files };
}

export function writeSourcesFile(file: string, s: SourcesFile): void {
  writeFileSync(`${file}.tmp`, JSON.stringify(s, null, 2) + "\n");
  renameSync(`${file}.tmp`, file);
}

export interface HashCheck {
  /** "verified": matches the record; "recorded": first record; "replaced": a record of another origin was replaced. */
  status: "verified" | "recorded" | "replaced";
  /** The sha256 is the original file's (pinned in code), not it (false), or unknown (null). */
  original: boolean | null;
  warnings: string[];
}

/**
 * Checks a file's sha256 and records it in `record`.
 *
 * A download from a file's own URL must match the hash pinned in code (where there is one) and the one
 * recorded by an earlier download from the same URL: anything else is an error, since it means a corrupt
 * or substituted file. A file given with --from (or fetched from another base URL) is the user's: it is
 * recorded as it is, with a warning when it is not the pinned original or replaces a different record.
 */
export function checkOrRecord(
  s: SourceFile,
  sha256: string,
  bytes: number,
  record: SourcesFile,
  context: { url: string; obtained: string; sourcesPath: string; filePath: string },
): HashCheck {
  const warnings: string[] = [];
  const strict = context.obtained === "download";
  const original = s.sha256 === null ? null : s.sha256 === sha256;
  if (original === false) {
    const msg = `${context.filePath}: sha256 ${sha256} is not that of the original ${s.file} (${s.sha256})`;
    if (strict && context.url === s.url) {
      throw new SourceHashError(
        `${msg}. The download is corrupt or not the original file; delete it and retry. If the upstream file really changed, update SOURCES in packages/importer/src/sources.ts`,
      );
    }
    warnings.push(`${msg}; importing it as given`);
  }
  const seen = record.files[s.file];
  const entry: SourceRecord = { url: context.url, sha256, bytes, recorded: new Date().toISOString(), obtained: context.obtained };
  if (!seen) {
    record.files[s.file] = entry;
    return { status: "recorded", original, warnings };
  }
  if (seen.sha256 === sha256) return { status: "verified", original, warnings };
  if (strict && seen.obtained === "download" && seen.url === context.url) {
    throw new SourceHashError(
      `${context.filePath}: sha256 ${sha256} (${bytes} bytes) differs from the one recorded when ${s.file} was first downloaded from ` +
        `${seen.url} on ${seen.recorded} (${seen.sha256}, ${seen.bytes} bytes). The download is corrupt or the file changed upstream; ` +
        `delete ${context.filePath} to fetch it again, or, if the new file is the right one, its entry in ${context.sourcesPath}`,
    );
  }
  warnings.push(`${s.file}: replacing the sha256 recorded on ${seen.recorded} (${seen.sha256}, from ${seen.obtained}) with ${sha256} (from ${context.obtained})`);
  record.files[s.file] = entry;
  return { status: "replaced", original, warnings };
}

export function sourcePath(dir: string, s: SourceFile): string {
  return path.join(dir, s.file);
}
