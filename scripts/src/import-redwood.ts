/**
 * `pnpm import-redwood [--from DIR] [--download]`: imports Redwood's original model, evaluation rows and
 * candidate list (notes/domain.md §2–§3) into the model bundle weights/redwood, so the seed's tables can be
 * reproduced on the original model: `pnpm scrub preliminary --model weights/redwood --samples 10000`.
 * Usage errors print one line and exit 2; import errors print one line and exit 1.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { initBackend } from "@isc/core";
import { importRedwood, SOURCES } from "@isc/importer";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

const USAGE = `usage: pnpm import-redwood [--from DIR | --download] [flags]
  --download           fetch ${SOURCES.map((s) => s.file).join(", ")} (resumable; progress on stderr)
                       into --cache, then import
  --from DIR           import from a folder holding those three files instead
                       (with neither flag: import what an earlier --download left in --cache)
  --out DIR            bundle to write (default weights/redwood)
  --cache DIR          download folder (default .cache/redwood)
  --base-url URL       fetch <URL>/<file> instead of the original addresses (a mirror; also $REDWOOD_BASE_URL)
  --config FILE        a TransformerLens config.json for the model (default: sizes from the weights,
                       shortformer, LN, eps 1e-5 as in HF redwood_attn_2l)
  --width N            tokens per evaluation row (default 301: 300 loss positions, as in the seed)
  --rows N             keep only the first N rows (default all)
  --prepend-begin ID   the rows lack [BEGIN]: put ID (50257 or 50258) in front of each
  --retries N          further download attempts after a broken connection (default 5)
  --help               this text`;

function usageError(msg: string): never {
  process.stderr.write(`import-redwood: ${msg}\n(see --help)\n`);
  process.exit(2);
}

function intFlag(v: string | undefined, name: string, min: number): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < min) usageError(`--${name} must be an integer >= ${min}, got ${JSON.stringify(v)}`);
  return Number(v);
}

let values: Record<string, string | boolean | undefined>;
try {
  ({ values } = parseArgs({
    options: {
      from: { type: "string" },
      download: { type: "boolean", default: false },
      out: { type: "string" },
      cache: { type: "string" },
      "base-url": { type: "string" },
      config: { type: "string" },
      width: { type: "string" },
      rows: { type: "string" },
      "prepend-begin": { type: "string" },
      retries: { type: "string" },
      help: { type: "boolean", default: false },
    },
    strict: true,
    allowPositionals: false,
  }));
} catch (e) {
  usageError((e as Error).message);
}
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
if (values.from && values.download) usageError("give --from DIR or --download, not both");
const baseUrl = (values["base-url"] as string | undefined) ?? process.env.REDWOOD_BASE_URL;
if (baseUrl !== undefined && !/^https?:\/\//.test(baseUrl)) usageError(`--base-url must be an http(s) URL, got ${JSON.stringify(baseUrl)}`);

const options = {
  out: path.resolve((values.out as string | undefined) ?? path.join(ROOT, "weights", "redwood")),
  cache: path.resolve((values.cache as string | undefined) ?? path.join(ROOT, ".cache", "redwood")),
  from: values.from as string | undefined,
  download: values.download as boolean,
  baseUrl,
  configPath: values.config as string | undefined,
  width: intFlag(values.width as string | undefined, "width", 2),
  rows: intFlag(values.rows as string | undefined, "rows", 1),
  prependBegin: intFlag(values["prepend-begin"] as string | undefined, "prepend-begin", 0),
  retries: intFlag(values.retries as string | undefined, "retries", 0),
  quiet: process.env.SCRUB_QUIET === "1",
};

try {
  await initBackend({ quiet: options.quiet });
  const r = await importRedwood(options);
  console.log(
    `imported into ${r.out}: ${r.rows} rows × ${r.width} tokens, [BEGIN] = ${r.beginId}, ${r.candidates} candidates; ` +
      `next: pnpm scrub preliminary --model ${path.relative(process.cwd(), r.out) || "."} --samples 10000`,
  );
} catch (e) {
  process.stderr.write(`import-redwood: ${(e as Error).message}\n`);
  process.exit(1);
}
