// Shared by the gate integration tests: a signing key, token minting and a verifier for it.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { signJwt } from '../../../src/emulator/jwt/sign.js';
import { after, before } from 'node:test';
import { createKeyVerifier } from '../../../src/emulator/gate/token-verifier.js';
import { startRedisGate, type RedisGate } from '../../../src/emulator/gate/redis-gate.js';
import { startRedisServer, type RedisServerHandle } from '../../../src/emulator/redis/redis-server.js';

export const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
export const otherKeys = generateKeyPairSync('rsa', { modulusLength: 2048 });
export const verifier = createKeyVerifier([keys.publicKey]);

export interface TokenOptions {
  oid?: string;
  /** Lifetime in seconds from now; negative for an expired token. Default 3600. */
  lifetimeSec?: number;
  aud?: string;
  signWith?: 'right' | 'wrong';
}

/** A signed access token; returns it with its claims. */
export function mintToken(options: TokenOptions = {}): { token: string; oid: string; uti: string; expMs: number } {
  const oid = options.oid ?? randomUUID();
  const uti = randomUUID();
  const nowSec = Math.floor(Date.now() / 1000);
  // exp may be fractional: lets a test pick a precise expiry.
  const exp = Date.now() / 1000 + (options.lifetimeSec ?? 3600);
  const token = signJwt(
    { aud: options.aud ?? 'https://redis.azure.com', iss: 'https://login.test/tenant/v2.0', iat: nowSec, nbf: nowSec - 5, exp, oid, uti },
    options.signWith === 'wrong' ? otherKeys.privateKey : keys.privateKey,
  );
  return { token, oid, uti, expMs: exp * 1000 };
}

/** Polls `check` until it returns true or `timeoutMs` passes. */
export async function waitFor(check: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A redis-server and a gate in front of it, for one `describe`: started in `before`, stopped in `after`. */
export function useServerAndGate(): { server: () => RedisServerHandle; gate: () => RedisGate } {
  let server: RedisServerHandle | undefined;
  let gate: RedisGate | undefined;
  before(async () => {
    server = await startRedisServer();
    gate = await startRedisGate({ target: server, admin: { username: server.adminUser, password: server.adminPassword }, verifier });
  });
  after(async () => {
    await gate?.close();
    await server?.stop();
  });
  const required = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} is not started yet (use it inside a test)`);
    return value;
  };
  return { server: () => required(server, 'the redis-server'), gate: () => required(gate, 'the gate') };
}
