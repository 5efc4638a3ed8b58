/**
 * The emulated Azure stack the `emulator` and `demo` commands run: the identity emulator and, optionally,
 * an Azure-like Redis (gate(s) in front of real redis-server processes), standalone or clustered.
 *
 * @module
 */
import type { AzureRedis } from '../emulator/gate/azure-redis.js';
import { startEmulator, type Emulator } from '../emulator/emulator.js';
import type { IdentityEmulator } from '../emulator/idp/identity-emulator.js';
import type { CertificateAuthority } from '../emulator/pki/certificate-authority.js';
import { RedisEmulatorError } from '../emulator/redis/errors.js';
import { MissingPrerequisiteError } from './usage-error.js';

/** What to start. */
export interface StackOptions {
  readonly ca: CertificateAuthority;
  readonly tokenLifetimeSeconds: number;
  /** Start Redis behind a gate. */
  readonly redis: boolean;
  /** A 3-master cluster instead of one server. */
  readonly cluster: boolean;
  /** Port of the identity emulator's HTTPS endpoint; 0 for a free one. */
  readonly idpPort?: number;
}

/** A running stack. */
export interface Stack {
  readonly idp: IdentityEmulator;
  readonly redis: AzureRedis | undefined;
  /** Stops everything. Idempotent. */
  close(): Promise<void>;
}

/** How to install redis-server, for the message when it is missing. */
export const REDIS_INSTALL_HINT =
  'redis-server was not found on PATH. The emulator runs a real Redis behind its Entra ID gate.\n' +
  'Install it: Debian/Ubuntu `sudo apt-get install redis-server`, Fedora `sudo dnf install redis`, ' +
  'macOS `brew install redis`; or put the redis-server binary on PATH.';

/** Starts the stack (the emulator's `startEmulator`); turns a missing redis-server into a {@link MissingPrerequisiteError}. */
export async function startStack(options: StackOptions): Promise<Stack> {
  let emulator: Emulator;
  try {
    emulator = await startEmulator({
      ca: options.ca,
      tokenLifetimeSeconds: options.tokenLifetimeSeconds,
      ...(options.idpPort ? { port: options.idpPort } : {}),
      redis: options.redis ? { cluster: options.cluster, tls: true } : false,
    });
  } catch (error) {
    if (error instanceof RedisEmulatorError && error.code === 'ERR_REDIS_SERVER_NOT_FOUND') {
      throw new MissingPrerequisiteError(REDIS_INSTALL_HINT, { cause: error });
    }
    throw error;
  }
  return { idp: emulator.identity, redis: emulator.redis, close: () => emulator.close() };
}

/** Resolves on the first SIGINT/SIGTERM/SIGHUP; later signals are ignored (the stop in progress is bounded). */
export function waitForStopSignal(onSignal?: (signal: NodeJS.Signals) => void): { promise: Promise<NodeJS.Signals>; dispose(): void } {
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  let resolveSignal: (signal: NodeJS.Signals) => void = () => undefined;
  const promise = new Promise<NodeJS.Signals>((resolve) => (resolveSignal = resolve));
  let seen = false;
  const handler = (signal: NodeJS.Signals): void => {
    if (seen) return;
    seen = true;
    onSignal?.(signal);
    resolveSignal(signal);
  };
  for (const signal of signals) process.on(signal, handler);
  return {
    promise,
    dispose: () => {
      for (const signal of signals) process.off(signal, handler);
    },
  };
}
