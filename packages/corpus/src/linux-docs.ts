/**
 * The Linux kernel's Documentation/ tree (rst and txt, English only: translations/ is skipped), from the
 * source tarball in Debian's linux-source-6.1. One document per file; code blocks and markup are dropped and
 * only prose paragraphs are kept.
 */
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { rstToParagraphs } from "./rst.js";
import { isProse, ParagraphDeduper, type Doc } from "./text.js";
import { walkFiles } from "./walk.js";

const SKIP_DIRS = /^(translations|sphinx|sphinx-static|output|features|ABI)(\/|$)/;

export function readLinuxDocs(treeDir: string): Doc[] {
  const root = join(treeDir, "Documentation");
  const dedupe = new ParagraphDeduper();
  const docs: Doc[] = [];
  for (const path of walkFiles(root)) {
    const rel = relative(root, path);
    if (SKIP_DIRS.test(rel) || !/\.(rst|txt)$/.test(rel)) continue;
    const paras = rstToParagraphs(readFileSync(path, "utf8")).filter((p) => isProse(p, { minWords: 2 }) && dedupe.keep(p));
    const text = paras.join("\n\n");
    if (text.split(/\s+/).length >= 30) docs.push({ id: `Documentation/${rel}`, text });
  }
  return docs;
}
