/**
 * English from the Linux kernel's C comments (.c/.h files of Debian's linux-source-6.1 tarball). Comments
 * are the kernel's running commentary: kernel-doc API descriptions, design notes, warnings. They are full of
 * repeated identifiers, which is what induction heads feed on. One document per source file: its comments
 * in order, one comment per paragraph group. Licence/copyright blocks, commented-out code and boilerplate
 * repeated across files are dropped.
 */
import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { isProse, normalizeWhitespace, ParagraphDeduper, type Doc } from "./text.js";
import { walkFiles } from "./walk.js";

/** Comments, plus string and char literals so that a "/*" inside a string is not taken for a comment. */
const LEXEME = /\/\*[\s\S]*?\*\/|\/\/[^\n]*|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'/g;

const LICENCE = /SPDX-License-Identifier|GNU General Public License|free software|WITHOUT ANY WARRANTY|Redistribution and use|Copyright|\(C\) ?\d{4}|Permission is hereby granted|MERCHANTABILITY|All rights reserved|^\s*Authors?:|<[\w.+-]+@[\w.-]+>/i;

/** The text of one comment, without the comment syntax and the leading " * " of each line. */
export function commentBody(comment: string): string {
  const body = comment.startsWith("//")
    ? comment.replace(/^\/\/+ ?/gm, "")
    : comment
        .replace(/^\/\*+!?/, "")
        .replace(/\*+\/$/, "")
        .split("\n")
        .map((l) => l.replace(/^\s*\*+(?!\/) ?/, ""))
        .join("\n");
  return normalizeWhitespace(body);
}

/** Splits a comment into paragraphs: blank lines, and kernel-doc items ("@arg:", "Return:", "- x"). */
function commentParagraphs(body: string): string[] {
  const out: string[] = [];
  let cur: string[] = [];
  for (const line of body.split("\n")) {
    const t = line.trim();
    if (t === "" || /^(@\w+|[-*] |\w[\w ]{0,20}:\s)/.test(t)) {
      if (cur.length) out.push(cur.join(" "));
      cur = [];
    }
    if (t !== "") cur.push(t);
  }
  if (cur.length) out.push(cur.join(" "));
  return out.map((p) => p.replace(/\s+/g, " ").trim());
}

export function fileComments(src: string): string[] {
  const comments: string[] = [];
  let lastLineCommentEnd = -2;
  for (const m of src.matchAll(LEXEME)) {
    const s = m[0];
    if (s[0] === '"' || s[0] === "'") continue;
    const start = m.index!;
    // A run of // lines is one comment.
    if (s.startsWith("//") && lastLineCommentEnd >= 0 && /^[ \t]*\n[ \t]*$/.test(src.slice(lastLineCommentEnd, start))) {
      comments[comments.length - 1] += `\n${s}`;
    } else {
      comments.push(s);
    }
    lastLineCommentEnd = s.startsWith("//") ? start + s.length : -2;
  }
  return comments;
}

export function readLinuxComments(treeDir: string): Doc[] {
  const dedupe = new ParagraphDeduper();
  const docs: Doc[] = [];
  for (const path of walkFiles(treeDir)) {
    if (!/\.[ch]$/.test(path)) continue;
    const rel = relative(treeDir, path);
    if (rel.startsWith("Documentation/")) continue;
    const blocks: string[] = [];
    for (const c of fileComments(readFileSync(path, "utf8"))) {
      const body = commentBody(c);
      if (LICENCE.test(body)) continue;
      const paras = commentParagraphs(body).filter((p) => isProse(p) && dedupe.keep(p));
      if (paras.length) blocks.push(paras.join("\n"));
    }
    const text = blocks.join("\n\n");
    if (text.split(/\s+/).length >= 30) docs.push({ id: rel, text });
  }
  return docs;
}
