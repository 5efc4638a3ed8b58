import { randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import { signJwt } from '../jwt/sign.js';
import type { Principal } from './principals.js';
import type { SigningKeySet } from './signing-keys.js';

/** Overrides for {@link TokenIssuer.issue}; tests use them to craft unusual tokens. */
export interface AccessTokenOverrides {
  /** Lifetime, in seconds. Default the principal's or the emulator's lifetime. May be negative (already expired). */
  readonly lifetimeSeconds?: number;
  /** "Now", in ms since the epoch, for `iat`/`nbf`/`exp`. Default `Date.now()`. */
  readonly nowMs?: number;
  /** Extra or replaced claims (applied after the defaults). */
  readonly claims?: Readonly<Record<string, unknown>>;
  /** Claims to leave out, e.g. `['oid']`. */
  readonly omitClaims?: readonly string[];
  /** Sign with this RSA private key instead of the emulator's (the token then fails verification). */
  readonly privateKey?: KeyObject;
  /** Audience. Default the emulator's audience. */
  readonly audience?: string;
}

/** A signed access token and what the token endpoint reports with it. */
export interface IssuedAccessToken {
  /** The compact JWT. Secret. */
  readonly token: string;
  /** Lifetime the response reports, in seconds. */
  readonly expiresInSeconds: number;
  /** The `exp` claim, in seconds since the epoch. */
  readonly expiresOnSeconds: number;
  /** The claims. */
  readonly claims: Readonly<Record<string, unknown>>;
}

/** Signs Entra-like v1 access tokens for the emulator's principals. */
export class TokenIssuer {
  constructor(
    private readonly keys: SigningKeySet,
    private readonly settings: { readonly tenantId: string; readonly issuer: string; readonly audience: string; readonly lifetimeSeconds: number },
  ) {}

  /** Signs a token for `principal`. */
  issue(principal: Principal, overrides: AccessTokenOverrides = {}): IssuedAccessToken {
    const nowSeconds = Math.floor((overrides.nowMs ?? Date.now()) / 1000);
    const lifetime = overrides.lifetimeSeconds ?? principal.tokenLifetimeSeconds ?? this.settings.lifetimeSeconds;
    const claims: Record<string, unknown> = {
      aud: overrides.audience ?? this.settings.audience,
      iss: this.settings.issuer,
      iat: nowSeconds,
      nbf: nowSeconds,
      exp: nowSeconds + lifetime,
      aio: randomBytes(24).toString('base64url'),
      appid: principal.clientId,
      appidacr: principal.type === 'service-principal' ? '1' : '2',
      azp: principal.clientId,
      idp: this.settings.issuer,
      idtyp: 'app',
      oid: principal.objectId,
      rh: randomBytes(12).toString('base64url'),
      sub: principal.objectId,
      tid: this.settings.tenantId,
      uti: randomBytes(16).toString('base64url'),
      ver: '1.0',
      xms_mirid: principal.type === 'managed-identity' ? principal.resourceId : undefined,
      jti: randomUUID(),
      ...overrides.claims,
    };
    for (const name of overrides.omitClaims ?? []) delete claims[name];
    for (const [name, value] of Object.entries(claims)) if (value === undefined) delete claims[name];
    const key = this.keys.current;
    const token = signJwt(claims, overrides.privateKey ?? key.privateKey, { kid: key.kid, x5t: key.x5t });
    const exp = typeof claims['exp'] === 'number' ? claims['exp'] : nowSeconds + lifetime;
    return { token, expiresInSeconds: lifetime, expiresOnSeconds: exp, claims: Object.freeze(claims) };
  }
}
