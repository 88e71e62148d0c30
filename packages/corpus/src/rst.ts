/**
 * reStructuredText to plain paragraphs, good enough for corpus text (Linux kernel Documentation, Python's
 * docs sources). Code and machinery are dropped (literal blocks, code/include/toctree/table directives,
 * comments, link targets, section adornments); prose inside admonitions and description directives is kept;
 * inline roles and markup keep their visible text. Not a full rst parser: it only has to produce readable
 * English, and the prose filter applied afterwards catches what slips through.
 */
import { joinLines, normalizeWhitespace } from "./text.js";

/** Directives whose body is code, layout or generated content. */
const SKIP_DIRECTIVES = new Set([
  "code-block", "code", "sourcecode", "highlight", "literalinclude", "include", "toctree", "image", "figure",
  "raw", "math", "graphviz", "kernel-doc", "kernel-figure", "kernel-include", "kernel-abi", "kernel-feat",
  "kernel-render", "table", "csv-table", "list-table", "flat-table", "tabularcolumns", "doctest", "testcode",
  "testoutput", "testsetup", "testcleanup", "productionlist", "cssclass", "contents", "index", "only",
  "parsed-literal", "ifconfig", "literal", "audit-event", "audit-event-table", "opcode", "pdbcommand",
  "digraph", "sectionauthor", "moduleauthor", "codeauthor", "default-role", "currentmodule", "module",
  "program", "autosummary", "c:namespace", "c:namespace-push", "c:namespace-pop", "kernel-ditaa", "SPDX-License-Identifier",
]);

const ADORNMENT = /^([=\-~^"'`#*+_:.<>])\1{2,}\s*$/;
const SIMPLE_TABLE_BORDER = /^=+( +=+)+\s*$/;
const LIST_ITEM = /^\s*([-*+•]|\d+[.)]|#\.|\(\d+\)|[a-z][.)])\s+\S/;

function indentOf(line: string): number {
  return line.length - line.trimStart().length;
}

/** Visible text of inline markup. */
export function stripInlineRst(s: string): string {
  return s
    .replace(/:[\w:.+-]+:`([^`<]*?)\s*<[^`>]*>`/g, "$1") // :ref:`text <target>`
    .replace(/:[\w:.+-]+:`!?~?([^`]*)`/g, "$1") // :c:func:`foo`
    .replace(/`([^`<]+?)\s*<[^`>]+>`__?/g, "$1") // `text <url>`_
    .replace(/``([^`]+)``/g, "$1")
    .replace(/`([^`]+)`__?/g, "$1")
    .replace(/`([^`]+)`/g, "$1")
    .replace(/(^|[\s(["'])\*\*(\S(?:[^*]*?\S)?)\*\*(?=$|[\s)\]"'.,;:!?])/g, "$1$2")
    .replace(/(^|[\s(["'])\*(\S(?:[^*]*?\S)?)\*(?=$|[\s)\]"'.,;:!?])/g, "$1$2")
    .replace(/\|([\w -]+)\|(?!\w)/g, "$1")
    .replace(/\\([*`|_\\])/g, "$1");
}

/** Returns the paragraphs of an rst document, each on one line. */
export function rstToParagraphs(src: string): string[] {
  const lines = normalizeWhitespace(src).split("\n");
  const out: string[] = [];
  let para: string[] = [];
  const flush = () => {
    if (para.length > 0) {
      let p = joinLines(stripInlineRst(para.join("\n")));
      // "Example::" introduces a literal block that is dropped: leave "Example:".
      p = p.replace(/\s*::$/, ":").replace(/^:$/, "");
      if (p) out.push(p);
      para = [];
    }
  };
  // While skipping, every line indented more than skipIndent (or blank) belongs to the skipped block.
  let skipIndent = -1;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const ind = indentOf(line);
    if (skipIndent >= 0) {
      if (line.trim() === "" || ind > skipIndent) continue;
      skipIndent = -1;
    }
    if (line.trim() === "") {
      flush();
      continue;
    }
    const directive = /^\s*\.\.\s+([\w:.+-]+)::(.*)$/.exec(line);
    if (directive) {
      flush();
      if (SKIP_DIRECTIVES.has(directive[1])) {
        skipIndent = ind;
      } else if (/^(note|warning|attention|caution|danger|error|hint|important|tip|seealso|admonition|topic|sidebar|rubric|versionadded|versionchanged|deprecated)$/.test(directive[1])) {
        // The argument of these is prose ("note:: Text", "versionchanged:: 3.2 Text").
        const arg = directive[2].trim().replace(/^\d+(\.\d+)*\s*/, "");
        if (arg) para.push(arg);
      }
      // Other directives (function:: signatures, c:type::, option::) drop their argument but keep the body.
      // Skip the directive's option lines (":maxdepth: 2").
      while (i + 1 < lines.length && /^\s+:[\w-]+:/.test(lines[i + 1]) && indentOf(lines[i + 1]) > ind) i++;
      continue;
    }
    if (/^\s*\.\.(\s|$)/.test(line)) {
      // Comment, link target (.. _label:) or substitution definition, with any indented continuation.
      flush();
      skipIndent = ind;
      continue;
    }
    if (ADORNMENT.test(line) || SIMPLE_TABLE_BORDER.test(line) || /^\s*[+|]/.test(line)) {
      flush();
      continue;
    }
    if (LIST_ITEM.test(line)) flush();
    // A change of indentation outside a list item starts a new paragraph (definition lists, quoted blocks).
    if (para.length > 0 && ind !== indentOf(para[para.length - 1]) && !LIST_ITEM.test(para[0])) flush();
    para.push(line);
    if (/::\s*$/.test(line) && (i + 1 >= lines.length || lines[i + 1].trim() === "")) {
      // Literal block follows: drop everything indented more than this paragraph.
      flush();
      skipIndent = ind;
    }
  }
  flush();
  return out;
}
