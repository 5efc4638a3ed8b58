import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import type { EmulatorSettings } from '../../src/cli/commands/emulator.js';
import { cleanEnv, collect, stopChild, runCli, spawnCli, waitForOutput } from './helpers.js';

/** Parses an env file written by `emulator` (`export K='V'` lines). */
function readEnvFile(path: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const m = /^export ([A-Z_]+)='(.*)'$/.exec(line);
    if (m) vars[m[1] as string] = (m[2] as string).replaceAll("'\\''", "'");
  }
  return vars;
}

function portIsClosed(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

describe('redis-entraid emulator', () => {
  for (const cluster of [false, true]) {
    it(`runs in the foreground${cluster ? ' (--cluster)' : ''}, serves check, stops on Ctrl-C and cleans up`, async () => {
      const child = spawnCli(['emulator', '--json', ...(cluster ? ['--cluster'] : [])]);
      const done = collect(child, 120_000);
      try {
        const line = await waitForOutput(child, (out) => out.includes('\n'), 60_000);
        const settings = JSON.parse(line) as EmulatorSettings;
        assert.ok(settings.redis);
        assert.equal(settings.redis.cluster, cluster);
        assert.equal(settings.redis.nodes.length, cluster ? 3 : 1);
        assert.doesNotMatch(line, /secret-Q8|PRIVATE KEY|eyJ/);
        const secretEnv = readEnvFile(settings.envFiles.servicePrincipalSecret);
        assert.equal(secretEnv['NODE_EXTRA_CA_CERTS'], settings.caCertPath);
        assert.equal(secretEnv['AZURE_AUTHORITY_HOST'], settings.authorityHost);
        for (const file of Object.values(settings.envFiles)) {
          const r = await runCli(
            ['check', '--host', settings.redis.host, '--port', String(settings.redis.port), ...(cluster ? ['--cluster'] : [])],
            cleanEnv(readEnvFile(file)),
          );
          assert.equal(r.code, 0, `${file}\n${r.stdout}\n${r.stderr}`);
          assert.match(r.stdout, new RegExp(`\\nOK: all ${cluster ? 18 : 5} checks passed\\n$`));
        }
        child.kill('SIGINT');
        const result = await done;
        assert.equal(result.code, 0, result.stderr);
        assert.equal(result.stderr, '');
        assert.equal(existsSync(dirname(settings.caCertPath)), false);
        for (const node of settings.redis.nodes) {
          assert.equal(await portIsClosed(Number(node.split(':')[1])), true, `${node} still open`);
        }
        assert.equal(await portIsClosed(Number(new URL(settings.authorityHost).port)), true);
      } finally {
        stopChild(child);
        await done.catch(() => undefined);
      }
    });
  }

  it('prints settings for people, without secrets', async () => {
    const child = spawnCli(['emulator', '--no-redis', '--token-lifetime', '120']);
    const done = collect(child, 60_000);
    try {
      const out = await waitForOutput(child, (o) => o.includes('Ready. Press Ctrl-C to stop.\n'));
      assert.match(out, /^redis-entraid emulator is running\.\n\nEntra ID\n {2}authority host {9}https:\/\/127\.0\.0\.1:\d+\n {2}tenant {17}72f988bf-0000-4000-8000-00000000e1d0\n {2}token lifetime {9}120 s\n/);
      assert.match(out, /\n {2}source \/\S+\/sp-secret\.env +# service principal, client secret\n/);
      assert.doesNotMatch(out, /\nRedis/);
      assert.doesNotMatch(out, /secret-Q8|PRIVATE KEY/);
      child.kill('SIGTERM');
      const r = await done;
      assert.equal(r.code, 0);
      assert.match(r.stdout, /\nSIGTERM received: stopping…\nStopped; temporary files removed\.\n$/);
    } finally {
      stopChild(child);
      await done.catch(() => undefined);
    }
  });

  it('says how to install redis-server when it is missing (exit 3)', async () => {
    // A PATH with node but without redis-server (they may share /usr/bin).
    const bin = mkdtempSync(join(tmpdir(), 'redis-entraid-cli-path-'));
    symlinkSync(process.execPath, join(bin, 'node'));
    let r;
    try {
      r = await runCli(['emulator'], cleanEnv({ PATH: bin }));
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
    assert.equal(r.code, 3);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^redis-entraid emulator: redis-server was not found on PATH\. .*\nInstall it: Debian\/Ubuntu `sudo apt-get install redis-server`/);
  });

  it('rejects a bad option value (exit 2)', async () => {
    const r = await runCli(['emulator', '--token-lifetime', '0']);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, 'redis-entraid emulator: --token-lifetime must be an integer from 1 to 172800, got "0"\nSee redis-entraid emulator --help\n');
  });
});
