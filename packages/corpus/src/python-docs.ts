/**
 * The Python 3.11 documentation (Debian python3.11-doc): the reStructuredText sources Sphinx ships under
 * html/_sources (tutorial, library reference, HOWTOs, FAQ, what's new). One document per page; code examples
 * and markup dropped, prose kept.
 */
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { rstToParagraphs } from "./rst.js";
import { isProse, ParagraphDeduper, type Doc } from "./text.js";
import { walkFiles } from "./walk.js";

export function readPythonDocs(pkgDir: string): Doc[] {
  const root = join(pkgDir, "usr/share/doc/python3.11/html/_sources");
  const dedupe = new ParagraphDeduper();
  const docs: Doc[] = [];
  for (const path of walkFiles(root)) {
    const rel = relative(root, path);
    // The changelog is thousands of one-line bug titles.
    if (!rel.endsWith(".rst.txt") || rel === "whatsnew/changelog.rst.txt") continue;
    const paras = rstToParagraphs(readFileSync(path, "utf8")).filter((p) => isProse(p, { minWords: 2 }) && dedupe.keep(p));
    const text = paras.join("\n\n");
    if (text.split(/\s+/).length >= 30) docs.push({ id: rel.replace(/\.rst\.txt$/, ""), text });
  }
  return docs;
}
