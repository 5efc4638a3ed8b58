import { createPrivateKey } from 'node:crypto';
import { signJwt } from '../../../src/emulator/jwt/sign.js';
import type { IdentityEmulator } from '../../../src/emulator/idp/identity-emulator.js';
import type { CertificateBundle } from '../../../src/emulator/pki/certificate-authority.js';
import { DEFAULT_SECRET_PRINCIPAL } from '../../../src/emulator/idp/constants.js';

export const REDIS_SCOPE = 'https://redis.azure.com/.default';

export interface JsonResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Record<string, unknown>;
}

/** POSTs a form to the emulator's token endpoint (or `path` on its authority host). */
export async function postToken(emu: IdentityEmulator, params: Record<string, string>, path?: string): Promise<JsonResponse> {
  const response = await fetch(path === undefined ? emu.tokenEndpoint : `${emu.authorityHost}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params).toString(),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
}

/** The form of a client-credentials request with the default secret principal. */
export function secretForm(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    grant_type: 'client_credentials',
    client_id: DEFAULT_SECRET_PRINCIPAL.clientId,
    client_secret: DEFAULT_SECRET_PRINCIPAL.clientSecret,
    scope: REDIS_SCOPE,
    ...overrides,
  };
}

/** GETs a URL and parses its JSON body. */
export async function getJson(url: string, headers: Record<string, string> = {}): Promise<JsonResponse> {
  const response = await fetch(url, { headers });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
}

/** Decodes a JWT's header and payload without verifying it. */
export function decodeParts(token: string): { header: Record<string, unknown>; claims: Record<string, unknown> } {
  const [h = '', p = ''] = token.split('.');
  return {
    header: JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as Record<string, unknown>,
    claims: JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown>,
  };
}

/** Builds a certificate client assertion the way MSAL does (RS256 + x5t). */
export function certificateAssertion(
  emu: IdentityEmulator,
  clientId: string,
  certificate: CertificateBundle,
  overrides: { header?: Record<string, unknown>; claims?: Record<string, unknown>; keyPem?: string } = {},
): string {
  const now = Math.floor(Date.now() / 1000);
  return signJwt(
    { aud: emu.tokenEndpoint, iss: clientId, sub: clientId, nbf: now, exp: now + 600, jti: 'test', ...overrides.claims },
    createPrivateKey(overrides.keyPem ?? certificate.keyPem),
    { x5t: certificate.x5t, ...overrides.header },
  );
}
