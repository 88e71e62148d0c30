/**
 * Per-category loss statistics and their text forms (docs/semantics.md §4.1; REPO `main.py` `run_experiment`):
 * the printed 9-block table and the `logs.csv` row.
 */
import { TABLE_CATEGORIES, type CategoryInfo, type TableMaskKey } from "./masks.js";

// ---------------------------------------------------------------------------------------------------------------
// Statistics

export interface CategoryStats {
  /** Mean of the masked losses; NaN when count = 0 (torch's mean of an empty tensor). */
  readonly mean: number;
  /** Unbiased variance (divisor n-1, torch `.var()`); NaN when count < 2. */
  readonly variance: number;
  /** Number of masked positions. */
  readonly count: number;
}

/**
 * Mean, unbiased variance and count of `loss` where `mask` is nonzero, accumulated in float64 (REPO does it in
 * float32 on the GPU; the difference is far below the printed 3 decimals). Two passes, with the usual correction
 * term `(Σd)²/n` that cancels the rounding error of the first pass's mean.
 * @param loss `Float32Array[N*T]` per-token NLL. @param mask `Uint8Array[N*T]`, nonzero = included.
 */
export function categoryStats(loss: Float32Array, mask: Uint8Array): CategoryStats {
  if (loss.length !== mask.length) throw new RangeError(`loss has ${loss.length} entries but mask ${mask.length}`);
  let count = 0;
  let sum = 0;
  for (let i = 0; i < loss.length; i++) {
    if (mask[i] !== 0) {
      count++;
      sum += loss[i]!;
    }
  }
  if (count === 0) return { mean: NaN, variance: NaN, count };
  const mean = sum / count;
  if (count < 2) return { mean, variance: NaN, count };
  let sq = 0;
  let comp = 0;
  for (let i = 0; i < loss.length; i++) {
    if (mask[i] !== 0) {
      const d = loss[i]! - mean;
      sq += d * d;
      comp += d;
    }
  }
  return { mean, variance: (sq - (comp * comp) / count) / (count - 1), count };
}

export interface LossTableRow extends CategoryStats {
  readonly key: TableMaskKey;
  readonly label: string;
  readonly shortLabel: string;
}

/**
 * One row of stats per category, in table order.
 * @param loss `Float32Array[N*T]`.
 * @param masks `Uint8Array[N*T]` per category key (e.g. from `CategoryMasks.gather`); "overall" may be left out
 *   (all positions).
 */
