/**
 * Making this process trust the emulator's CA. MSAL and @azure/identity verify the emulator's HTTPS
 * certificate against node's trust store, which takes extra CAs only from `NODE_EXTRA_CA_CERTS` at process
 * start. So a program that runs the emulator *and* a client in one process creates the CA first and, when this
 * process does not trust it yet, runs itself again in a child process with `NODE_EXTRA_CA_CERTS` set: stdio
 * inherited, signals forwarded, the CA files removed when the child exits. The CLI's `demo`, the soak and chaos
 * scripts and the benchmarks use it; so can a user's own script.
 *
 * @module
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createCertificateAuthority,
  loadCertificateAuthority,
  type CertificateAuthority,
} from './pki/certificate-authority.js';

/** Set in the child: the directory holding the CA (`ca.pem`, `ca-key.pem`) its parent created. */
export const TRUSTED_CA_DIR_ENV = 'REDIS_ENTRAID_TRUSTED_CA_DIR';

/** Options of {@link ensureTrustedCa}. */
export interface EnsureTrustedCaOptions {
  /** Common name of the CA created. Default `redis-entraid emulator CA`. */
  readonly commonName?: string;
  /** Extra node flags for the child (e.g. `--expose-gc`), before the current `process.execArgv`. Default none. */
  readonly execArgv?: readonly string[];
}

/** The outcome of {@link ensureTrustedCa}. */
export type TrustedCa =
  /** This process trusts `ca`: go on. */
  | { readonly kind: 'trusted'; readonly ca: CertificateAuthority; readonly caCertPath: string }
  /** The command ran in a child process, which exited with `exitCode`: return it. */
  | { readonly kind: 'delegated'; readonly exitCode: number };

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

function signalNumber(signal: NodeJS.Signals): number {
  return signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : signal === 'SIGHUP' ? 1 : 9;
}

/**
 * Returns a CA this process trusts, re-running the current script (same arguments) in a child process when needed.
 * In the parent it resolves to `{ kind: 'delegated', exitCode }` once the child has exited: return that code.
 *
 * @param env - this process's environment. Default `process.env`.
 */
export async function ensureTrustedCa(
  env: NodeJS.ProcessEnv = process.env,
  options: EnsureTrustedCaOptions = {},
): Promise<TrustedCa> {
  const inherited = env[TRUSTED_CA_DIR_ENV];
  if (inherited) {
    const certPath = join(inherited, 'ca.pem');
    const ca = loadCertificateAuthority({
      certPem: readFileSync(certPath, 'utf8'),
      keyPem: readFileSync(join(inherited, 'ca-key.pem'), 'utf8'),
    });
    return { kind: 'trusted', ca, caCertPath: certPath };
  }
  const dir = mkdtempSync(join(tmpdir(), 'redis-entraid-cli-'));
  const ca = createCertificateAuthority(options.commonName ?? 'redis-entraid emulator CA');
  writeFileSync(join(dir, 'ca.pem'), ca.certPem);
  writeFileSync(join(dir, 'ca-key.pem'), ca.keyPem, { mode: 0o600 });
  // Keep CAs the user already trusts through NODE_EXTRA_CA_CERTS.
  let bundle = ca.certPem;
  const previous = env['NODE_EXTRA_CA_CERTS'];
  if (previous) {
    try {
      bundle = `${readFileSync(previous, 'utf8').trimEnd()}\n${ca.certPem}`;
    } catch {
      // unreadable: node would have ignored it too
    }
  }
  const bundlePath = join(dir, 'trusted.pem');
  writeFileSync(bundlePath, bundle);
  const script = process.argv[1] as string;
  const child = spawn(process.execPath, [...(options.execArgv ?? []), ...process.execArgv, script, ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...env, NODE_EXTRA_CA_CERTS: bundlePath, [TRUSTED_CA_DIR_ENV]: dir },
  });
  const forward = (signal: NodeJS.Signals): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  for (const signal of SIGNALS) process.on(signal, forward);
  const exitCode = await new Promise<number>((resolve) => {
    child.once('error', () => resolve(1));
    child.once('exit', (code, signal) => resolve(code ?? 128 + signalNumber(signal ?? 'SIGKILL')));
  });
  for (const signal of SIGNALS) process.off(signal, forward);
  rmSync(dir, { recursive: true, force: true });
  return { kind: 'delegated', exitCode };
}
