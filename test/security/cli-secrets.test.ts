// The CLI's output (stdout and stderr, with NODE_DEBUG on for the library) never holds the client secret, a
// certificate key line, an issued token or a client assertion. Tokens are captured separately with `token --raw`
// (the one output meant to print a token) and searched for, whole and by signature, in every other output; the
// client assertions the certificate runs sent are read back from the emulator and searched for the same way.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createSelfSignedCertificate, startEmulator, type Emulator } from '../../src/emulator/index.js';
import { DEFAULT_SECRET_PRINCIPAL } from '../../src/emulator/idp/constants.js';
import { cleanEnv, collect, runCli, spawnCli, stopChild, waitForOutput, type CliResult } from '../cli/helpers.js';
import { testCertificateAuthority } from '../helpers/test-ca.js';

const DEBUG = 'redis-entraid,redis-entraid:msal,redis-entraid:ioredis';
const JWT = /eyJ[\w-]{4,}\.[\w-]{4,}\./;

interface Secrets {
  readonly secret: string;
  readonly keyLines: readonly string[];
  readonly tokens: string[];
  /** Client assertions the emulator received (certificate runs). */
  readonly assertions: readonly string[];
}

/** Every secret value found in `text`, described without quoting it. */
function leaks(text: string, secrets: Secrets): string[] {
  const found: string[] = [];
  if (text.includes(secrets.secret)) found.push('client secret');
  if (secrets.keyLines.some((line) => text.includes(line)) || text.includes('PRIVATE KEY')) found.push('certificate key');
  secrets.tokens.forEach((token, i) => {
    if (text.includes(token) || text.includes(token.split('.')[2] ?? token)) found.push(`token #${i + 1}`);
  });
  secrets.assertions.forEach((assertion, i) => {
    if (text.includes(assertion) || text.includes(assertion.split('.')[2] ?? assertion)) found.push(`client assertion #${i + 1}`);
  });
  if (JWT.test(text)) found.push('a JWT');
  return found;
}

function assertClean(label: string, r: CliResult, secrets: Secrets): void {
  assert.deepEqual(leaks(r.stdout, secrets), [], `${label}: stdout`);
  assert.deepEqual(leaks(r.stderr, secrets), [], `${label}: stderr`);
}

async function rawTokenRun(env: NodeJS.ProcessEnv): Promise<{ token: string; result: CliResult }> {
  const result = await runCli(['token', '--raw'], env, 60_000);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^eyJ[\w-]+\.[\w-]+\.[\w-]+\n$/);
  return { token: result.stdout.trimEnd(), result };
}

async function rawToken(env: NodeJS.ProcessEnv): Promise<string> {
  return (await rawTokenRun(env)).token;
}

function keyLinesOf(pemPath: string): string[] {
  const pem = readFileSync(pemPath, 'utf8');
  const key = /-----BEGIN PRIVATE KEY-----([\s\S]+?)-----END PRIVATE KEY-----/.exec(pem)?.[1] ?? '';
  const lines = key.split('\n').map((l) => l.trim()).filter((l) => l.length >= 32);
  assert.ok(lines.length >= 5, 'no key lines found');
  return lines;
}

