/**
 * One family for every failure the toolkit expects. A command exits 2 with one line for any
 * `IscError` (the user can fix it) and 1 with the stack for anything else (a bug). Each class
 * names itself explicitly: bundlers rename classes, and the playground reads `name` across workers.
 */

/** The base of every expected failure. */
export class IscError extends Error {
  override name = "IscError";
}

/** A command line, option or argument the user gave is wrong. */
export class UsageError extends IscError {
  override name = "UsageError";
}

/** A file or its contents are malformed or do not fit the model (weights, config, rows, tokenizer). */
export class FormatError extends IscError {
  override name = "FormatError";
}

/** A hypothesis, correspondence, hook or model modification cannot be built or does not fit. */
export class HypothesisError extends IscError {
  override name = "HypothesisError";
}

/** Something the run needs is missing or out of reach: a file, a backend, memory, a network source. */
export class ResourceError extends IscError {
  override name = "ResourceError";
}

/** The exit code a command should end with for this error: 2 for expected failures, 1 for bugs. */
export function exitCodeFor(e: unknown): 1 | 2 {
  return e instanceof IscError ? 2 : 1;
}
