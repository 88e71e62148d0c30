/**
 * `pnpm import-redwood [--from DIR] [--download]`: imports Redwood's original model, evaluation rows and
 * candidate list (docs/semantics.md §2–§3) into the model bundle weights/redwood, so the seed's tables can be
 * reproduced on the original model: `pnpm scrub preliminary --model weights/redwood --samples 10000`.
 * Usage and import errors print one line and exit 2.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { initBackend, UsageError } from "@isc/core";
import { importRedwood, SOURCES } from "@isc/importer";
import { type Command, parseOrHelp, runMain } from "@isc/node";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

const COMMAND = {
  name: "import-redwood",
  summary: "Imports Redwood's original model, evaluation rows and candidate list into a model bundle.",
  flags: {
    download: {
      type: "boolean",
      help: `fetch ${SOURCES.map((s) => s.file).join(", ")} (resumable; progress on stderr)\ninto --cache, then import`,
    },
    from: {
      type: "string",
      arg: "DIR",
      help: "import from a folder holding those three files instead\n(with neither flag: import what an earlier --download left in --cache)",
    },
    out: { type: "string", arg: "DIR", help: "bundle to write (default weights/redwood)" },
    cache: { type: "string", arg: "DIR", help: "download folder (default .cache/redwood)" },
    "base-url": { type: "string", arg: "URL", help: "fetch <URL>/<file> instead of the original addresses (a mirror; also $REDWOOD_BASE_URL)" },
    config: {
      type: "string",
      arg: "FILE",
      help: "a TransformerLens config.json for the model (default: sizes from the weights,\nshortformer, LN, eps 1e-5 as in HF redwood_attn_2l)",
    },
    width: { type: "int", min: 2, help: "tokens per evaluation row (default 301: 300 loss positions, as in the seed)" },
    rows: { type: "int", min: 1, help: "keep only the first N rows (default all)" },
    "prepend-begin": { type: "int", min: 0, arg: "ID", help: "the rows lack [BEGIN]: put ID (50257 or 50258) in front of each" },
    retries: { type: "int", min: 0, help: "further download attempts after a broken connection (default 5)" },
  },
} as const satisfies Command;

runMain("import-redwood", async () => {
  const args = parseOrHelp(process.argv.slice(2), COMMAND);
  if (!args) return;
  const f = args.flags;
  if (f.from && f.download) throw new UsageError("give --from DIR or --download, not both");
  const baseUrl = f["base-url"] ?? process.env.REDWOOD_BASE_URL;
  if (baseUrl !== undefined && !/^https?:\/\//.test(baseUrl)) throw new UsageError(`--base-url must be an http(s) URL, got ${JSON.stringify(baseUrl)}`);
  const quiet = process.env.SCRUB_QUIET === "1";
  await initBackend({ quiet });
  const r = await importRedwood({
    out: path.resolve(f.out ?? path.join(ROOT, "weights", "redwood")),
    cache: path.resolve(f.cache ?? path.join(ROOT, ".cache", "redwood")),
    from: f.from,
    download: f.download ?? false,
    baseUrl,
    configPath: f.config,
    width: f.width,
    rows: f.rows,
    prependBegin: f["prepend-begin"],
    retries: f.retries,
    quiet,
  });
  console.log(
    `imported into ${r.out}: ${r.rows} rows × ${r.width} tokens, [BEGIN] = ${r.beginId}, ${r.candidates} candidates; ` +
      `next: pnpm scrub preliminary --model ${path.relative(process.cwd(), r.out) || "."} --samples 10000`,
  );
});
