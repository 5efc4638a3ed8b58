// "TLS verification is on by default in every example and in the CLI; turning it off needs an explicit flag and
// prints a warning." test/cli/check.test.ts covers a gate certificate from a foreign CA while the process trusts
// the emulator's CA; here the CLI process trusts nothing extra (NODE_EXTRA_CA_CERTS unset) and no flag may
// weaken the identity platform's TLS.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { cleanEnv, ROOT, runCli } from '../cli/helpers.js';
import { testCertificateAuthority } from '../helpers/test-ca.js';

/** Ways to turn certificate verification off or around, in source text. */
const TLS_OVERRIDES: readonly RegExp[] = [
  /rejectUnauthorized\s*:\s*(false|0|!)/,
  /NODE_TLS_REJECT_UNAUTHORIZED/,
  /checkServerIdentity/,
  /--insecure-skip-verify/,
];

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/** `file:line: text` for every line of `text` matching an override. */
function overrides(file: string, text: string): string[] {
  return text.split('\n').flatMap((line, i) => (TLS_OVERRIDES.some((re) => re.test(line)) ? [`${file}:${i + 1}: ${line.trim()}`] : []));
}

const WARNING = 'warning: --insecure-skip-verify: the server certificate is NOT verified; use only to diagnose\n';

describe('TLS verification defaults', () => {
  it('the scanner catches each override form (so the scans below can fail)', () => {
    const sample = [
      "const a = { tls: { rejectUnauthorized: false } };",
      "process.env['NODE_TLS_REJECT_UNAUTHORIZED'] = '0';",
      'const b = { checkServerIdentity: () => undefined };',
      'const c = { rejectUnauthorized:!verify };',
      "const d = { rejectUnauthorized: true, servername: 'x' };",
    ].join('\n');
    assert.deepEqual(overrides('sample.ts', sample), [
      "sample.ts:1: const a = { tls: { rejectUnauthorized: false } };",
      "sample.ts:2: process.env['NODE_TLS_REJECT_UNAUTHORIZED'] = '0';",
      'sample.ts:3: const b = { checkServerIdentity: () => undefined };',
      'sample.ts:4: const c = { rejectUnauthorized:!verify };',
    ]);
  });

  it('no example turns TLS verification off or overrides the server identity check', () => {
    const files = tsFiles(join(ROOT, 'examples'));
    assert.ok(files.length >= 10, `only ${files.length} example files found`);
    assert.ok(files.some((f) => f.includes(join('examples', 'testing'))), 'examples/testing/ not scanned');
    const found = files.flatMap((f) => overrides(relative(ROOT, f), readFileSync(f, 'utf8')));
    assert.deepEqual(found, []);
  });

  it('the CLI never turns verification off unconditionally (only the --insecure-skip-verify flag may)', () => {
    const files = tsFiles(join(ROOT, 'src', 'cli'));
    assert.ok(files.length >= 10, `only ${files.length} CLI files found`);
    const found = files.flatMap((f) =>
      readFileSync(f, 'utf8')
        .split('\n')
        .flatMap((line, i) => (/NODE_TLS_REJECT_UNAUTHORIZED|rejectUnauthorized\s*:\s*(false|0)\b/.test(line) ? [`${relative(ROOT, f)}:${i + 1}`] : [])),
    );
    assert.deepEqual(found, []);
  });

  describe('redis-entraid check in a process that does not trust the emulator CA', () => {
    let emulator: Emulator;
    let env: NodeJS.ProcessEnv;
    let port: number;

    before(async () => {
      emulator = await startEmulator({ ca: testCertificateAuthority(), tokenLifetimeSeconds: 900 });
      assert.ok(emulator.redis);
      port = emulator.redis.port;
      env = cleanEnv(emulator.identity.env.servicePrincipalSecret());
      delete env['NODE_EXTRA_CA_CERTS'];
      delete env['NODE_TLS_REJECT_UNAUTHORIZED'];
    });
    after(async () => {
      await emulator?.close();
    });

    interface Report {
      readonly ok: boolean;
      readonly steps: readonly { readonly name: string; readonly ok: boolean; readonly diagnosis?: { readonly kind: string; readonly fix: string } }[];
    }

    const check = async (extra: string[]): Promise<{ code: number | null; report: Report; stderr: string }> => {
      const r = await runCli(['check', '--host', '127.0.0.1', '--port', String(port), '--json', ...extra], env, 90_000);
      let report: Report;
      try {
        report = JSON.parse(r.stdout) as Report;
      } catch {
        assert.fail(`not JSON (exit ${String(r.code)}):\n${r.stdout}\n${r.stderr}`);
      }
      return { code: r.code, report, stderr: r.stderr };
    };

    it('fails at the first TLS use (the authority) with a TLS diagnosis; no warning without the flag', async () => {
      const { code, report, stderr } = await check([]);
      assert.equal(code, 1);
      assert.equal(report.ok, false);
      assert.deepEqual(report.steps.map((s) => [s.name, s.ok]), [['token', false]]);
      assert.equal(report.steps[0]?.diagnosis?.kind, 'authority-untrusted');
      assert.match(report.steps[0]?.diagnosis?.fix ?? '', /NODE_EXTRA_CA_CERTS/);
      assert.equal(stderr, '');
      assert.equal(emulator.identity.stats().tokensIssued, 0);
    });

    it('--insecure-skip-verify prints the warning on stderr and still verifies the identity platform', async () => {
      const { code, report, stderr } = await check(['--insecure-skip-verify']);
      assert.equal(stderr, WARNING);
      assert.equal(code, 1);
      assert.deepEqual(report.steps.map((s) => [s.name, s.ok]), [['token', false]]);
      assert.equal(report.steps[0]?.diagnosis?.kind, 'authority-untrusted');
      assert.equal(emulator.identity.stats().tokensIssued, 0);
    });
  });
});
