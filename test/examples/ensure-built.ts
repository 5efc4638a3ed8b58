// The examples import 'redis-entraid' by name, as users do. Inside this repository Node resolves that name to
// the package itself ("self-reference" through package.json `exports`), i.e. to `dist/`: the examples run (and
// type-check) against the built package. `.ci/run` builds before it tests; locally, `ensureBuilt()` rebuilds when
// `dist/` is missing or older than `src/`, so a test never runs stale code and never skips.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const repoRoot = resolve(import.meta.dirname, '..', '..');

const OUTPUTS = [
  'dist/index.js',
  'dist/index.cjs',
  'dist/index.d.ts',
  'dist/index.d.cts',
  'dist/ioredis/index.js',
  'dist/ioredis/index.cjs',
  'dist/emulator/index.js',
  'dist/emulator/index.cjs',
  'dist/cli/main.js',
];
const LOCK = join(repoRoot, '.tmp', 'build.lock');
const LOCK_STALE_MS = 180_000;

function newestMtimeMs(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((newest, name) => Math.max(newest, newestMtimeMs(join(path, name))), 0);
}

/** Why `dist/` must be rebuilt, or undefined when it is complete and newer than every input. */
export function staleReason(): string | undefined {
  const missing = OUTPUTS.filter((file) => !existsSync(join(repoRoot, file)));
  if (missing.length > 0) return `missing ${missing.join(', ')}`;
  const oldestOutput = Math.min(...OUTPUTS.map((file) => statSync(join(repoRoot, file)).mtimeMs));
  const newestInput = Math.max(
    newestMtimeMs(join(repoRoot, 'src')),
    newestMtimeMs(join(repoRoot, 'tsup.config.ts')),
    newestMtimeMs(join(repoRoot, 'package.json')),
  );
  return newestInput > oldestOutput ? 'src/ changed after the last build' : undefined;
}

function run(command: string, args: readonly string[]): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolvePromise(output) : reject(new Error(`${command} ${args.join(' ')} exited with ${code}:\n${output}`)),
    );
  });
}

/**
 * Builds `dist/` (tsup, as `npm run build`) when it is missing or stale. Test files running in parallel share
 * one build: a lock directory in `.tmp/` lets one build while the others wait, then re-check.
 *
 * @returns what was done, for the test's diagnostics.
 */
export async function ensureBuilt(): Promise<string> {
  const deadline = Date.now() + LOCK_STALE_MS;
  for (;;) {
    const reason = staleReason();
    if (reason === undefined) return 'dist/ is up to date';
    mkdirSync(join(repoRoot, '.tmp'), { recursive: true });
    try {
      mkdirSync(LOCK);
    } catch {
      const lock = statSync(LOCK, { throwIfNoEntry: false });
      if (lock !== undefined && Date.now() - lock.mtimeMs > LOCK_STALE_MS) rmSync(LOCK, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`timed out waiting for another build (lock ${LOCK})`);
      await sleep(250);
      continue;
    }
    try {
      if (staleReason() === undefined) return 'dist/ was built by another test file';
      await run(process.execPath, [join(repoRoot, 'node_modules', 'tsup', 'dist', 'cli-default.js')]);
      return `built dist/ (${reason})`;
    } finally {
      rmSync(LOCK, { recursive: true, force: true });
    }
  }
}
