import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startAclRedis } from './helpers/acl-redis.js';
import type { TestRedis } from './helpers/acl-redis.js';

let server: TestRedis;
before(async () => {
  server = await startAclRedis();
});
after(async () => {
  await server.stop();
});

test('the process exits by itself after quit() (no timer or listener keeps it alive)', async () => {
  const fixture = fileURLToPath(new URL('./fixtures/exit-after-quit.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', fixture], {
    env: { ...process.env, TEST_REDIS_PORT: String(server.port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.once('exit', (c, s) => resolve([c, s])),
  );
  clearTimeout(timer);
  assert.equal(signal, null, `the child had to be killed; output: ${output}`);
  assert.equal(code, 0, output);
  assert.equal(output.trim(), 'listeners=0');
});
