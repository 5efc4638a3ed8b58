// The suite fails on any unhandled rejection or uncaught exception: a child test run, started the way
// scripts/test.ts starts the suite, must fail on fixtures that leak one and pass on a clean fixture.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';

const ROOT = resolve(import.meta.dirname, '..', '..');
const FIXTURES = 'test/reliability/fixtures';

interface Run {
  readonly code: number | null;
  readonly output: string;
}

/** The environment of a top-level run: without the runner's marker, which would make the child a test file. */
function topLevelEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  if (!('NODE_TEST_CONTEXT' in extra)) delete env['NODE_TEST_CONTEXT'];
  return env;
}

function run(args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<Run> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--import', './test/helpers/hygiene.ts', ...args], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`child run did not finish within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, output });
    });
  });
}

const testRun = (fixture: string): Promise<Run> => run(['--test', `${FIXTURES}/${fixture}`], topLevelEnv());

describe('hygiene: unhandled errors fail the suite', () => {
  it('control: a clean file passes', async () => {
    const result = await testRun('clean.fixture.ts');
    assert.equal(result.code, 0, result.output);
    assert.match(result.output, /^# fail 0$/m);
    assert.doesNotMatch(result.output, /\[hygiene\]/);
  });

  const leaking = [
    { fixture: 'leak-rejection-in-test.fixture.ts', error: 'fixture: leaked rejection' },
    { fixture: 'leak-after-tests.fixture.ts', error: 'fixture: late rejection' },
    { fixture: 'throw-after-test.fixture.ts', error: 'fixture: late uncaught exception' },
  ];
  for (const { fixture, error } of leaking) {
    it(`${fixture} fails the run and names the error`, async () => {
      const result = await testRun(fixture);
      assert.equal(result.code, 1, result.output);
      assert.match(result.output, /^# fail 1$/m);
      assert.ok(result.output.includes(error), result.output);
    });
  }

  it('the preloaded hook fails a test process even when the file swallows rejections itself', async () => {
    // Run the fixture as the runner runs a test file (NODE_TEST_CONTEXT set), without the runner around it.
    const result = await run([`${FIXTURES}/masked-rejection.fixture.ts`], topLevelEnv({ NODE_TEST_CONTEXT: 'child' }));
    assert.equal(result.code, 1, result.output);
    assert.match(result.output, /\[hygiene\] 1 unhandled error\(s\)/);
    assert.match(result.output, /\[hygiene\] unhandledRejection: Error: fixture: masked rejection/);
  });

  it('the hook stays out of processes that are not test files', async () => {
    const result = await run([`${FIXTURES}/masked-rejection.fixture.ts`], topLevelEnv());
    assert.equal(result.code, 0, result.output);
    assert.equal(result.output, '');
  });
});
