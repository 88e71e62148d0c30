/**
 * How every command and script ends. An expected failure (`IscError`: a usage error, a bad file, a
 * missing resource) is one line on stderr and exit code 2; anything else is a bug, and the stack is
 * what a report needs, with exit code 1. Output is flushed before the exit: `process.exit` would
 * otherwise drop what a pipe (`| cat`, `| tee`) had not read yet. A reader that closes the pipe
 * early (`| head`) ends the command quietly.
 */
import { exitCodeFor } from "@isc/core";

/** Runs `main` and exits with the code it returns (0 when it returns nothing) or the one its error calls for. */
export function runMain(name: string, main: () => Promise<number | void> | number | void): void {
  endQuietlyOnClosedPipe();
  Promise.resolve()
    .then(main)
    .then(
      (code) => exitAfterFlush(code ?? 0),
      (e: unknown) => {
        process.stderr.write(`${failureText(name, e)}\n`);
        return exitAfterFlush(exitCodeFor(e));
      },
    );
}

/** The line (or, for a bug, the stack) a command prints for an error. */
export function failureText(name: string, e: unknown): string {
  const err = e instanceof Error ? e : new Error(String(e));
  return exitCodeFor(e) === 2 ? `${name}: ${err.message.split("\n")[0]}` : `${name}: ${err.stack ?? err.message}`;
}

/** Exits once everything written to stdout and stderr has reached the OS: an empty write's callback runs after every earlier write. */
async function exitAfterFlush(code: number): Promise<never> {
  const flushed = (s: NodeJS.WriteStream) => new Promise<void>((resolve) => (s.writableLength === 0 || s.destroyed ? resolve() : s.write("", () => resolve())));
  await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
  process.exit(code);
}

/** `scrub list | head`: the reader has gone, so there is nothing left to say and nothing went wrong. */
function endQuietlyOnClosedPipe(): void {
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code !== "EPIPE") throw e;
    process.exit(0);
  });
}
