/**
 * The one argument parser of every command and script: typed flags (`--n 3`, `--n=3`), list flags
 * (`--exps a b c`), positional arguments where a command takes them, one-letter aliases, the usage
 * text built from the same specs, and one-line usage errors (`UsageError`).
 */
import { UsageError } from "@isc/core";

export { UsageError };

export type FlagType = "string" | "int" | "float" | "boolean" | "list";
export interface FlagSpec {
  type: FlagType;
  help: string;
  /** For numbers: the smallest allowed value. */
  min?: number;
  /** For numbers: the largest allowed value. */
  max?: number;
  /** For strings: the only values allowed. */
  choices?: readonly string[];
  /** A one-letter alias, given as `-x`. */
  short?: string;
  /** The value's name in the usage text (default N, X, A B ..., or the choices). */
  arg?: string;
}
export type FlagSpecs = Record<string, FlagSpec>;

type ValueOf<T extends FlagType> = T extends "int" | "float" ? number : T extends "boolean" ? boolean : T extends "list" ? string[] : string;
/** What the user gave, by flag name; a flag not given is absent (so a caller can tell it from a default). */
export type Flags<S extends FlagSpecs> = { -readonly [K in keyof S]?: ValueOf<S[K]["type"]> };

export interface PositionalSpec {
  /** For the usage line, e.g. "NOTEBOOK.ipynb ..." or "SRC DST". */
  name: string;
  help?: string;
  min?: number;
  max?: number;
}

export interface Command<S extends FlagSpecs = FlagSpecs> {
  /** How the command is called, for its usage line: "scrub run", "train". */
  name: string;
  summary: string;
  flags: S;
  /** Without it, a positional argument is a usage error. */
  positionals?: PositionalSpec;
  /** Text after the options: examples, notes. */
  notes?: string;
}

export interface ParsedCommand<S extends FlagSpecs> {
  flags: Flags<S>;
  positionals: string[];
}

export function parseFlags<S extends FlagSpecs>(argv: string[], specs: S): Flags<S> {
  return parseCommand(argv, { name: "", summary: "", flags: specs }).flags;
}

export function parseCommand<S extends FlagSpecs>(argv: string[], cmd: Command<S>): ParsedCommand<S> {
  const out: Record<string, unknown> = {};
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    // pnpm passes a bare "--" through when a script is run as `pnpm x -- --flag`.
    if (a === "--") continue;
    const found = flagOf(a, cmd.flags);
    if (!found) {
      if (!cmd.positionals) throw new UsageError(`unexpected argument "${a}"`);
      positionals.push(a);
      continue;
    }
    const [name, spec, inline] = found;
    if (spec.type === "boolean") {
      if (inline !== undefined) throw new UsageError(`--${name} takes no value`);
      out[name] = true;
    } else if (spec.type === "list") {
      const vals: string[] = inline !== undefined ? [inline] : [];
      while (i + 1 < argv.length && !argv[i + 1].startsWith("--")) vals.push(argv[++i]);
      if (vals.length === 0) throw new UsageError(`--${name} needs at least one value`);
      out[name] = [...((out[name] as string[]) ?? []), ...vals];
    } else {
      const v = inline ?? argv[++i];
      if (v === undefined || (inline === undefined && v.startsWith("--"))) throw new UsageError(`--${name} needs a value`);
      out[name] = valueOf(name, spec, v);
    }
  }
  checkPositionals(positionals, cmd.positionals);
  return { flags: out as Flags<S>, positionals };
}

/**
 * `parseCommand` with `--help` / `-h` built in: on help it prints the usage on stdout and returns
 * null, for the caller to return at once.
 */
export function parseOrHelp<S extends FlagSpecs>(argv: string[], cmd: Command<S>): ParsedCommand<S> | null {
  const withHelp = { ...cmd, flags: { ...cmd.flags, help: cmd.flags.help ?? HELP } };
  const parsed = parseCommand(argv, withHelp);
  if ((parsed.flags as { help?: boolean }).help) {
    process.stdout.write(usage(withHelp));
    return null;
  }
  return parsed as ParsedCommand<S>;
}

