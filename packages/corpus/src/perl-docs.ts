/**
 * The Perl 5.36 manual (Debian perl-doc, the .pod files: perlintro, perlsyn, perlfaq*, perlre, ...).
 * One document per page; verbatim code dropped, prose kept.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { podToParagraphs } from "./pod.js";
import { isProse, ParagraphDeduper, type Doc } from "./text.js";

export function readPerlDocs(pkgDir: string): Doc[] {
  const root = join(pkgDir, "usr/share/perl/5.36.0/pod");
  const dedupe = new ParagraphDeduper();
  const docs: Doc[] = [];
  for (const f of readdirSync(root).filter((f) => f.endsWith(".pod")).sort()) {
    const paras = podToParagraphs(readFileSync(join(root, f), "utf8")).filter((p) => isProse(p, { minWords: 2 }) && dedupe.keep(p));
    const text = paras.join("\n\n");
    if (text.split(/\s+/).length >= 30) docs.push({ id: f.replace(/\.pod$/, ""), text });
  }
  return docs;
}
