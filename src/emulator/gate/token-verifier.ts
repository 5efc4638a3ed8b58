import type { KeyObject } from 'node:crypto';
import { verifyJwt, type JwtVerification } from '../jwt/verify.js';

/** Checks an access token presented to the gate. The identity emulator implements this interface. */
export interface AccessTokenVerifier {
  /**
   * Verifies signature, audience and validity period of `token` at `nowMs` (ms since the epoch).
   * Must not throw: a refusal is returned with its reason.
   */
  verifyAccessToken(token: string, nowMs: number): JwtVerification;
}

/** The audiences Azure Redis accepts: the resource URI and its application id. */
export const AZURE_REDIS_AUDIENCES: readonly string[] = Object.freeze([
  'https://redis.azure.com',
  'https://redis.azure.com/',
  'acca5fbb-b7e4-4009-81f1-37e38fd66d78',
]);

/** Options of {@link createKeyVerifier}. */
export interface KeyVerifierOptions {
  /** Accepted `aud` values. Default {@link AZURE_REDIS_AUDIENCES}. */
  readonly audiences?: readonly string[];
  /** Accepted `iss` values. Default: any issuer. */
  readonly issuers?: readonly string[];
  /** Tolerance on `exp`/`nbf`, in ms. Default 0. */
  readonly clockToleranceMs?: number;
}

/**
 * A verifier for tokens signed with one of `publicKeys` (RS256), for tests and stand-alone gates that do
 * not run the identity emulator.
 */
export function createKeyVerifier(publicKeys: readonly KeyObject[], options: KeyVerifierOptions = {}): AccessTokenVerifier {
  const keys = [...publicKeys];
  const audiences = [...(options.audiences ?? AZURE_REDIS_AUDIENCES)];
  const issuers = options.issuers ? [...options.issuers] : undefined;
  const clockToleranceMs = options.clockToleranceMs ?? 0;
  return {
    verifyAccessToken: (token, nowMs) =>
      verifyJwt(token, keys, { audiences, nowMs, clockToleranceMs, ...(issuers ? { issuers } : {}) }),
  };
}
