/**
 * Jane Austen's six novels (Debian r-cran-janeaustenr). The text lives in the R lazy-load database
 * `data/Rdata.rdb`: a sequence of records, each a 4-byte big-endian length followed by a zlib stream holding
 * an XDR-serialised R character vector (one element per line of the Gutenberg text). No R is needed to read it.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { inflateSync } from "node:zlib";
import { reflow, type Doc } from "./text.js";

/** Decodes an XDR (format version 3) serialisation of a plain character vector. */
export function parseRCharacterVector(buf: Buffer): string[] {
  let off = 0;
  const int = () => {
    const v = buf.readInt32BE(off);
    off += 4;
    return v;
  };
  if (buf.toString("latin1", 0, 2) !== "X\n") throw new Error("not an XDR R serialisation");
  off = 2;
  const version = int();
  int(); // R version that wrote it
  int(); // minimal R version to read it
  if (version === 3) {
    const nameLength = int(); // then the native encoding name, e.g. "UTF-8"
    off += nameLength;
  }
  const flags = int();
  if ((flags & 0xff) !== 16) throw new Error(`expected a character vector (STRSXP = 16), found SEXP type ${flags & 0xff}`);
  const n = int();
  const out: string[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const f = int();
    if ((f & 0xff) !== 9) throw new Error(`element ${i}: expected CHARSXP (9), found ${f & 0xff}`);
    const len = int();
    if (len === -1) {
      out[i] = "";
      continue;
    }
    // gp bit 2 (0x4 << 12 ... LATIN1_MASK) marks latin-1; everything else is UTF-8 or ASCII.
    const latin1 = ((f >>> 12) & 0x4) !== 0 && ((f >>> 12) & 0x8) === 0;
    out[i] = buf.toString(latin1 ? "latin1" : "utf8", off, off + len);
    off += len;
  }
  return out;
}

/** All records of an R lazy-load database that hold character vectors. */
export function readRdbCharacterVectors(path: string): string[][] {
  const b = readFileSync(path);
  const out: string[][] = [];
  let off = 0;
  while (off < b.length) {
    const res = inflateSync(b.subarray(off + 4), { info: true }) as unknown as { buffer: Buffer; engine: { bytesWritten: number } };
    out.push(parseRCharacterVector(res.buffer));
    off += 4 + res.engine.bytesWritten;
  }
  return out;
}

const CHAPTER = /^\s*(CHAPTER|Chapter)\s+([0-9]+|[IVXLC]+)\b\.?/;

export function readJaneAusten(pkgDir: string): Doc[] {
  const novels = readRdbCharacterVectors(join(pkgDir, "usr/lib/R/site-library/janeaustenr/data/Rdata.rdb"));
  const docs: Doc[] = [];
  for (const lines of novels) {
    const title = lines.find((l) => l.trim() !== "")!.trim();
    const slug = title.toLowerCase().replace(/[^a-z]+/g, "-").replace(/^-|-$/g, "");
    // Volume headings restart chapter numbers, so chapters are numbered by position, not by their label.
    let chapter: string[] = [];
    let n = 0;
    const flush = () => {
      const text = reflow(chapter.join("\n"));
      if (text.split(/\s+/).length > 50) docs.push({ id: `${slug}-${String(n).padStart(3, "0")}`, text });
      chapter = [];
      n++;
    };
    for (const line of lines) {
      if (CHAPTER.test(line)) flush();
      chapter.push(line);
    }
    flush();
  }
  return docs;
}
