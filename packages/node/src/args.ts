/** A small argument parser: typed flags, list flags (`--exps a b c`), and one-line usage errors. */
import { UsageError } from "@isc/core";

export { UsageError };

export type FlagType = "string" | "int" | "boolean" | "list";
export interface FlagSpec {
  type: FlagType;
  help: string;
  /** For ints: the smallest allowed value. */
  min?: number;
}

export type Parsed = Record<string, string | number | boolean | string[] | undefined>;

export function parseFlags(argv: string[], specs: Record<string, FlagSpec>): Parsed {
  const out: Parsed = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith("--")) throw new UsageError(`unexpected argument "${a}"`);
    const [name, inline] = a.slice(2).split("=", 2);
    const spec = specs[name];
    if (!spec) throw new UsageError(`unknown option --${name} (see --help)`);
    if (spec.type === "boolean") {
      out[name] = true;
      continue;
    }
    if (spec.type === "list") {
      const vals: string[] = inline !== undefined ? [inline] : [];
      while (i + 1 < argv.length && !argv[i + 1].startsWith("--")) vals.push(argv[++i]);
      if (vals.length === 0) throw new UsageError(`--${name} needs at least one value`);
      out[name] = [...((out[name] as string[]) ?? []), ...vals];
      continue;
    }
    const v = inline ?? argv[++i];
    if (v === undefined || (inline === undefined && v.startsWith("--"))) throw new UsageError(`--${name} needs a value`);
    if (spec.type === "int") {
      const n = Number(v);
      if (!Number.isInteger(n)) throw new UsageError(`--${name} must be an integer, got "${v}"`);
      if (spec.min !== undefined && n < spec.min) throw new UsageError(`--${name} must be ≥ ${spec.min}, got ${n}`);
      out[name] = n;
    } else out[name] = v;
  }
  return out;
}

export function usage(command: string, summary: string, specs: Record<string, FlagSpec>): string {
  const lines = Object.entries(specs).map(([n, s]) => {
    const arg = s.type === "boolean" ? "" : s.type === "list" ? " A B ..." : s.type === "int" ? " N" : " X";
    return `  --${(n + arg).padEnd(22)} ${s.help}`;
  });
  return `usage: scrub ${command} [options]\n\n${summary}\n\noptions:\n${lines.join("\n")}\n`;
}
