/**
 * The repository stands on its own. No text file of it may point a reader at documents it does not
 * hold (background notes such as a notes/ folder of research notes, a shared/ folder beside the
 * checkout, a design memo): the facts live in docs/semantics.md. And every citation
 * `docs/semantics.md §N` must name a section that docs/semantics.md has, so the code's comments keep
 * pointing at the right text when the document changes.
 *
 * Files: what git tracks plus untracked files it does not ignore (a walk that skips node_modules,
 * dist and .git where git is unavailable). Binary files are skipped. This file is exempt: it has to
 * spell the patterns out.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, statSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

/** dist/test -> dist -> packages/core -> packages -> the repository root. */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..");
const SELF = "packages/core/test/no-outside-refs.test.ts";
const SEMANTICS = "docs/semantics.md";

/** What a pointer outside the repository looks like. */
const OUTSIDE: readonly { what: string; re: RegExp }[] = [
  { what: "a background notes file", re: /\b(?:domain|anchors|toolchain)\.md\b/ },
  { what: "a background notes file", re: /(?<!docs\/)\bdata\.md\b/ },
  { what: "a notes/ document", re: /(?<![\w-])notes\/[\w.-]+\.md\b/ },
  { what: "the design memo", re: /\bDESIGN\.md\b/ },
  { what: "a shared/ folder beside the checkout", re: /(?:\.\.\/)+shared\b|(?<![\w.-])shared\/(?:notes|seed|bench)\b|\/work\/shared\b/ },
  { what: "background notes", re: /\b(?:toolchain|domain|data|anchors|background|research) notes\b/i },
];

function listFiles(): string[] {
  try {
    const out = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
      cwd: ROOT,
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
      stdio: ["ignore", "pipe", "ignore"],
    });
    return out.split("\0").filter((f) => f !== "" && existsSync(path.join(ROOT, f)) && statSync(path.join(ROOT, f)).isFile());
  } catch {
    const files: string[] = [];
    const skip = new Set(["node_modules", "dist", ".git", "runs", "data", "results", ".cache", "nb-runs"]);
    const walk = (dir: string) => {
      for (const e of readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
        const rel = dir ? `${dir}/${e.name}` : e.name;
        if (e.isDirectory() && !skip.has(e.name)) walk(rel);
        else if (e.isFile()) files.push(rel);
      }
    };
    walk("");
    return files;
  }
}

/** A NUL byte in the first 8 KiB marks a binary file (weights, token rows, images). */
function isBinary(abs: string): boolean {
  const fd = openSync(abs, "r");
  try {
    const buf = Buffer.alloc(8192);
    const n = readSync(fd, buf, 0, buf.length, 0);
    return buf.subarray(0, n).includes(0);
  } finally {
    closeSync(fd);
  }
}

function textFiles(): { file: string; text: string }[] {
  return listFiles()
    .map((f) => f.split(path.sep).join("/"))
    .filter((f) => f !== SELF && !isBinary(path.join(ROOT, f)))
    .map((file) => ({ file, text: readFileSync(path.join(ROOT, file), "utf8") }));
}

/** Section numbers of a markdown document: "2", "2.2", … from headings like "### 2.2 Forward pass". */
export function sectionNumbers(markdown: string): Set<string> {
  const out = new Set<string>();
  for (const m of markdown.matchAll(/^#{1,6}\s+(\d+(?:\.\d+)*)\.?\s/gm)) out.add(m[1]!);
  return out;
}

/** Every § number cited right after `docs/semantics.md`: "§2.4, §3", "§2–§3", "§2.3 and §6". */
export function citedSections(text: string): { section: string; index: number }[] {
  const out: { section: string; index: number }[] = [];
  const cite = /docs\/semantics\.md`?((?:(?:\s*(?:,|;|and|to|–|-)\s*|\s+)§\d+(?:\.\d+)*)+)/g;
  for (const m of text.matchAll(cite)) {
    for (const s of m[1]!.matchAll(/§(\d+(?:\.\d+)*)/g)) out.push({ section: s[1]!, index: m.index! });
  }
  return out;
}

const lineOf = (text: string, index: number) => text.slice(0, index).split("\n").length;
const lineAt = (text: string, index: number) => {
  const start = text.lastIndexOf("\n", index - 1) + 1;
  const end = text.indexOf("\n", index);
  return text.slice(start, end < 0 ? text.length : end);
};

test("the repository root is where this test thinks it is", () => {
  assert.ok(existsSync(path.join(ROOT, "pnpm-workspace.yaml")), `no pnpm-workspace.yaml in ${ROOT}`);
  assert.ok(existsSync(path.join(ROOT, SEMANTICS)), `${SEMANTICS} is missing`);
});

test("no file points at documents outside the repository", () => {
  const found: string[] = [];
  for (const { file, text } of textFiles()) {
    for (const { what, re } of OUTSIDE) {
      for (const m of text.matchAll(new RegExp(re.source, re.flags.includes("g") ? re.flags : re.flags + "g"))) {
        const line = lineAt(text, m.index!);
        found.push(`${file}:${lineOf(text, m.index!)}: "${m[0]}" (${what}): ${line.trim().slice(0, 160)}`);
      }
    }
  }
  assert.deepEqual(found, [], `files point outside the repository; cite ${SEMANTICS} (or say it in place) instead:\n${found.join("\n")}`);
});

test("every docs/semantics.md § citation names a section it has", () => {
  const sections = sectionNumbers(readFileSync(path.join(ROOT, SEMANTICS), "utf8"));
  assert.ok(sections.size > 10, `${SEMANTICS} has only ${sections.size} numbered sections`);
  const bad: string[] = [];
  for (const { file, text } of textFiles()) {
    for (const { section, index } of citedSections(text)) {
      if (!sections.has(section)) bad.push(`${file}:${lineOf(text, index)}: §${section}`);
    }
    // Inside the document itself, every bare § reference must resolve too.
    if (file === SEMANTICS) {
      for (const m of text.matchAll(/§(\d+(?:\.\d+)*)/g)) {
        if (!sections.has(m[1]!)) bad.push(`${file}:${lineOf(text, m.index!)}: §${m[1]}`);
      }
    }
  }
  assert.deepEqual(bad, [], `citations of sections ${SEMANTICS} does not have:\n${bad.join("\n")}`);
});

test("citation parsing: lists, ranges and backticks", () => {
  const got = (s: string) => citedSections(s).map((c) => c.section);
  assert.deepEqual(got("(docs/semantics.md §2.4, §3)"), ["2.4", "3"]);
  assert.deepEqual(got("docs/semantics.md §2–§3"), ["2", "3"]);
  assert.deepEqual(got("(docs/semantics.md §2.3 and §6: roles)"), ["2.3", "6"]);
  assert.deepEqual(got("`docs/semantics.md` §2.2 (Redwood's)"), ["2.2"]);
  assert.deepEqual(got("docs/semantics.md §4's table; see §9 elsewhere"), ["4"]);
  assert.deepEqual([...sectionNumbers("# Title\n## 0. Sources\n### 2.2 Forward pass\n#### 10.3 Later\n")], ["0", "2.2", "10.3"]);
});
