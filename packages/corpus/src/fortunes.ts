/**
 * BSD fortune cookies (Debian fortunes + fortunes-min): quotations, jokes, short poems. One document per
 * cookie. Hard-wrapped prose is rejoined; short lines (poems, dialogue) and "-- Author" lines keep their breaks.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { normalizeWhitespace, type Doc } from "./text.js";

/** Pictures, not text. */
const SKIP = new Set(["art", "ascii-art"]);

export function readFortunes(pkgDirs: string[]): Doc[] {
  const docs: Doc[] = [];
  for (const pkgDir of pkgDirs) {
    const dir = join(pkgDir, "usr/share/games/fortunes");
    const names = readdirSync(dir).filter((f) => !/\.(dat|u8)$/.test(f) && !SKIP.has(f) && !f.startsWith("."));
    for (const name of names.sort()) {
      // Debian ships a UTF-8 copy (.u8) next to the original (mostly latin-1) file.
      const path = existsSync(join(dir, `${name}.u8`)) ? join(dir, `${name}.u8`) : join(dir, name);
      const cookies = readFileSync(path, "utf8").split(/^%$/m);
      cookies.forEach((cookie, i) => {
        const lines = cookie.split("\n").map((l) => l.trim().replace(/ {2,}/g, " "));
        let joined = "";
        lines.forEach((line, j) => {
          // A long line followed by a plain one is a wrapped sentence: join with a space.
          const wrapped = j > 0 && lines[j - 1].length >= 50 && line !== "" && !line.startsWith("--");
          joined += j === 0 ? line : (wrapped ? " " : "\n") + line;
        });
        const text = normalizeWhitespace(joined);
        if (/[a-z]/i.test(text)) docs.push({ id: `${name}#${i}`, text });
      });
    }
  }
  return docs;
}
