/**
 * The process-facing side of a command: where it writes, what environment it reads, whether it talks to a
 * terminal. Commands receive it instead of reaching for `process` so the wiring stays in one place.
 *
 * @module
 */

/** Output streams, environment and terminal facts a command runs with. */
export interface CliIo {
  /** Writes to standard output. */
  out(text: string): void;
  /** Writes to standard error. */
  err(text: string): void;
  /** The environment variables. */
  readonly env: NodeJS.ProcessEnv;
  /** True when standard output is a terminal (the live view is used then). */
  readonly stdoutIsTty: boolean;
  /** Terminal width in columns, when standard output is a terminal. */
  readonly columns: number | undefined;
  /** True when colors may be used (a terminal and `NO_COLOR` unset). */
  readonly color: boolean;
}

/** The {@link CliIo} of this process. */
export function processIo(): CliIo {
  const tty = process.stdout.isTTY === true;
  return {
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
    env: process.env,
    stdoutIsTty: tty,
    get columns() {
      // A pseudo-terminal may report 0 columns (e.g. `script`); COLUMNS then, else undefined.
      const env = Number(process.env['COLUMNS']);
      return tty ? process.stdout.columns || (Number.isInteger(env) && env > 0 ? env : undefined) : undefined;
    },
    color: tty && process.env['NO_COLOR'] === undefined,
  };
}

/** Exit codes of every command (documented in `--help` and docs/cli.md). */
export const ExitCode = Object.freeze({
  /** Everything worked (demo: no command failed; check: every step passed). */
  OK: 0,
  /** A check failed, a token could not be acquired, or a demo command failed. */
  FAILURE: 1,
  /** The command line was wrong (unknown option, missing value). */
  USAGE: 2,
  /** A prerequisite is missing: `redis-server`, or the optional `redis` / `ioredis` package. */
  MISSING_PREREQUISITE: 3,
});
