/**
 * Suite-wide hygiene hook, preloaded into every test process by `scripts/test.ts` (`--import`).
 *
 * Node 20's test runner already fails a file on an unhandled rejection or an uncaught exception (even one
 * raised after its tests ended); this hook makes that independent of the runner's version and of a test file
 * installing its own `unhandledRejection` listener: it records every such event and, when the process exits,
 * prints what it saw to stderr and forces a non-zero exit code, so the file is reported as failed.
 *
 * It only arms itself in test-file processes (`NODE_TEST_CONTEXT` is set by the runner), never in the runner
 * itself or in scripts, and observes exceptions through `uncaughtExceptionMonitor`, which changes nothing
 * about how Node handles them.
 */
import { inspect } from 'node:util';

/** What the hook recorded in this process. */
export interface HygieneRecord {
  readonly event: 'unhandledRejection' | 'uncaughtException';
  readonly description: string;
}

const recorded: HygieneRecord[] = [];

function describe(value: unknown): string {
  return value instanceof Error ? (value.stack ?? `${value.name}: ${value.message}`) : inspect(value, { depth: 2 });
}

/** The events recorded so far (for tests of the hook itself). */
export function hygieneRecords(): readonly HygieneRecord[] {
  return recorded;
}

if (process.env['NODE_TEST_CONTEXT'] !== undefined) {
  process.on('unhandledRejection', (reason: unknown) => {
    recorded.push({ event: 'unhandledRejection', description: describe(reason) });
  });
  process.on('uncaughtExceptionMonitor', (error: Error, origin: string) => {
    // The runner reports rejections through this monitor too when it rethrows them; count each once.
    if (origin === 'unhandledRejection') return;
    recorded.push({ event: 'uncaughtException', description: describe(error) });
  });
  process.on('exit', () => {
    if (recorded.length === 0) return;
    process.stderr.write(
      `\n[hygiene] ${recorded.length} unhandled error(s) in ${process.argv[1] ?? 'this test file'}:\n` +
        recorded.map((r) => `[hygiene] ${r.event}: ${r.description}`).join('\n') +
        '\n',
    );
    process.exitCode = 1;
  });
}
