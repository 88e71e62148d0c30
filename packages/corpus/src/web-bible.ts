/**
 * The World English Bible with Deuterocanon (Debian sword-text-web, SWORD zText module). Layout: `*.bzs` lists
 * zlib blocks (12 bytes each: offset, size, uncompressed size, little-endian) in `*.bzz`; `*.bzv` lists verses
 * (10 bytes: block, offset in block, u16 size) in canonical order. Verse text is OSIS XML. One document per
 * chapter, headed "<Book> <chapter>" as a Bible web page would be.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { inflateSync } from "node:zlib";
import { decodeEntities, reflow, type Doc } from "./text.js";

const MODULE = "usr/share/sword/modules/texts/ztext/engWEB2015eb";

/** The OSIS text of one testament (ot / nt), verses in order separated by spaces. */
function readTestament(dir: string, testament: "ot" | "nt"): string {
  const bzs = readFileSync(join(dir, `${testament}.bzs`));
  const bzz = readFileSync(join(dir, `${testament}.bzz`));
  const bzv = readFileSync(join(dir, `${testament}.bzv`));
  const blocks: Buffer[] = [];
  for (let i = 0; i + 12 <= bzs.length; i += 12) {
    const off = bzs.readUInt32LE(i);
    const size = bzs.readUInt32LE(i + 4);
    blocks.push(inflateSync(bzz.subarray(off, off + size)));
  }
  const verses: string[] = [];
  for (let i = 0; i + 10 <= bzv.length; i += 10) {
    const size = bzv.readUInt16LE(i + 8);
    if (size === 0) continue;
    const block = blocks[bzv.readUInt32LE(i)];
    const off = bzv.readUInt32LE(i + 4);
    verses.push(block.subarray(off, off + size).toString("utf8"));
  }
  return verses.join(" ");
}

const LINE_BREAK = "\ue000";

/**
 * OSIS to plain text: paragraphs separated by blank lines, poetry lines by single newlines; footnotes,
 * alternative readings and markup dropped.
 */
export function osisToText(osis: string): string {
  const text = osis
    // Footnotes often sit between two words with no space around them ("God<note>…</note><w>created</w>").
    .replace(/<note\b[^>]*>[\s\S]*?<\/note>/g, " ")
    .replace(/<rdg\b[^>]*>[\s\S]*?<\/rdg>/g, " ")
    .replace(/<milestone\b[^>]*\/>/g, "")
    .replace(/<l\b[^>]*\/>/g, LINE_BREAK)
    .replace(/<(div|lb|lg|title|item|list|speaker)\b[^>]*\/?>|<\/(title|item|list|speaker|lg)>/g, "\n\n")
    .replace(/<[^>]+>/g, "");
  return reflow(decodeEntities(text))
    .replace(/ +([,.;:!?])/g, "$1")
    .replace(new RegExp(`(^|\\n) *${LINE_BREAK}|${LINE_BREAK} *($|\\n)`, "g"), "$1$2")
    .replace(new RegExp(` *${LINE_BREAK}[ ${LINE_BREAK}]*`, "g"), "\n")
    .replace(/ +$/gm, "");
}

export function readWebBible(pkgDir: string): Doc[] {
  const dir = join(pkgDir, MODULE);
  const docs: Doc[] = [];
  for (const testament of ["ot", "nt"] as const) {
    const osis = readTestament(dir, testament);
    // Split at book and chapter starts, keeping the markers so we know where each piece belongs.
    // Only start markers (sID) count; end markers (eID) are dropped with the other tags.
    const parts = osis.split(/(<div\b(?=[^>]*\bsID=)[^>]*type="(?:book|glossary)"[^>]*\/>|<chapter\b[^>]*sID="[^"]*"[^>]*\/>)/);
    let book = "";
    let chapterId = `${testament}-front`;
    let heading = "";
    let body = parts[0];
    const flush = () => {
      const text = osisToText(body);
      if (text.length > 0) docs.push({ id: chapterId, text: heading ? `${heading}\n\n${text}` : text });
    };
    for (let i = 1; i < parts.length; i += 2) {
      const marker = parts[i];
      const content = parts[i + 1] ?? "";
      if (marker.startsWith("<div")) {
        // A book's header (titles) is kept and prepended to its first chapter.
        book = /<milestone n="([^"]+)" type="x-usfm-h"\/>/.exec(content)?.[1] ?? /osisID="([^"]+)"/.exec(marker)?.[1] ?? "";
        flush();
        chapterId = `${/osisID="([^"]+)"/.exec(marker)?.[1] ?? book}.0`;
        heading = "";
        body = content;
        continue;
      }
      const id = /sID="([^"]+)"/.exec(marker)![1];
      const n = /n="([^"]+)"/.exec(marker)?.[1] ?? id.split(".").pop()!;
      if (chapterId.endsWith(".0")) {
        // Chapter 1 absorbs the book header.
        chapterId = id;
        heading = `${book} ${n}`;
        body += content;
        continue;
      }
      flush();
      chapterId = id;
      heading = `${book} ${n}`;
      body = content;
    }
    flush();
  }
  return docs;
}
