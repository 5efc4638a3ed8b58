// Runs the whole test suite: `npm test` (optionally `npm test -- <file or folder> ...`).
// Prepares what the tests share — a CA for the emulator's HTTPS endpoints, trusted by every test process
// through NODE_EXTRA_CA_CERTS (read at start-up, so it must be set before the test processes start) — and
// then runs node's test runner over test/**/*.test.ts.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { createCertificateAuthority } from '../src/emulator/pki/certificate-authority.js';

const root = resolve(import.meta.dirname, '..');

function findTests(path: string): string[] {
  if (statSync(path).isFile()) return path.endsWith('.test.ts') ? [path] : [];
  return readdirSync(path, { withFileTypes: true })
    .flatMap((entry) => findTests(join(path, entry.name)))
    .sort();
}

const redis = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
if (redis.error || redis.status !== 0) {
  console.error('redis-server was not found on PATH. The tests start real Redis servers of their own.');
  console.error('Install it: Debian/Ubuntu `sudo apt-get install redis-server`, macOS `brew install redis`.');
  process.exit(1);
}

const args = process.argv.slice(2);
const files = (args.length > 0 ? args : ['test']).flatMap((arg) => findTests(resolve(root, arg)));
if (files.length === 0) {
  console.error(`no test files found under ${args.join(' ') || 'test'}`);
  process.exit(1);
}

const dir = mkdtempSync(join(tmpdir(), 'redis-entraid-test-'));
const ca = createCertificateAuthority('redis-entraid test CA');
const caCert = join(dir, 'ca.pem');
const caKey = join(dir, 'ca-key.pem');
writeFileSync(caCert, ca.certPem);
writeFileSync(caKey, ca.keyPem, { mode: 0o600 });

const concurrency = process.env['TEST_CONCURRENCY'] ?? '2';
const child = spawn(
  process.execPath,
  [
    '--import',
    'tsx',
    // Fails a test file on any unhandled rejection or uncaught exception (see test/helpers/hygiene.ts).
    '--import',
    './test/helpers/hygiene.ts',
    '--test',
    `--test-concurrency=${concurrency}`,
    '--test-timeout=180000',
    ...(process.env['TEST_REPORTER'] ? [`--test-reporter=${process.env['TEST_REPORTER']}`] : []),
    ...files.map((file) => relative(root, file)),
  ],
  {
    cwd: root,
    stdio: 'inherit',
    env: {
      ...process.env,
      NODE_EXTRA_CA_CERTS: caCert,
      REDIS_ENTRAID_TEST_CA_CERT: caCert,
      REDIS_ENTRAID_TEST_CA_KEY: caKey,
    },
  },
);

const stop = (signal: NodeJS.Signals): void => {
  child.kill(signal);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
child.on('exit', (code, signal) => {
  rmSync(dir, { recursive: true, force: true });
  process.exit(code ?? (signal ? 1 : 0));
});
