/**
 * How every command and script ends. An expected failure (`IscError`: a usage error, a bad file, a
 * missing resource) is one line on stderr and exit code 2; anything else is a bug, and the stack is
 * what a report needs, with exit code 1.
 */
import { exitCodeFor } from "@isc/core";

/** Runs `main` and exits with the code it returns (0 when it returns nothing) or the one its error calls for. */
export function runMain(name: string, main: () => Promise<number | void> | number | void): void {
  Promise.resolve()
    .then(main)
    .then(
      (code) => process.exit(code ?? 0),
      (e: unknown) => {
        process.stderr.write(`${failureText(name, e)}\n`);
        process.exit(exitCodeFor(e));
      },
    );
}

/** The line (or, for a bug, the stack) a command prints for an error. */
export function failureText(name: string, e: unknown): string {
  const err = e instanceof Error ? e : new Error(String(e));
  return exitCodeFor(e) === 2 ? `${name}: ${err.message.split("\n")[0]}` : `${name}: ${err.stack ?? err.message}`;
}
