/**
 * GCIDE, the Collaborative International Dictionary of English (Debian dict-gcide): Webster's 1913 plus
 * additions, full of definitions and literary quotations. dictd format: `gcide.dict.dz` is gzip. One document
 * per headword (consecutive entries for the same word, e.g. the adjective and the verb, stay together).
 * Pronunciation markup (\Co*ag"u*late\), cross-reference braces, accent codes ([=a]) and source tags
 * ([1913 Webster]) are removed; hard-wrapped lines are reflowed.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { reflow, type Doc } from "./text.js";

/** A headword line: starts in column 0 and has a \pronunciation\ (which may wrap onto the next line). */
const ENTRY_START = /^[^\s\\{[][^\\\n]*\\/;

export function cleanEntry(raw: string): string {
  const text = raw
    .replace(/\\[^\\]{0,300}?\\/g, "")
    .replace(/^[ \t]*\[[^\]\n]*\][ \t]*$/gm, "")
    // Accent codes like [=a], [u^], [e`], ['e], [oe]: keep the letters.
    .replace(/\[([=^~`'".]?)([a-zA-Z]{1,2})([=^~`'".]?)\]/g, (m, pre: string, letters: string, post: string) => (pre || post ? letters : m))
    .replace(/[{}]/g, "")
    .replace(/ +,/g, ",");
  return reflow(text);
}

export function readGcide(pkgDir: string): Doc[] {
  const dict = gunzipSync(readFileSync(join(pkgDir, "usr/share/dictd/gcide.dict.dz"))).toString("utf8");
  const lines = dict.split("\n");
  const entries: { head: string; text: string }[] = [];
  let cur: string[] | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if ((i === 0 || lines[i - 1].trim() === "") && ENTRY_START.test(line) && !line.startsWith("00-database")) {
      if (cur) entries.push({ head: cur[0].split("\\")[0].trim(), text: cur.join("\n") });
      cur = [line];
    } else if (cur) {
      cur.push(line);
    }
  }
  if (cur) entries.push({ head: cur[0].split("\\")[0].trim(), text: cur.join("\n") });

  const docs: Doc[] = [];
  for (const e of entries) {
    const text = cleanEntry(e.text);
    if (!text) continue;
    const last = docs[docs.length - 1];
    if (last && last.id.toLowerCase() === e.head.toLowerCase()) last.text += `\n\n${text}`;
    else docs.push({ id: e.head, text });
  }
  return docs;
}
