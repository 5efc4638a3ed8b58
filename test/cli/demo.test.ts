/* eslint-disable no-control-regex -- these tests match the ANSI escape sequences of the live view */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { cleanEnv, collect, stopChild, ROOT, runCli, spawnCli, waitForOutput } from './helpers.js';

/** A TMPDIR owned by one test: every temp file the demo creates (CA, redis-server dirs) lands there. */
function privateTmp(): string {
  return mkdtempSync(join(tmpdir(), 'redis-entraid-demo-test-'));
}

/** What the demo left in its TMPDIR (tsx's own compile cache, `tsx-*`, is not the demo's). */
function leftovers(tmp: string): string[] {
  return readdirSync(tmp).filter((name) => !name.startsWith('tsx-'));
}

const tmps: string[] = [];
after(() => {
  for (const dir of tmps) rmSync(dir, { recursive: true, force: true });
});

function demoEnv(): { env: NodeJS.ProcessEnv; tmp: string } {
  const tmp = privateTmp();
  tmps.push(tmp);
  // No NODE_EXTRA_CA_CERTS of the test runner: the demo must arrange trust of its own CA by itself.
  const env = cleanEnv({ TMPDIR: tmp });
  delete env['NODE_EXTRA_CA_CERTS'];
  return { env, tmp };
}

const SUMMARY_OK = (renewals: number): RegExp =>
  new RegExp(`\\nOK: every command succeeded across ${renewals} token renewal\\(s\\); token of oid a\\w{7}…\\w{4} kept every connection authenticated\\.\\n$`);

