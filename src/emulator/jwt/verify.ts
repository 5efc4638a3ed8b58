import { createVerify, type KeyObject } from 'node:crypto';

/** The result of {@link verifyJwt}: the header and claims, or the reason it was refused. */
export type JwtVerification =
  | { readonly ok: true; readonly header: Record<string, unknown>; readonly claims: Record<string, unknown> }
  | { readonly ok: false; readonly reason: JwtRejectReason };

/** Why a token was refused. */
export type JwtRejectReason =
  | 'malformed'
  | 'unsupported-algorithm'
  | 'bad-signature'
  | 'wrong-audience'
  | 'wrong-issuer'
  | 'expired'
  | 'not-yet-valid';

/** What {@link verifyJwt} checks besides the signature. */
export interface JwtExpectations {
  /** Accepted audiences; the token's `aud` (string or array) must contain one. Omit to skip. */
  readonly audiences?: readonly string[];
  /** Accepted issuers. Omit to skip. */
  readonly issuers?: readonly string[];
  /** Now, in ms since the epoch. */
  readonly nowMs: number;
  /** Tolerance for `exp` and `nbf`, in ms. Default 0. */
  readonly clockToleranceMs?: number;
}

function decode(segment: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Verifies an RS256 compact JWS against any of `keys`, then its time and audience claims.
 * Never throws: the reason for a refusal is returned.
 */
export function verifyJwt(token: string, keys: readonly KeyObject[], expect: JwtExpectations): JwtVerification {
  if (typeof token !== 'string') return { ok: false, reason: 'malformed' };
  const parts = token.split('.');
  if (parts.length !== 3) return { ok: false, reason: 'malformed' };
  const [h, p, s] = parts as [string, string, string];
  const header = decode(h);
  const claims = decode(p);
  if (!header || !claims) return { ok: false, reason: 'malformed' };
  if (header['alg'] !== 'RS256') return { ok: false, reason: 'unsupported-algorithm' };
  const signature = Buffer.from(s, 'base64url');
  const signed = keys.some((key) => {
    try {
      return createVerify('RSA-SHA256').update(`${h}.${p}`).verify(key, signature);
    } catch {
      return false;
    }
  });
  if (!signed) return { ok: false, reason: 'bad-signature' };
  const tolerance = expect.clockToleranceMs ?? 0;
  const exp = claims['exp'];
  if (typeof exp !== 'number' || exp * 1000 + tolerance <= expect.nowMs) return { ok: false, reason: 'expired' };
  const nbf = claims['nbf'];
  if (typeof nbf === 'number' && nbf * 1000 - tolerance > expect.nowMs) return { ok: false, reason: 'not-yet-valid' };
  if (expect.audiences) {
    const aud = claims['aud'];
    const list = Array.isArray(aud) ? aud : [aud];
    if (!list.some((a) => typeof a === 'string' && expect.audiences?.includes(a))) return { ok: false, reason: 'wrong-audience' };
  }
  if (expect.issuers && !expect.issuers.includes(claims['iss'] as string)) return { ok: false, reason: 'wrong-issuer' };
  return { ok: true, header, claims };
}
