/** A closed-loop load generator: `concurrency` workers each sending one command at a time. */
import { performance } from 'node:perf_hooks';

export interface LoadResult {
  readonly ops: number;
  readonly failed: number;
  readonly opsPerSecond: number;
  /** Latency of each successful command, in ms. */
  readonly latenciesMs: number[];
}

/** A command not answered within this many ms counts as failed (a client stuck reconnecting never answers). */
export const COMMAND_TIMEOUT_MS = 5_000;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Runs `command(i)` from `concurrency` workers for `durationMs`. */
export async function closedLoop(command: (i: number) => Promise<unknown>, concurrency: number, durationMs: number): Promise<LoadResult> {
  const latenciesMs: number[] = [];
  let failed = 0;
  let counter = 0;
  const start = performance.now();
  const end = start + durationMs;
  const worker = async (): Promise<void> => {
    while (performance.now() < end) {
      const t0 = performance.now();
      try {
        await withTimeout(command(counter++), COMMAND_TIMEOUT_MS);
        latenciesMs.push(performance.now() - t0);
      } catch {
        failed++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = performance.now() - start;
  return { ops: latenciesMs.length, failed, opsPerSecond: (latenciesMs.length / elapsed) * 1000, latenciesMs };
}
