/**
 * The Rust books shipped in Debian's rust-doc 1.63 (mdBook HTML): The Rust Programming Language, the
 * Reference, the Rustonomicon, Rust by Example, the Edition Guide, the Embedded book, the rustc and rustdoc
 * books. Only each page's <main> is used (the sidebar repeats the whole table of contents on every page);
 * code blocks are dropped. The API docs (std/core/alloc) are skipped: generated signatures, not prose.
 */
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { htmlToParagraphs, innerOf } from "./html.js";
import { isProse, ParagraphDeduper, type Doc } from "./text.js";
import { walkFiles } from "./walk.js";

const BOOKS = ["book", "reference", "nomicon", "rust-by-example", "edition-guide", "embedded-book", "rustc", "rustdoc"];

/** Redirect stubs for old book editions, the whole-book print page, search and error pages. */
const SKIP = /^book\/(first-edition|second-edition|2018-edition)\/|(^|\/)(print|toc|404|searchindex)\.html$/;

export function readRustBooks(pkgDir: string): Doc[] {
  const root = join(pkgDir, "usr/share/doc/rust-doc/html");
  const dedupe = new ParagraphDeduper();
  const docs: Doc[] = [];
  for (const book of BOOKS) {
    for (const path of walkFiles(join(root, book))) {
      const rel = relative(root, path);
      if (!rel.endsWith(".html") || SKIP.test(rel)) continue;
      const main = innerOf(readFileSync(path, "utf8"), "main");
      if (main === null) continue;
      const paras = htmlToParagraphs(main).filter((p) => isProse(p, { minWords: 2 }) && dedupe.keep(p));
      const text = paras.join("\n\n");
      if (text.split(/\s+/).length >= 30) docs.push({ id: rel.replace(/\.html$/, ""), text });
    }
  }
  return docs;
}
