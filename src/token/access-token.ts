import { inspect } from 'node:util';
import { TokenExpiredError, TokenInvalidError } from '../errors.js';
import { decodeJwtClaims, type JwtClaims } from './jwt.js';

/** Metadata of a token, safe to log: no token value. */
export interface TokenInfo {
  /** Object id of the principal (`oid` claim), the Redis username by default. */
  readonly oid: string | undefined;
  /** Tenant id (`tid` claim). */
  readonly tenantId: string | undefined;
  /** When the token expires, in milliseconds since the epoch (from the `exp` claim). */
  readonly expiresAtMs: number;
  /** When this process received the token, in milliseconds since the epoch. */
  readonly receivedAtMs: number;
  /** When the credential suggested refreshing, in milliseconds since the epoch, if it did. */
  readonly refreshAfterMs: number | undefined;
  /** The token's unique id (`uti` claim), when present: tells tokens apart without showing them. */
  readonly uti: string | undefined;
}

const values = new WeakMap<AccessToken, string>();

/**
 * An access token and its decoded claims. The raw value is held out of the object's own properties so that
 * `util.inspect`, `JSON.stringify` and structured logging never show it; read it with {@link AccessToken.value}.
 */
export class AccessToken implements TokenInfo {
  readonly claims: JwtClaims;
  readonly oid: string | undefined;
  readonly tenantId: string | undefined;
  readonly expiresAtMs: number;
  readonly receivedAtMs: number;
  readonly refreshAfterMs: number | undefined;
  readonly uti: string | undefined;

  private constructor(raw: string, claims: JwtClaims, receivedAtMs: number, refreshAfterMs: number | undefined) {
    values.set(this, raw);
    this.claims = claims;
    this.oid = claims.oid;
    this.tenantId = claims.tid;
    this.expiresAtMs = (claims.exp as number) * 1000;
    this.receivedAtMs = receivedAtMs;
    this.refreshAfterMs = refreshAfterMs;
    this.uti = typeof claims['uti'] === 'string' ? claims['uti'] : undefined;
    Object.freeze(this);
  }

  /**
   * Parses a raw JWT access token.
   *
   * @param raw - the token as returned by the identity platform.
   * @param receivedAtMs - when it was received, in milliseconds since the epoch.
   * @param options.refreshAfterMs - the credential's suggested refresh time, in ms since the epoch.
   * @param options.clockToleranceMs - a token expiring within this many ms is treated as expired; default 0.
   * @throws {@link TokenInvalidError} when the token is malformed or has no `exp` claim;
   *   {@link TokenExpiredError} when it has already expired.
   */
  static parse(
    raw: string,
    receivedAtMs: number,
    options: { refreshAfterMs?: number | undefined; clockToleranceMs?: number } = {},
  ): AccessToken {
    const claims = decodeJwtClaims(raw);
    if (claims.exp === undefined) {
      throw new TokenInvalidError('the token has no "exp" claim', { claim: 'exp' });
    }
    const expiresAtMs = claims.exp * 1000;
    if (expiresAtMs <= receivedAtMs + (options.clockToleranceMs ?? 0)) {
      throw new TokenExpiredError(expiresAtMs, receivedAtMs);
    }
    return new AccessToken(raw, claims, receivedAtMs, options.refreshAfterMs);
  }

  /** The raw token: the Redis password. Never log it. */
  value(): string {
    return values.get(this) as string;
  }

  /** Milliseconds left before expiry at `nowMs` (negative once expired). */
  remainingMs(nowMs: number): number {
    return this.expiresAtMs - nowMs;
  }

  /** Safe metadata, without the token value. */
  info(): TokenInfo {
    return {
      oid: this.oid,
      tenantId: this.tenantId,
      expiresAtMs: this.expiresAtMs,
      receivedAtMs: this.receivedAtMs,
      refreshAfterMs: this.refreshAfterMs,
      uti: this.uti,
    };
  }

  /** JSON form: metadata only. */
  toJSON(): TokenInfo {
    return this.info();
  }

  [inspect.custom](): string {
    return `AccessToken { oid: ${inspect(this.oid)}, expiresAt: ${new Date(this.expiresAtMs).toISOString()}, value: [redacted] }`;
  }
}
