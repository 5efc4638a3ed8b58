/**
 * `npm run bench [-- --quick] [--only=a,b] [--out=dir]`: redis-entraid side by side with @redis/entraid and a
 * static password, on the emulator (local Entra ID + Azure-like gate + real redis-server).
 *
 * MSAL trusts the emulator's CA only through NODE_EXTRA_CA_CERTS, read at process start: the first process
 * creates a CA, writes it to a temp dir and re-runs this file in a child (with `--expose-gc`) that trusts it.
 *
 * @module
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCertificateAuthority, loadCertificateAuthority } from '../src/emulator/index.js';
import { runBench } from './lib/runner.js';

const CHILD_MARK = 'REDIS_ENTRAID_BENCH_CHILD';

function parent(): void {
  const dir = mkdtempSync(join(tmpdir(), 'redis-entraid-bench-'));
  const ca = createCertificateAuthority('redis-entraid bench CA');
  const certPath = join(dir, 'ca.pem');
  const keyPath = join(dir, 'ca-key.pem');
  writeFileSync(certPath, ca.certPem);
  writeFileSync(keyPath, ca.keyPem, { mode: 0o600 });
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, NODE_EXTRA_CA_CERTS: certPath, [CHILD_MARK]: dir },
  });
  const forward = (signal: NodeJS.Signals): void => {
    child.kill(signal);
  };
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  child.on('exit', (code, signal) => {
    rmSync(dir, { recursive: true, force: true });
    process.exitCode = code ?? (signal === null ? 1 : 128);
  });
}

const childDir = process.env[CHILD_MARK];
if (childDir === undefined) {
  parent();
} else {
  const ca = loadCertificateAuthority({
    certPem: readFileSync(join(childDir, 'ca.pem'), 'utf8'),
    keyPem: readFileSync(join(childDir, 'ca-key.pem'), 'utf8'),
  });
  runBench(ca, process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
