/**
 * The layout ARCHITECTURE.md describes, checked: workspace packages import only packages of a lower
 * layer that they declare, nothing imports the `scrub` command or another package's build output by
 * path, and no function under packages/ is longer than 80 lines.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../.."); // from scripts/dist/test
const ts = createRequire(path.join(root, "package.json"))("typescript") as typeof import("typescript");

/** Each workspace package's layer, as in ARCHITECTURE.md: a package may import only lower layers. */
const LAYERS: Record<string, number> = {
  "@isc/core": 0,
  "@isc/viz": 0,
  "@isc/scrubbing": 1,
  "@isc/corpus": 1,
  "@isc/node": 2,
  "@isc/importer": 2,
  "@isc/train": 3,
  "@isc/sweep": 3,
  "@isc/web": 3, // its Chromium test compares the page with @isc/node's runs
  "@isc/cli": 4,
  "@isc/notebooks": 4,
  "@isc/figures": 5,
  "@isc/scripts": 5,
};

interface Workspace {
  name: string;
  dir: string;
  deps: string[];
}

function workspaces(): Workspace[] {
  const files = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "*package.json"], { cwd: root, encoding: "utf8" });
  return files
    .split("\n")
    .filter((f) => f && f !== "package.json" && !f.includes("node_modules"))
    .map((f) => {
      const pkg = JSON.parse(readFileSync(path.join(root, f), "utf8")) as { name: string; dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
      const deps = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies }).filter((d) => d.startsWith("@isc/"));
      return { name: pkg.name, dir: path.dirname(f), deps };
    });
}

/** Tracked TypeScript sources (src, lib, tools and tests) under `dir`, relative to the root. */
function sources(dir: string): string[] {
  const out = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "--", `${dir}/*.ts`], { cwd: root, encoding: "utf8" });
  return out.split("\n").filter((f) => f && !f.endsWith(".d.ts") && !f.includes("/node_modules/") && !f.includes("/dist/"));
}

/** The sources of workspace `w`, less those of workspaces nested inside it (scripts/figures in scripts). */
function ownSources(w: Workspace, all: Workspace[]): string[] {
  const nested = all.filter((o) => o !== w && o.dir.startsWith(`${w.dir}/`)).map((o) => `${o.dir}/`);
  return sources(w.dir).filter((f) => !nested.some((d) => f.startsWith(d)));
}

/** Module specifiers of static and dynamic imports and re-exports. */
function specifiers(file: string): string[] {
  const text = readFileSync(path.join(root, file), "utf8");
  return [...text.matchAll(/(?:from|import)\s*\(?\s*["'`]([^"'`]+)["'`]/g)].map((m) => m[1]);
}

test("every workspace package has a layer, and declares only lower layers", () => {
  for (const w of workspaces()) {
    assert.ok(w.name in LAYERS, `${w.dir}: ${w.name} has no layer in this test (and ARCHITECTURE.md)`);
    for (const d of w.deps) assert.ok(LAYERS[d] < LAYERS[w.name], `${w.name} depends on ${d}, which is not below it`);
  }
});

test("sources import only packages they declare, never @isc/cli, never another package's dist by path", () => {
  const problems: string[] = [];
  const all = workspaces();
  for (const w of all) {
    for (const file of ownSources(w, all)) {
      for (const s of specifiers(file)) {
        const pkg = s.match(/^@isc\/[^/]+/)?.[0];
        if (pkg === "@isc/cli") problems.push(`${file} imports @isc/cli`);
        else if (pkg && pkg !== w.name && !w.deps.includes(pkg)) problems.push(`${file} imports ${pkg}, not in ${w.dir}/package.json`);
        if (/(^|\/)dist\//.test(s) && !s.startsWith("@tensorflow/")) problems.push(`${file} imports a build output by path: ${s}`);
      }
    }
  }
  assert.deepEqual(problems, []);
});

test("no function under packages/ is longer than 80 lines", () => {
  const long: string[] = [];
  for (const file of sources("packages")) {
    const sf = ts.createSourceFile(file, readFileSync(path.join(root, file), "utf8"), ts.ScriptTarget.Latest, true);
    const visit = (n: import("typescript").Node): void => {
      if (ts.isFunctionLike(n) && "body" in n && n.body) {
        const first = sf.getLineAndCharacterOfPosition(n.getStart()).line;
        const lines = sf.getLineAndCharacterOfPosition(n.end).line - first + 1;
        if (lines > 80) long.push(`${file}:${first + 1} (${lines} lines)`);
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
  }
  assert.deepEqual(long, []);
});
