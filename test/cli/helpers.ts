import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

/** The repository root. */
export const ROOT = resolve(import.meta.dirname, '..', '..');

/** What a finished CLI process produced. */
export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** This process's environment without any Azure / managed identity variables (so the host cannot leak in). */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(AZURE_|IDENTITY_|MSI_|IMDS_|REDIS_HOST|REDIS_PORT|NO_COLOR|FORCE_COLOR)/.test(k)) continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}

/** Spawns `node --import tsx src/cli/main.ts ...args`, as a user would run the command. */
export function spawnCli(args: readonly string[], env: NodeJS.ProcessEnv = cleanEnv()): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Collects a child's output until it exits; kills it (and fails) after `timeoutMs`. */
export function collect(child: ChildProcess, timeoutMs = 60_000): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    const timer = setTimeout(() => {
      stopChild(child);
      reject(new Error(`the CLI did not exit within ${timeoutMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr });
    });
  });
}

/** Runs the CLI to completion. */
export function runCli(args: readonly string[], env?: NodeJS.ProcessEnv, timeoutMs?: number): Promise<CliResult> {
  return collect(spawnCli(args, env), timeoutMs);
}

/** Resolves when `predicate(output so far)` holds for the child's stdout; rejects after `timeoutMs`. */
export function waitForOutput(child: ChildProcess, predicate: (stdout: string) => boolean, timeoutMs = 60_000): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    let stdout = '';
    const onData = (d: Buffer): void => {
      stdout += d.toString('utf8');
      if (predicate(stdout)) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        resolvePromise(stdout);
      }
    };
    const timer = setTimeout(() => {
      child.stdout?.off('data', onData);
      reject(new Error(`expected output did not appear within ${timeoutMs} ms; got:\n${stdout}`));
    }, timeoutMs);
    child.stdout?.on('data', onData);
  });
}

/**
 * Stops a CLI process: SIGTERM first, so it stops the redis-server processes it started (a SIGKILL would
 * orphan them), then SIGKILL if it is still there after `graceMs`.
 */
export function stopChild(child: ChildProcess, graceMs = 5000): void {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  setTimeout(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }, graceMs).unref();
}
