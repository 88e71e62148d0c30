/**
 * `pnpm original-names PATH/experiments.py --commit SHA`: every experiment name the original
 * experiments.py defines (listed by executing it with stubbed imports, experiment_names.py), each
 * with its name for a model's head roles as the catalogue spells it (role-names.ts), written as
 * the fixture that packages/scrubbing/test/original-names.test.ts checks the catalogue against.
 * The original file is not part of this repository: give its path and the commit it is from.
 *
 *   git -C CLONE show HEAD:experiments.py > original-experiments.py
 *   node scripts/dist/src/original-experiment-names.js original-experiments.py --commit "$(git -C CLONE rev-parse HEAD)"
 */
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { sha256Hex, UsageError } from "@isc/core";
import { type Command, defaultModelDir, loadBundle, parseOrHelp, runMain } from "@isc/node";
import { roleNameMapper } from "./original-names/role-names.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const EXTRACTOR = path.join(ROOT, "scripts/original-names/experiment_names.py");
const FIXTURE = path.join(ROOT, "packages/scrubbing/test/fixtures/original-experiment-names.txt");

const COMMAND = {
  name: "original-names",
  summary: "List the original experiments.py's experiment names with their names for a model's head roles.",
  positionals: { name: "EXPERIMENTS.py", help: "the original experiments.py (aryamanarora/induction)", min: 1, max: 1 },
  flags: {
    commit: { type: "string", arg: "SHA", help: "the commit the file is from (40 hex digits), for the header" },
    model: { type: "string", arg: "DIR", help: "the model bundle whose roles name the heads (default weights/default)" },
    out: { type: "string", arg: "PATH", help: "where to write (default the test fixture); - for stdout" },
  },
} as const satisfies Command;

/** The names, in the order the file defines them (python3, standard library only). */
function originalNames(file: string): string[] {
  const r = spawnSync("python3", [EXTRACTOR, file], { encoding: "utf8", maxBuffer: 1 << 26 });
  if (r.error) throw new UsageError(`python3 could not be run: ${r.error.message}`);
  if (r.status !== 0) throw new UsageError(`${EXTRACTOR} failed on ${file}:\n${r.stderr.trim()}`);
  return r.stdout.split("\n").filter((l) => l.length > 0);
}

runMain("original-names", async () => {
  const args = parseOrHelp(process.argv.slice(2), COMMAND);
  if (!args) return;
  const file = args.positionals[0];
  const commit = args.flags.commit ?? "";
  if (!/^[0-9a-f]{40}$/.test(commit)) throw new UsageError("--commit must be the 40-hex-digit commit the file is from");
  const names = originalNames(file);
  const modelDir = args.flags.model ?? defaultModelDir();
  const bundle = await loadBundle(modelDir);
  const rename = roleNameMapper(bundle.model.cfg, bundle.roles);
  bundle.model.dispose(); // only its config and roles are needed
  const header = [
    `# experiments.py of github.com/aryamanarora/induction at ${commit} (sha256 ${sha256Hex(readFileSync(file))}): ${names.length} experiment names`,
    `# each line: the original name, a tab, its name for ${path.relative(ROOT, path.resolve(modelDir)) || modelDir} (roles ${JSON.stringify(bundle.roles)}); written by scripts/src/original-experiment-names.ts`,
  ];
  const text = [...header, ...names.map((n) => `${n}\t${rename(n)}`)].join("\n") + "\n";
  const out = args.flags.out ?? FIXTURE;
  if (out === "-") process.stdout.write(text);
  else {
    writeFileSync(out, text);
    console.log(`${names.length} names -> ${path.relative(process.cwd(), out)}`);
  }
});