describe('CLI output holds no secret', () => {
  let emulator: Emulator;
  let secretEnv: NodeJS.ProcessEnv;
  let certEnv: NodeJS.ProcessEnv;
  let secrets: Secrets;

  before(async () => {
    emulator = await startEmulator({ ca: testCertificateAuthority(), tokenLifetimeSeconds: 900 });
    secretEnv = cleanEnv({ ...emulator.identity.env.servicePrincipalSecret(), NODE_DEBUG: DEBUG });
    const certVars = emulator.identity.env.servicePrincipalCertificate();
    certEnv = cleanEnv({ ...certVars, NODE_DEBUG: DEBUG });
    secrets = { secret: DEFAULT_SECRET_PRINCIPAL.clientSecret, keyLines: keyLinesOf(certVars['AZURE_CLIENT_CERTIFICATE_PATH'] ?? ''), tokens: [], assertions: [] };
    assert.equal(secretEnv['AZURE_CLIENT_SECRET'], secrets.secret);
  });
  after(async () => {
    await emulator?.close();
  });

  it('token (text, --json) and check (text, --json, failing ones): no secret, key, issued token or client assertion', async () => {
    const certRaw = await rawTokenRun(certEnv);
    secrets.tokens.push(await rawToken(secretEnv), certRaw.token);
    const before = emulator.identity.stats().tokensIssued;
    // A certificate the emulator does not know: its assertion is rejected, and the error path must not quote it.
    const tmp = mkdtempSync(join(tmpdir(), 'redis-entraid-cli-intruder-'));
    const intruder = createSelfSignedCertificate('intruder');
    const intruderPath = join(tmp, 'intruder.pem');
    writeFileSync(intruderPath, `${intruder.certPem}\n${intruder.keyPem}`, { mode: 0o600 });
    const intruderKeyLines = keyLinesOf(intruderPath);
    const redis = emulator.redis;
    assert.ok(redis);
    const target = ['--host', '127.0.0.1', '--port', String(redis.port)];
    const runs: [string, readonly string[], NodeJS.ProcessEnv, number][] = [
      ['token (secret)', ['token'], secretEnv, 0],
      ['token --json (certificate)', ['token', '--json', '--identity', 'certificate'], certEnv, 0],
      ['check (secret)', ['check', ...target], secretEnv, 0],
      ['check --json (certificate)', ['check', ...target, '--json', '--identity', 'certificate'], certEnv, 0],
      // A rejected secret: the error path must not quote it either.
      ['check (wrong secret)', ['check', ...target], { ...secretEnv, AZURE_CLIENT_SECRET: `${secrets.secret}-wrong` }, 1],
      ['check (unknown certificate)', ['check', ...target, '--identity', 'certificate'], { ...certEnv, AZURE_CLIENT_CERTIFICATE_PATH: intruderPath }, 1],
    ];
    const results: [string, CliResult][] = [['token --raw (certificate), stderr only', { ...certRaw.result, stdout: '' }]];
    try {
      for (const [label, args, env, code] of runs) {
        const r = await runCli(args, env, 90_000);
        assert.equal(r.code, code, `${label}\n${r.stdout}\n${r.stderr}`);
        results.push([label, r]);
      }
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
    // The runs really obtained tokens and sent assertions: there was something to leak.
    assert.equal(emulator.identity.stats().tokensIssued - before, 4);
    // token --raw, token --json, check --json (certificate) and the unknown certificate: at least 4 assertions.
    const assertions = emulator.identity.receivedClientAssertions();
    assert.ok(assertions.length >= 4, `only ${assertions.length} client assertions received`);
    const withAssertions: Secrets = { ...secrets, keyLines: [...secrets.keyLines, ...intruderKeyLines], assertions };
    for (const [label, r] of results) assertClean(label, r, withAssertions);
  });

  it('the scan finds a leak when there is one (so the checks above can fail)', () => {
    const [token] = secrets.tokens;
    assert.ok(token !== undefined);
    assert.deepEqual(leaks(`x ${secrets.secret} y`, secrets), ['client secret']);
    assert.deepEqual(leaks(`sig=${token.split('.')[2] ?? ''}`, secrets), ['token #1']);
    assert.deepEqual(leaks(`Bearer ${token}`, secrets), ['token #1', 'a JWT']);
    assert.deepEqual(leaks(`${secrets.keyLines[2] ?? ''}`, secrets), ['certificate key']);
    const [assertion] = emulator.identity.receivedClientAssertions();
    assert.ok(assertion !== undefined, 'no client assertion received');
    const withAssertion: Secrets = { ...secrets, assertions: [assertion] };
    assert.deepEqual(leaks(`signature ${assertion.split('.')[2] ?? ''} end`, withAssertion), ['client assertion #1']);
    assert.deepEqual(leaks(`client_assertion=${assertion}`, withAssertion), ['client assertion #1', 'a JWT']);
  });

  it('demo --renewals 1 with debug output on: no secret or token', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'redis-entraid-demo-secrets-'));
    try {
      const env = cleanEnv({ TMPDIR: tmp, NODE_DEBUG: DEBUG });
      delete env['NODE_EXTRA_CA_CERTS'];
      const r = await runCli(['demo', '--renewals', '1'], env, 120_000);
      assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
      assert.match(r.stdout, /token #2 renewed/);
      assertClean('demo', r, { ...secrets, tokens: [] });
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('emulator start-up and shutdown output: not its secret, nor the tokens it issued', async () => {
    const child = spawnCli(['emulator', '--no-redis', '--token-lifetime', '120'], cleanEnv({ NODE_DEBUG: DEBUG }));
    const done = collect(child, 120_000);
    try {
      const out = await waitForOutput(child, (o) => o.includes('Ready. Press Ctrl-C to stop.\n'));
      const envFile = /\n {2}source (\/\S+\/sp-secret\.env) /.exec(out)?.[1];
      assert.ok(envFile !== undefined, out);
      const vars: Record<string, string> = {};
      for (const line of readFileSync(envFile, 'utf8').split('\n')) {
        const m = /^export ([A-Z_]+)='(.*)'$/.exec(line);
        if (m) vars[m[1] as string] = (m[2] as string).replaceAll("'\\''", "'");
      }
      const secret = vars['AZURE_CLIENT_SECRET'];
      assert.ok(secret !== undefined && secret.length >= 8, 'no AZURE_CLIENT_SECRET in the env file');
      const token = await rawToken(cleanEnv(vars));
      const tokenRun = await runCli(['token'], cleanEnv({ ...vars, NODE_DEBUG: DEBUG }), 60_000);
      assert.equal(tokenRun.code, 0, tokenRun.stderr);
      const emulatorSecrets: Secrets = { secret, keyLines: [], tokens: [token], assertions: [] };
      assertClean('token against the CLI emulator', tokenRun, emulatorSecrets);
      child.kill('SIGTERM');
      const r = await done;
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /Stopped; temporary files removed\.\n$/);
      assertClean('emulator', r, emulatorSecrets);
    } finally {
      stopChild(child);
      await done.catch(() => undefined);
    }
  });
});
