import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './ensure-built.js';

export interface ExampleResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  // This file runs under node:test; a nested `node --test` would otherwise report to our runner, not to stdout.
  delete env['NODE_TEST_CONTEXT'];
  return env;
}

/**
 * Runs `node --import tsx <args>` in the repository root, as a user would run an example, with `env` added to this
 * process's environment (which carries NODE_EXTRA_CA_CERTS = the test CA, so TLS to the emulator is trusted).
 * Asynchronous on purpose: the emulator lives in this process and must keep answering. Killed after `timeoutMs`.
 */
export function runExample(args: readonly string[], env: Record<string, string>, timeoutMs = 60_000): Promise<ExampleResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ...args.map((a) => (a.startsWith('examples/') ? join(repoRoot, a) : a))], {
      cwd: repoRoot,
      env: childEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** A readable failure message: exit status and both streams. */
export function describeRun(result: ExampleResult): string {
  return `exit ${result.code ?? result.signal}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`;
}