export function lossTable(
  loss: Float32Array,
  masks: Readonly<Partial<Record<TableMaskKey, Uint8Array>>>,
  categories: readonly CategoryInfo[] = TABLE_CATEGORIES,
): LossTableRow[] {
  return categories.map((c) => {
    let mask = masks[c.key];
    if (mask === undefined) {
      if (c.key !== "overall") throw new Error(`no mask given for category ${c.key}`);
      mask = new Uint8Array(loss.length).fill(1); // [N*T]
    }
    return { key: c.key, label: c.label, shortLabel: c.shortLabel, ...categoryStats(loss, mask) };
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Python-compatible number formatting

/**
 * Python's `format(x, f".{digits}f")`: the exact binary value rounded to `digits` decimals, exact ties to even.
 *
 * JS `toFixed` also rounds the exact binary value (it is correctly rounded, not a float-multiply approximation), but
 * breaks exact ties upward. An exact tie at d decimals means `x·10^d` is an odd multiple of 1/2; since x is dyadic
 * that happens iff `x·2^(d+1)` is an odd integer (for d = 3: odd multiples of 1/16, such as 0.0625 → Python "0.062",
 * `toFixed` "0.063"). Those are redone in BigInt. Also handled: `toFixed` switches to exponent notation at 1e21
 * (Python never does with "f"), prints -0 as "0.000" (Python "-0.000"), and NaN/±Infinity (Python "nan"/"inf").
 */
export function formatPyFixed(x: number, digits: number): string {
  if (!Number.isInteger(digits) || digits < 0 || digits > 100) throw new RangeError(`digits must be in 0..100`);
  if (Number.isNaN(x)) return "nan";
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  const sign = x < 0 || Object.is(x, -0) ? "-" : "";
  const a = Math.abs(x);
  let body: string;
  if (a >= 1e21) {
    // Every double this large is an integer.
    body = BigInt(a).toString() + (digits > 0 ? "." + "0".repeat(digits) : "");
  } else {
    const y = a * 2 ** (digits + 1); // exact: scaling by a power of two
    if (Number.isInteger(y) && y % 2 === 1) {
      const twice = BigInt(y) * 5n ** BigInt(digits); // = 2·a·10^digits, odd
      let n = (twice - 1n) / 2n; // the candidate below; n + 1 is the one above
      if (n % 2n === 1n) n += 1n;
      body = insertDecimalPoint(n.toString(), digits);
    } else {
      body = a.toFixed(digits);
    }
  }
  return sign + body;
}

/** `"12345", 3` → `"12.345"`; `"5", 3` → `"0.005"`. */
function insertDecimalPoint(intDigits: string, digits: number): string {
  if (digits === 0) return intDigits;
  const s = intDigits.padStart(digits + 1, "0");
  return `${s.slice(0, s.length - digits)}.${s.slice(s.length - digits)}`;
}

/**
 * Python's `repr(float)` (what `csv.writer` writes): the shortest round-trip digits, which JS `String(x)` also gives,
 * laid out by Python's rules: exponent form iff the decimal exponent is < -4 or >= 16, with a sign and at least 2
 * exponent digits ("1e-05", "4.22822358814301e-06", "1e+16"), else fixed form with at least one fractional digit
 * ("3.0", "1000000000000000.0").
 */
export function formatPyRepr(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const sign = x < 0 ? "-" : "";
  // Decompose String(|x|) ("123.45", "1.5e-7", "1e+21", "0.000001") into significant digits and the exponent of
  // the first one.
  const [mant, expPart] = String(Math.abs(x)).split("e") as [string, string | undefined];
  const [intPart, fracPart = ""] = mant.split(".") as [string, string | undefined];
  let all = intPart + fracPart;
  let exp = (expPart === undefined ? 0 : Number(expPart)) + intPart.length - 1;
  const lead = all.length - all.replace(/^0+/, "").length;
  all = all.slice(lead).replace(/0+$/, "");
  exp -= lead;
  if (exp < -4 || exp >= 16) {
    const m = all.length > 1 ? `${all[0]}.${all.slice(1)}` : all;
    const e = `${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
    return `${sign}${m}e${e}`;
  }
  if (exp < 0) return `${sign}0.${"0".repeat(-exp - 1)}${all}`;
  const whole = all.slice(0, exp + 1).padEnd(exp + 1, "0");
  const frac = all.slice(exp + 1);
  return `${sign}${whole}.${frac === "" ? "0" : frac}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Printed table

/** REPO's `f"{mean:>10.3f}{var:>10.3f}{shape:>10}"`: three right-aligned 10-character fields (never truncated). */
export function formatStatsLine(stats: CategoryStats): string {
  return (
    formatPyFixed(stats.mean, 3).padStart(10) +
    formatPyFixed(stats.variance, 3).padStart(10) +
    String(stats.count).padStart(10)
  );
}

export interface FormatLossTableOptions {
  /** "long": REPO @0272edd labels, as in the seed ("NON-ERB UNCOMMON REPEATS"); "short": @e30ba3d ("NERB UR"). */
  readonly labels?: "long" | "short";
}

/**
 * The text `run_experiment` prints: per category its label on one line, then `formatStatsLine`; every line ends
 * with "\n" (Python `print`).
 */
export function formatLossTable(
  rows: readonly (CategoryStats & { readonly label: string; readonly shortLabel?: string })[],
  options: FormatLossTableOptions = {},
): string {
  const short = options.labels === "short";
  return rows.map((r) => `${short ? (r.shortLabel ?? r.label) : r.label}\n${formatStatsLine(r)}\n`).join("");
}

// ---------------------------------------------------------------------------------------------------------------
// logs.csv

/** Python `csv.writer` ends every row with "\r\n"; `logsCsvLine` returns the row without it. */
export const LOGS_CSV_LINE_TERMINATOR = "\r\n";

export interface LogsCsvOptions {
  /**
   * Round mean and variance to float32 before writing (default true). REPO's losses were float32 tensors, so its
   * `.item()` values, and hence logs.csv, hold float32 values ("4.19200325012207"); we accumulate in float64.
   */
  readonly float32?: boolean;
}

/** `csv.QUOTE_MINIMAL`: quote a field only if it holds the delimiter, the quote character or a line break. */
function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/**
 * Python `str(datetime)` of an aware UTC datetime: "2023-01-23 20:08:23.116000+00:00" (the fraction is dropped when
 * zero, as Python does). REPO logged America/Los_Angeles times; pass a preformatted string to reproduce that.
 */
function pyDatetimeString(d: Date): string {
  const p = (n: number, w = 2): string => String(n).padStart(w, "0");
  const base =
    `${p(d.getUTCFullYear(), 4)}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ` +
    `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
  const ms = d.getUTCMilliseconds();
  return `${base}${ms === 0 ? "" : `.${p(ms * 1000, 6)}`}+00:00`;
}

/** The first line of a new `logs.csv` (REPO's file had none): names of the columns `logsCsvLine` writes. */
export function logsCsvHeader(categories: readonly CategoryInfo[] = TABLE_CATEGORIES): string {
  const stats = categories.flatMap((c) => ["mean", "variance", "count"].map((s) => csvField(`${c.label} ${s}`)));
  return ["experiment", "seed", "samples", "timestamp", ...stats].join(",");
}

/**
 * One `logs.csv` row: `[exp_name, SEED, samples, timestamp, mean, var, count × 9]` (docs/semantics.md §4.1), numbers as
 * Python writes them ("nan" for an empty category). Without the line terminator (see `LOGS_CSV_LINE_TERMINATOR`).
 */
export function logsCsvLine(
  expName: string,
  seed: number,
  samples: number,
  timestamp: string | Date,
  rows: readonly CategoryStats[],
  options: LogsCsvOptions = {},
): string {
  const f32 = options.float32 ?? true;
  const num = (v: number): string => formatPyRepr(f32 ? Math.fround(v) : v);
  const fields = [
    csvField(expName),
    String(seed),
    String(samples),
    csvField(typeof timestamp === "string" ? timestamp : pyDatetimeString(timestamp)),
  ];
  for (const r of rows) fields.push(num(r.mean), num(r.variance), String(r.count));
  return fields.join(",");
}