const HELP: FlagSpec = { type: "boolean", short: "h", help: "show this help" };

export function usage(cmd: Command): string {
  const entries = Object.entries(cmd.flags).map(([n, s]) => [`--${n}${argText(s)}`, s.help] as const);
  const width = Math.max(22, ...entries.map(([f]) => f.length - 2 + 1));
  const indent = " ".repeat(2 + 2 + width + 1);
  const lines = entries.map(([f, help]) => `  ${f.padEnd(width + 2)} ${help.split("\n").join(`\n${indent}`)}`);
  const pos = cmd.positionals ? ` ${cmd.positionals.min ? cmd.positionals.name : `[${cmd.positionals.name}]`}` : "";
  const posHelp = cmd.positionals?.help ? `\n${cmd.positionals.name}: ${cmd.positionals.help}\n` : "";
  const notes = cmd.notes ? `\n${cmd.notes.trimEnd()}\n` : "";
  return `usage: ${cmd.name} [options]${pos}\n\n${cmd.summary}\n${posHelp}\noptions:\n${lines.join("\n")}\n${notes}`;
}

function argText(s: FlagSpec): string {
  if (s.type === "boolean") return "";
  if (s.arg) return ` ${s.arg}`;
  if (s.choices) return ` ${s.choices.join("|")}`;
  return s.type === "list" ? " A B ..." : s.type === "int" ? " N" : " X";
}

/** The flag an argument names, with its inline `=value`; undefined for a positional argument. */
function flagOf(a: string, specs: FlagSpecs): [string, FlagSpec, string | undefined] | undefined {
  if (a.startsWith("--")) {
    const eq = a.indexOf("=");
    const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
    const spec = specs[name];
    if (!spec) throw new UsageError(`unknown option --${name} (see --help)`);
    return [name, spec, eq < 0 ? undefined : a.slice(eq + 1)];
  }
  if (/^-[A-Za-z]$/.test(a)) {
    const entry = Object.entries(specs).find(([, s]) => s.short === a[1]);
    if (!entry) throw new UsageError(`unknown option ${a} (see --help)`);
    return [entry[0], entry[1], undefined];
  }
  return undefined;
}

function valueOf(name: string, spec: FlagSpec, v: string): string | number {
  if (spec.type === "string") {
    if (spec.choices && !spec.choices.includes(v)) throw new UsageError(`--${name} must be ${orList(spec.choices)}, got "${v}"`);
    return v;
  }
  const n = Number(v);
  if (spec.type === "int" && (v.trim() === "" || !Number.isInteger(n))) throw new UsageError(`--${name} must be an integer, got "${v}"`);
  if (spec.type === "float" && (v.trim() === "" || !Number.isFinite(n))) throw new UsageError(`--${name} must be a number, got "${v}"`);
  const { min, max } = spec;
  if (min !== undefined && max !== undefined && !(n >= min && n <= max)) throw new UsageError(`--${name} must be in [${min}, ${max}], got ${n}`);
  if (min !== undefined && n < min) throw new UsageError(`--${name} must be ≥ ${min}, got ${n}`);
  if (max !== undefined && n > max) throw new UsageError(`--${name} must be ≤ ${max}, got ${n}`);
  return n;
}

function checkPositionals(args: string[], spec: PositionalSpec | undefined): void {
  if (!spec) return;
  if (spec.min !== undefined && args.length < spec.min) throw new UsageError(`needs ${spec.name}`);
  if (spec.max !== undefined && args.length > spec.max) throw new UsageError(`too many arguments: ${args.map((a) => JSON.stringify(a)).join(" ")} (expected ${spec.name})`);
}

function orList(xs: readonly string[]): string {
  return xs.length < 2 ? xs.join("") : `${xs.slice(0, -1).join(", ")} or ${xs[xs.length - 1]}`;
}
