// A process using the real pieces (emulator, msal-node provider, bound ioredis client) exits by itself after
// quit() and provider.close(): the adapter leaves no timer or listener behind.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

test('the process exits by itself after quit() and provider.close()', async () => {
  const fixture = fileURLToPath(new URL('./fixtures/exit-after-close.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', fixture], { env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once('exit', (c, s) => resolve([c, s])));
  clearTimeout(timer);
  assert.equal(signal, null, `the child had to be killed; output: ${output}`);
  assert.equal(code, 0, output);
  assert.equal(output.trim(), 'subscribers=0 tokens>=2');
});