describe('redis-entraid demo', () => {
  it('runs with no arguments but --renewals, prints plain lines when piped, cleans up and exits 0', async () => {
    const { env, tmp } = demoEnv();
    const r = await runCli(['demo', '--renewals', '2'], env, 90_000);
    assert.equal(r.stderr, '');
    assert.equal(r.code, 0, r.stdout);
    const lines = r.stdout.split('\n');
    assert.match(lines[0] ?? '', /^redis-entraid demo: service principal \(client secret\), node-redis, 2 connection\(s\), 5 s tokens, 127\.0\.0\.1:\d+ \(TLS, Entra ID gate\)$/);
    assert.match(r.stdout, /\n +\+\d+\.\ds {2}emulator ready: Entra ID at https:\/\/127\.0\.0\.1:\d+, Redis \(TLS gate\) at 127\.0\.0\.1:\d+\n/);
    assert.match(r.stdout, /\n +\+\d+\.\ds {2}token #1 issued for oid a1111111-1111-4111-8111-0000000000a1: expires in \d\.\ds, next renewal in \d\.\ds\n/);
    for (const n of [2, 3]) {
      assert.match(r.stdout, new RegExp(`\\n +\\+\\d+\\.\\ds {2}token #${n} renewed: expires in \\d\\.\\ds, next renewal in \\d\\.\\ds\\n`));
      for (const c of [1, 2]) assert.match(r.stdout, new RegExp(`\\n +\\+\\d+\\.\\ds {2}connection #${c} re-AUTH with token #${n} ✓\\n`));
    }
    assert.doesNotMatch(r.stdout, /token #4/);
    assert.match(r.stdout, /\n {2}tokens {13}3 issued \(1 initial \+ 2 renewals\), lifetime 5 s\n/);
    assert.match(r.stdout, /\n {2}AUTHs {14}4 re-AUTHs after the first AUTH; accepted per connection: #1: 3, #2: 3; refused 0\n/);
    assert.match(r.stdout, /\n {2}expiry closures {4}0\n {2}commands {11}[1-9]\d* ok, 0 failed\n/);
    assert.match(r.stdout, SUMMARY_OK(2));
    assert.doesNotMatch(r.stdout, /eyJ|secret-Q8|\u001b/);
    assert.deepEqual(leftovers(tmp), [], 'every temporary file is removed');
  });

  it('drives ioredis with a managed identity', async () => {
    const { env, tmp } = demoEnv();
    const r = await runCli(['demo', '--client', 'ioredis', '--identity', 'managed', '--renewals', '1', '--connections', '3'], env, 90_000);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^redis-entraid demo: system-assigned managed identity, ioredis, 3 connection\(s\)/);
    assert.match(r.stdout, /token #1 issued for oid a3333333-3333-4333-8333-0000000000a3/);
    for (const c of [1, 2, 3]) assert.match(r.stdout, new RegExp(`connection #${c} re-AUTH with token #2 ✓`));
    assert.match(r.stdout, SUMMARY_OK(1));
    assert.deepEqual(leftovers(tmp), []);
  });

  it('shows a live view on a pseudo-terminal', async (t) => {
    if (spawnSync('script', ['--version']).error) {
      t.skip('script (util-linux) is not installed');
      return;
    }
    const { env, tmp } = demoEnv();
    const command = `${JSON.stringify(process.execPath)} --import tsx src/cli/main.ts demo --renewals 1 --identity certificate`;
    const child = spawn('script', ['-qfec', command, '/dev/null'], { cwd: ROOT, env: { ...env, COLUMNS: '120' }, stdio: ['pipe', 'pipe', 'pipe'] });
    const r = await collect(child, 90_000);
    assert.equal(r.code, 0, r.stdout);
    const out = r.stdout.replaceAll('\r\n', '\n');
    assert.ok(out.startsWith('\u001b[?25l'), 'hides the cursor first');
    assert.match(out, /\r\u001b\[\d+A\u001b\[2K\u001b\[1mredis-entraid demo\u001b\[22m {2}node-redis ×2 → 127\.0\.0\.1:\d+/, 'redraws in place');
    assert.match(out, /\u001b\[2Ktoken #2 {2}oid a2222222…00a2 {2}expires in \u001b\[1m\d\.\ds\u001b\[22m {2}[█░]{10} {2}next renewal in \u001b\[36m\d\.\ds\u001b\[39m\n/);
    assert.match(out, /\u001b\[2Krenewals 1\/1 {3}commands \d+ ok, \u001b\[32m0 failed\u001b\[39m {3}re-AUTHs 2 {3}expiry closures 0\n/);
    assert.match(out, /\u001b\[\?25h\n\u001b\[1mSummary\u001b\[22m \(/, 'shows the cursor again before the summary');
    assert.match(out, /\n\u001b\[32mOK\u001b\[39m: every command succeeded across 1 token renewal\(s\)/);
    assert.deepEqual(leftovers(tmp), []);
  });

  it('ends on Ctrl-C with a summary, cleans up and exits 0', async () => {
    const { env, tmp } = demoEnv();
    const child = spawnCli(['demo', '--renewals', '100'], env);
    const done = collect(child, 90_000);
    try {
      await waitForOutput(child, (out) => /token #2 renewed/.test(out), 60_000);
      child.kill('SIGINT');
      const r = await done;
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /\nSummary \(\d+\.\d s, ended by Ctrl-C\)\n/);
      assert.match(r.stdout, /\n {2}commands {11}[1-9]\d* ok, 0 failed\n/);
      assert.match(r.stdout, /\nOK: every command succeeded across \d+ token renewal\(s\)/);
      assert.deepEqual(leftovers(tmp), []);
    } finally {
      stopChild(child);
      await done.catch(() => undefined);
    }
  });

  it('says how to install redis-server when it is missing (exit 3)', async () => {
    const bin = mkdtempSync(join(tmpdir(), 'redis-entraid-cli-path-'));
    tmps.push(bin);
    symlinkSync(process.execPath, join(bin, 'node'));
    const r = await runCli(['demo'], cleanEnv({ PATH: bin }));
    assert.equal(r.code, 3);
    assert.equal(r.stdout, '');
    assert.equal(
      r.stderr,
      'redis-entraid demo: redis-server was not found on PATH. The emulator runs a real Redis behind its Entra ID gate.\n' +
        'Install it: Debian/Ubuntu `sudo apt-get install redis-server`, Fedora `sudo dnf install redis`, macOS `brew install redis`; ' +
        'or put the redis-server binary on PATH.\n',
    );
  });

  it('rejects unknown choices (exit 2) and documents its options', async () => {
    const r = await runCli(['demo', '--client', 'jedis']);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, 'redis-entraid demo: --client must be one of node-redis, ioredis, got "jedis"\nSee redis-entraid demo --help\n');
    const help = await runCli(['demo', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: redis-entraid demo \[options\]\n/);
    assert.match(help.stdout, /\n {2}--identity <kind> {10}secret \(default\) \| certificate \| managed \| default/);
  });

  it('runs from the built CLI (dist/cli/main.js), as `npm run demo` does', async (t) => {
    const built = join(ROOT, 'dist', 'cli', 'main.js');
    if (!existsSync(built)) {
      t.skip('dist/cli/main.js is not built (npm run build)');
      return;
    }
    const { env, tmp } = demoEnv();
    const r = await collect(spawn(process.execPath, [built, 'demo', '--renewals', '1'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] }), 90_000);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, SUMMARY_OK(1));
    assert.deepEqual(leftovers(tmp), []);
  });
});
