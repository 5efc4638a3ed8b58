/**
 * Builds an `@azure/identity` credential from {@link CredentialInputs} and acquires one token with it,
 * timed, for `token` and `check`.
 *
 * @module
 */
import type { TokenCredential } from '@azure/core-auth';
import { PUBLIC_AUTHORITY_HOST, type CredentialInputs } from './args.js';
import { decodeJwtClaims, type JwtClaims } from '../token/jwt.js';

/** A token acquired by the CLI. `token` is secret: print it only for `token --raw`. */
export interface AcquiredToken {
  readonly token: string;
  readonly claims: JwtClaims;
  /** When the request started and ended, ms since the epoch. */
  readonly startedAtMs: number;
  readonly receivedAtMs: number;
}

function isPublicCloud(authorityHost: string): boolean {
  return authorityHost.toLowerCase() === PUBLIC_AUTHORITY_HOST;
}

/** The `@azure/identity` credential for `inputs` (loaded lazily: it is a large module). */
export async function createCredential(inputs: CredentialInputs): Promise<TokenCredential> {
  const identity = await import('@azure/identity');
  const common = {
    authorityHost: inputs.authorityHost,
    // A custom authority (a sovereign cloud, the emulator) is not in the public instance metadata.
    disableInstanceDiscovery: !isPublicCloud(inputs.authorityHost),
  };
  switch (inputs.kind) {
    case 'secret':
      return new identity.ClientSecretCredential(
        inputs.tenantId as string,
        inputs.clientId as string,
        inputs.clientSecret as string,
        common,
      );
    case 'certificate':
      return new identity.ClientCertificateCredential(
        inputs.tenantId as string,
        inputs.clientId as string,
        {
          certificatePath: inputs.certificatePath as string,
          ...(inputs.certificatePassword === undefined ? {} : { certificatePassword: inputs.certificatePassword }),
        },
        common,
      );
    case 'managed':
      if (inputs.clientId) return new identity.ManagedIdentityCredential({ clientId: inputs.clientId });
      if (inputs.resourceId) return new identity.ManagedIdentityCredential({ resourceId: inputs.resourceId });
      return new identity.ManagedIdentityCredential();
    case 'default':
      return new identity.DefaultAzureCredential({
        ...common,
        ...(inputs.tenantId === undefined ? {} : { tenantId: inputs.tenantId }),
        ...(inputs.clientId === undefined ? {} : { managedIdentityClientId: inputs.clientId }),
      });
  }
}

/** Acquires one token for `inputs.scope`. Rejects with the credential's own error. */
export async function acquireToken(inputs: CredentialInputs, timeoutMs = 30_000): Promise<AcquiredToken> {
  const credential = await createCredential(inputs);
  const startedAtMs = Date.now();
  const signal = AbortSignal.timeout(timeoutMs);
  const result = await credential.getToken(inputs.scope, { abortSignal: signal });
  if (!result) throw new Error('the credential returned no token');
  return { token: result.token, claims: decodeJwtClaims(result.token), startedAtMs, receivedAtMs: Date.now() };
}

/** The claims worth showing, without the token: oid, tid, aud, appid, iss, expiry and lifetime. */
export interface TokenSummary {
  readonly oid: string | undefined;
  readonly tid: string | undefined;
  readonly aud: string | undefined;
  readonly appid: string | undefined;
  readonly iss: string | undefined;
  readonly uti: string | undefined;
  readonly issuedAt: string | undefined;
  readonly expiresAt: string | undefined;
  /** `exp - iat`, seconds. */
  readonly lifetimeSeconds: number | undefined;
  /** `exp - now`, seconds. */
  readonly expiresInSeconds: number | undefined;
}

/** Summarizes `claims` at `nowMs`. */
export function summarizeClaims(claims: JwtClaims, nowMs: number): TokenSummary {
  const aud = Array.isArray(claims.aud) ? claims.aud.join(',') : claims.aud;
  const iso = (seconds: number | undefined): string | undefined =>
    seconds === undefined ? undefined : new Date(seconds * 1000).toISOString();
  return {
    oid: claims.oid,
    tid: claims.tid,
    aud,
    appid: claims.appid ?? claims.azp,
    iss: claims.iss,
    uti: typeof claims['uti'] === 'string' ? claims['uti'] : undefined,
    issuedAt: iso(claims.iat),
    expiresAt: iso(claims.exp),
    lifetimeSeconds: claims.exp !== undefined && claims.iat !== undefined ? claims.exp - claims.iat : undefined,
    expiresInSeconds: claims.exp === undefined ? undefined : Math.round(claims.exp - nowMs / 1000),
  };
}

/** `3725` → `1h 2m 5s`; negative values get a leading minus. */
export function formatDuration(seconds: number): string {
  const sign = seconds < 0 ? '-' : '';
  let rest = Math.abs(Math.round(seconds));
  const h = Math.floor(rest / 3600);
  rest -= h * 3600;
  const m = Math.floor(rest / 60);
  const s = rest - m * 60;
  const parts = [h > 0 ? `${h}h` : '', m > 0 ? `${m}m` : '', s > 0 || (h === 0 && m === 0) ? `${s}s` : ''];
  return sign + parts.filter(Boolean).join(' ');
}
