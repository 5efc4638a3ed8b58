import { TokenInvalidError } from '../errors.js';

/** The claims of an Entra ID access token that this library reads. Other claims are kept as they are. */
export interface JwtClaims {
  /** Object id of the principal: the Redis username. */
  readonly oid?: string;
  /** Tenant id. */
  readonly tid?: string;
  /** Audience, e.g. `https://redis.azure.com`. */
  readonly aud?: string | string[];
  /** Issuer. */
  readonly iss?: string;
  /** Application (client) id, v1 tokens. */
  readonly appid?: string;
  /** Authorized party (client id), v2 tokens. */
  readonly azp?: string;
  /** Expiry, seconds since the epoch. */
  readonly exp?: number;
  /** Not before, seconds since the epoch. */
  readonly nbf?: number;
  /** Issued at, seconds since the epoch. */
  readonly iat?: number;
  /** Any other claim. */
  readonly [claim: string]: unknown;
}

/** The largest token this library will decode, in characters (Entra ID tokens are a few KiB). */
export const MAX_JWT_LENGTH = 64 * 1024;

const BASE64URL = /^[A-Za-z0-9_-]*$/;

function decodeSegment(segment: string, name: 'header' | 'payload'): Record<string, unknown> {
  if (segment.length === 0 || !BASE64URL.test(segment) || segment.length % 4 === 1) {
    throw new TokenInvalidError(`the token's ${name} is not base64url`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch (cause) {
    throw new TokenInvalidError(`the token's ${name} is not JSON`, { cause: stripCause(cause) });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new TokenInvalidError(`the token's ${name} is not a JSON object`);
  }
  return parsed as Record<string, unknown>;
}

// JSON.parse messages can quote the input; keep only the error's name.
function stripCause(cause: unknown): Error {
  return new Error(cause instanceof Error ? cause.name : 'parse error');
}

/**
 * Decodes the payload of a JWT **without verifying its signature** (the token came straight from the
 * identity platform over TLS; Redis verifies it). Checks the shape and the types of the registered claims.
 *
 * @param token - a compact JWS, `header.payload.signature`.
 * @returns the claims.
 * @throws {@link TokenInvalidError} when the token is not a string, is larger than {@link MAX_JWT_LENGTH},
 *   has not three segments, a segment is not base64url JSON, or `exp`/`nbf`/`iat` are not numbers or
 *   `oid`/`tid` are not strings. The message never contains the token.
 */
export function decodeJwtClaims(token: string): JwtClaims {
  if (typeof token !== 'string') {
    throw new TokenInvalidError(`the token must be a string, got ${token === null ? 'null' : typeof token}`);
  }
  if (token.length > MAX_JWT_LENGTH) {
    throw new TokenInvalidError(`the token is ${token.length} characters long, more than the ${MAX_JWT_LENGTH} allowed`);
  }
  const segments = token.split('.');
  if (segments.length !== 3) {
    throw new TokenInvalidError(`the token must have 3 dot-separated segments, got ${segments.length}`);
  }
  decodeSegment(segments[0] as string, 'header');
  const claims = decodeSegment(segments[1] as string, 'payload');
  for (const name of ['exp', 'nbf', 'iat'] as const) {
    const value = claims[name];
    if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value))) {
      throw new TokenInvalidError(`the token's "${name}" claim must be a number of seconds`, { claim: name });
    }
  }
  for (const name of ['oid', 'tid', 'appid', 'azp', 'iss'] as const) {
    const value = claims[name];
    if (value !== undefined && typeof value !== 'string') {
      throw new TokenInvalidError(`the token's "${name}" claim must be a string`, { claim: name });
    }
  }
  return claims as JwtClaims;
}
