/**
 * The whole emulator in one call: a local Entra ID plus an Azure-like Redis (real redis-server behind gates
 * that accept the identity emulator's tokens), standalone or clustered.
 *
 * @module
 */
import { startAzureRedis, type AzureRedis } from './gate/azure-redis.js';
import { startIdentityEmulator, type IdentityEmulator } from './idp/identity-emulator.js';
import type { IdentityEmulatorOptions } from './idp/options.js';
import { createCertificateAuthority, type CertificateAuthority } from './pki/certificate-authority.js';

/** Options of {@link startEmulator}. Every field is optional. */
export interface EmulatorOptions extends IdentityEmulatorOptions {
  /**
   * The Redis side: `false` for the identity side only; `true` (default) for one TLS redis-server behind a gate;
   * or `{ cluster: true }` for a 3-master cluster, `{ tls: false }` for plain TCP gates, `expiryGraceMs` (time
   * after a token's `exp` before the gate closes its connection, in ms; default 0), `replicasPerMaster` (with
   * `cluster`: replicas per master, each behind its own gate; default 0).
   */
  readonly redis?:
    | boolean
    | { readonly cluster?: boolean; readonly tls?: boolean; readonly expiryGraceMs?: number; readonly replicasPerMaster?: number };
}

/** A running emulator: the identity side, and the Redis side when it was asked for. */
export interface Emulator extends AsyncDisposable {
  /** The CA behind every certificate the emulator serves. Clients must trust `ca.certPem`. */
  readonly ca: CertificateAuthority;
  /** The local Entra ID (token, discovery, JWKS and managed-identity endpoints, faults, counters). */
  readonly identity: IdentityEmulator;
  /** The emulated Azure Redis, or undefined with `redis: false`. */
  readonly redis: AzureRedis | undefined;
  /** Stops everything. Idempotent; concurrent callers share one promise. */
  close(): Promise<void>;
}

/**
 * Starts the identity emulator and, unless `redis: false`, redis-server(s) behind gates that accept its tokens.
 *
 * Node reads `NODE_EXTRA_CA_CERTS` only at start-up, and `@azure/msal-node` accepts only HTTPS authorities: to
 * let MSAL-based providers in the same process reach the emulator, pass a `ca` that the process already trusts
 * (e.g. one written to disk by a test set-up step and named in `NODE_EXTRA_CA_CERTS`).
 *
 * @throws when redis-server cannot be started (e.g. not installed: a `RedisEmulatorError` saying how to install it).
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const { redis: redisOption = true, ...identityOptions } = options;
  const ca = identityOptions.ca ?? createCertificateAuthority();
  const identity = await startIdentityEmulator({ ...identityOptions, ca });
  let redis: AzureRedis | undefined;
  if (redisOption !== false) {
    const settings = redisOption === true ? {} : redisOption;
    try {
      redis = await startAzureRedis({
        verifier: identity,
        ca,
        tls: settings.tls ?? true,
        cluster: settings.cluster ?? false,
        ...(settings.expiryGraceMs === undefined ? {} : { expiryGraceMs: settings.expiryGraceMs }),
        ...(settings.replicasPerMaster === undefined ? {} : { replicasPerMaster: settings.replicasPerMaster }),
      });
    } catch (error) {
      await identity.close();
      throw error;
    }
  }
  let closing: Promise<void> | undefined;
  const emulator: Emulator = {
    ca,
    identity,
    redis,
    close: () =>
      (closing ??= (async () => {
        await redis?.close();
        await identity.close();
      })()),
    [Symbol.asyncDispose]: () => emulator.close(),
  };
  return emulator;
}
