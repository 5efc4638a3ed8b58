// One child process runs the whole flow (see fixtures/full-flow.fixture.ts) with NODE_DEBUG on for the
// library: no secret value (client secret, certificate keys, any issued token, any client assertion the
// emulator received, whole or its signature) may appear in anything it
// printed — events, errors, util.inspect and JSON of public objects, diagnostics-channel messages, debug
// output — and once everything is closed the process must exit on its own within a second.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';

const ROOT = resolve(import.meta.dirname, '..', '..');

interface Secrets {
  readonly clientSecret: string;
  readonly certificateKey: string;
  readonly tokens: readonly string[];
  /** Every `client_assertion` the emulator's token endpoint received (certificate principal, good and rejected). */
  readonly clientAssertions: readonly string[];
  /** Key of the certificate the emulator rejects. */
  readonly intruderKey: string;
}

/** The key's base64 body, line by line: a partial dump is a leak too. */
const keyLines = (pem: string): string[] => pem.split('\n').filter((line) => line.length > 40 && !line.startsWith('-----'));

describe('full flow in a child process', () => {
  it('prints no secret anywhere and exits on its own within a second of close()', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'redis-entraid-flow-'));
    const secretsFile = join(dir, 'secrets.json');
    try {
      const env: NodeJS.ProcessEnv = { ...process.env, NODE_DEBUG: 'redis-entraid,redis-entraid:msal,redis-entraid:ioredis', SECRETS_FILE: secretsFile };
      delete env['NODE_TEST_CONTEXT'];
      const child = spawn(process.execPath, ['--import', 'tsx', 'test/security/fixtures/full-flow.fixture.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
      const { code, exitedAt } = await new Promise<{ code: number | null; exitedAt: number }>((resolvePromise, reject) => {
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
          reject(new Error(`the flow did not exit within 90 s\nstdout tail:\n${stdout.slice(-2000)}\nstderr tail:\n${stderr.slice(-2000)}`));
        }, 90_000);
        child.on('error', reject);
        child.on('exit', (exitCode) => {
          clearTimeout(timer);
          resolvePromise({ code: exitCode, exitedAt: Date.now() });
        });
      });
      assert.equal(code, 0, `exit code ${String(code)}\n${stderr.slice(-3000)}`);
      const closedAt = Number(/^CLOSED (\d+)$/m.exec(stdout)?.[1]);
      assert.ok(Number.isFinite(closedAt), 'the flow did not reach CLOSED');
      assert.ok(exitedAt - closedAt < 1_000, `exited ${exitedAt - closedAt} ms after close(): a handle was left open`);

      const secrets = JSON.parse(readFileSync(secretsFile, 'utf8')) as Secrets;
      assert.ok(secrets.tokens.length >= 4, `only ${secrets.tokens.length} tokens captured`);
      // The certificate provider's first token and two renewals, the rejected certificate, three faulted requests.
      assert.ok(secrets.clientAssertions.length >= 7, `only ${secrets.clientAssertions.length} client assertions captured`);
      for (const assertion of secrets.clientAssertions) assert.match(assertion, /^eyJ[\w-]+\.eyJ[\w-]+\.[\w-]{40,}$/);
      // The capture really covered the flow: events, channels, debug output, objects.
      for (const expected of ['tokenRenewed', 'renewalFailed', 'channel redis-entraid:token-renewed', 'channel redis-entraid:renewal-failed', 'EntraIdCredentialsProvider {', 'AccessToken {', 'config error', 'rejected certificate error', 'AADSTS700027', 'fault reset): TokenRequestError', 'code network_error', 'code token_parsing_error', 'AADSTS50196']) {
        assert.ok(stdout.includes(expected), `nothing captured for ${expected}`);
      }
      assert.match(stderr, /REDIS-ENTRAID \d+: /);
      const output = `${stdout}\n${stderr}`;
      const values: [string, string][] = [
        ['client secret', secrets.clientSecret],
        ...keyLines(secrets.certificateKey).map((line): [string, string] => ['certificate key line', line]),
        ...keyLines(secrets.intruderKey).map((line): [string, string] => ['rejected certificate key line', line]),
        ...secrets.tokens.map((token): [string, string] => ['token', token]),
        // A token's signature alone is enough to matter.
        ...secrets.tokens.map((token): [string, string] => ['token signature', token.split('.')[2] ?? token]),
        // Client assertions travel only in token request bodies: whole, and the signature that makes one usable.
        ...secrets.clientAssertions.map((assertion, i): [string, string] => [`client assertion #${i + 1}`, assertion]),
        ...secrets.clientAssertions.map((assertion, i): [string, string] => [`client assertion #${i + 1} signature`, assertion.split('.')[2] ?? assertion]),
      ];
      for (const [what, value] of values) {
        assert.ok(value.length >= 16, `${what} too short to grep`);
        const at = output.indexOf(value);
        assert.equal(at, -1, `${what} found in the output: …${output.slice(Math.max(0, at - 200), at)}[here]`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
