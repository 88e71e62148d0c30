/**
 * Text clean-up shared by every source: whitespace normalisation, paragraph reflow and a prose filter.
 *
 * The target register is web text (OpenWebText in Redwood's setup): paragraphs on one line, separated by a
 * blank line. Hard-wrapped sources (Gutenberg novels, dictionary entries, C comments) are reflowed so line
 * breaks carry meaning rather than the width of somebody's terminal.
 */
import _ from "lodash";

/** One document: the unit that is kept whole and assigned to train or held-out as a whole. */
export interface Doc {
  /** Stable, human-readable id within its source (file path, chapter, headword). */
  id: string;
  text: string;
}

/** Line endings, control characters, odd spaces and trailing blanks; at most one blank line in a row. */
export function normalizeWhitespace(s: string): string {
  return s
    .replace(/\r\n?/g, "\n")
    .replace(/[\u00a0\u2000-\u200a\u202f\u205f\u3000]/g, " ")
    .replace(/\t/g, "    ")
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u200b\ufeff]/g, "")
    .replace(/[ ]+$/gm, "")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

/** Splits on blank lines. */
export function paragraphs(s: string): string[] {
  return s.split(/\n[ \t]*\n/).map((p) => p.replace(/^\n+|\n+$/g, "")).filter((p) => p.trim() !== "");
}

/** Joins the lines of a paragraph into one line with single spaces. */
export function joinLines(p: string): string {
  return p.replace(/\s+/g, " ").trim();
}

/** A block whose lines are all indented (by >= 4 spaces or a tab) relative to the text: code, tables, art. */
export function isIndentedBlock(p: string): boolean {
  const lines = p.split("\n").filter((l) => l.trim() !== "");
  return lines.length > 0 && lines.every((l) => /^( {4}|\t)/.test(l));
}

/** Reflows every paragraph onto one line; paragraphs separated by one blank line. */
export function reflow(s: string): string {
  return paragraphs(normalizeWhitespace(s)).map(joinLines).filter(Boolean).join("\n\n");
}

const PROSE_CHAR = /[\p{L}\p{N}\s.,;:!?'"()\-\u2013\u2014\u2018\u2019\u201c\u201d/]/u;

export interface ProseOptions {
  /** Fewer words than this and the paragraph is dropped (headings have 1-6). */
  minWords?: number;
  /** Minimum share of letters, digits, whitespace and ordinary punctuation. */
  minProseChars?: number;
  /** Mean word length above this means identifiers, hashes or URLs rather than words. */
  maxMeanWordLength?: number;
}

/**
 * The prose test used for technical sources: ordinary characters dominate, words look like words and a
 * good share of them are lower-case letters only. Tables, code, hex dumps and ASCII art fail it.
 */
export function isProse(p: string, opts: ProseOptions = {}): boolean {
  const { minWords = 3, minProseChars = 0.85, maxMeanWordLength = 9 } = opts;
  const words = p.split(/\s+/).filter(Boolean);
  if (words.length < minWords) return false;
  let good = 0;
  let total = 0;
  for (const ch of p) {
    total++;
    if (PROSE_CHAR.test(ch)) good++;
  }
  if (good / total < minProseChars) return false;
  if (_.meanBy(words, (w) => w.length) > maxMeanWordLength) return false;
  const plain = words.filter((w) => /^[a-z]+[.,;:!?)'"]*$/.test(w)).length;
  return plain / words.length >= 0.35;
}

/** HTML/XML character references, named ones limited to those that occur in our sources. */
export function decodeEntities(s: string): string {
  const named: Record<string, string> = {
    amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " ", ndash: "\u2013", mdash: "\u2014",
    lsquo: "\u2018", rsquo: "\u2019", ldquo: "\u201c", rdquo: "\u201d", hellip: "\u2026", copy: "\u00a9",
    reg: "\u00ae", trade: "\u2122", times: "\u00d7", middot: "\u00b7", laquo: "\u00ab", raquo: "\u00bb",
    para: "\u00b6", sect: "\u00a7", deg: "\u00b0", rarr: "\u2192", larr: "\u2190", ge: "\u2265", le: "\u2264",
    ne: "\u2260", minus: "\u2212", bull: "\u2022", zwj: "", zwnj: "", shy: "",
  };
  return s.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (m, e: string) => {
    if (e[0] === "#") {
      const code = e[1] === "x" || e[1] === "X" ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return code > 0 && code < 0x110000 ? String.fromCodePoint(code) : m;
    }
    return named[e.toLowerCase()] ?? m;
  });
}

/** Keeps a paragraph only the first time it is seen across a whole source (licence blocks, boilerplate). */
export class ParagraphDeduper {
  private readonly seen = new Set<string>();

  constructor(private readonly minLength = 60) {}

  /** True when p should be kept. Short paragraphs ("Return: 0 on success.") are always kept. */
  keep(p: string): boolean {
    if (p.length < this.minLength) return true;
    if (this.seen.has(p)) return false;
    this.seen.add(p);
    return true;
  }
}
