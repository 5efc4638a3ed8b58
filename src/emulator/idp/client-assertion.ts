import { constants, verify, X509Certificate, type KeyObject } from 'node:crypto';
import { FEDERATED_TOKEN_AUDIENCE } from './constants.js';
import { certificateThumbprints, type ServicePrincipal } from './principals.js';

/** The outcome of checking a client assertion: ok, or a reason safe to put in an error description. */
export type AssertionCheck = { readonly ok: true; readonly kind: 'certificate' | 'federated' } | { readonly ok: false; readonly reason: string };

/** What a client assertion is checked against. */
export interface AssertionContext {
  /** Token endpoint URLs the assertion's `aud` may name (compared case-insensitively, trailing slash ignored). */
  readonly audiences: readonly string[];
  /** The emulator's signing keys (federated tokens are signed by them) and whether a `kid` is one of them. */
  readonly emulatorKeys: readonly KeyObject[];
  readonly isEmulatorKid: (kid: unknown) => boolean;
  /** Now, in ms since the epoch. */
  readonly nowMs: number;
  /** Tolerance for `exp` and `nbf`, in seconds. */
  readonly clockSkewSeconds: number;
}

interface Decoded {
  readonly header: Record<string, unknown>;
  readonly claims: Record<string, unknown>;
  readonly signingInput: string;
  readonly signature: Buffer;
}

function decode(assertion: string): Decoded | undefined {
  const parts = assertion.split('.');
  if (parts.length !== 3) return undefined;
  const [h, p, s] = parts as [string, string, string];
  try {
    const header: unknown = JSON.parse(Buffer.from(h, 'base64url').toString('utf8'));
    const claims: unknown = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
    if (typeof header !== 'object' || header === null || typeof claims !== 'object' || claims === null) return undefined;
    return { header: header as Record<string, unknown>, claims: claims as Record<string, unknown>, signingInput: `${h}.${p}`, signature: Buffer.from(s, 'base64url') };
  } catch {
    return undefined;
  }
}

function signatureValid(decoded: Decoded, key: KeyObject): boolean {
  const alg = decoded.header['alg'];
  try {
    if (alg === 'RS256') return verify('sha256', Buffer.from(decoded.signingInput), key, decoded.signature);
    if (alg === 'PS256') {
      return verify('sha256', Buffer.from(decoded.signingInput), { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }, decoded.signature);
    }
  } catch {
    return false;
  }
  return false;
}

const normalizeUrl = (url: string): string => url.toLowerCase().replace(/\/+$/, '');

function checkTimes(claims: Record<string, unknown>, ctx: AssertionContext): string | undefined {
  const now = ctx.nowMs / 1000;
  const exp = claims['exp'];
  if (typeof exp !== 'number') return 'the assertion has no exp claim';
  if (exp + ctx.clockSkewSeconds <= now) return 'the assertion has expired';
  const nbf = claims['nbf'];
  if (typeof nbf === 'number' && nbf - ctx.clockSkewSeconds > now) return 'the assertion is not yet valid (nbf)';
  return undefined;
}

function checkFederated(decoded: Decoded, principal: ServicePrincipal, ctx: AssertionContext): AssertionCheck {
  if (decoded.header['alg'] !== 'RS256' || !ctx.emulatorKeys.some((key) => signatureValid(decoded, key))) {
    return { ok: false, reason: 'the federated token signature is not valid' };
  }
  const { iss, sub, aud } = decoded.claims;
  const audiences = (Array.isArray(aud) ? aud : [aud]).filter((a): a is string => typeof a === 'string');
  const credential = principal.federatedCredentials.find((c) => c.issuer === iss && c.subject === sub);
  if (!credential) return { ok: false, reason: `no federated credential of the app matches the token's issuer and subject` };
  const accepted = credential.audiences ?? [FEDERATED_TOKEN_AUDIENCE];
  if (!audiences.some((a) => accepted.includes(a))) return { ok: false, reason: 'the federated token audience is not accepted' };
  const time = checkTimes(decoded.claims, ctx);
  return time ? { ok: false, reason: time } : { ok: true, kind: 'federated' };
}

function checkCertificate(decoded: Decoded, principal: ServicePrincipal, ctx: AssertionContext): AssertionCheck {
  const { header, claims } = decoded;
  if (header['alg'] !== 'RS256' && header['alg'] !== 'PS256') return { ok: false, reason: 'the assertion algorithm must be RS256 or PS256' };
  const x5t = header['x5t'];
  const x5tS256 = header['x5t#S256'];
  if (typeof x5t !== 'string' && typeof x5tS256 !== 'string') return { ok: false, reason: 'the assertion header has no x5t or x5t#S256' };
  const certificate = principal.certificates.find((c) => (typeof x5tS256 === 'string' ? c.x5tS256 === x5tS256 : c.x5t === x5t));
  if (!certificate) return { ok: false, reason: 'the assertion thumbprint does not match a certificate registered for the app' };
  const x5c = header['x5c'];
  if (x5c !== undefined) {
    const leaf: unknown = Array.isArray(x5c) ? x5c[0] : x5c;
    let leafCert: X509Certificate;
    try {
      leafCert = new X509Certificate(Buffer.from(String(leaf), 'base64'));
    } catch {
      return { ok: false, reason: 'the assertion x5c header is not a certificate chain' };
    }
    if (certificateThumbprints(leafCert).x5tS256 !== certificate.x5tS256) {
      return { ok: false, reason: 'the assertion x5c certificate does not match its thumbprint' };
    }
  }
  if (!signatureValid(decoded, certificate.x509.publicKey)) return { ok: false, reason: 'the assertion signature is not valid for the certificate' };
  if (claims['iss'] !== principal.clientId || claims['sub'] !== principal.clientId) {
    return { ok: false, reason: 'the assertion iss and sub must both be the client id' };
  }
  const aud = claims['aud'];
  const audiences = (Array.isArray(aud) ? aud : [aud]).filter((a): a is string => typeof a === 'string').map(normalizeUrl);
  if (!ctx.audiences.some((a) => audiences.includes(normalizeUrl(a)))) return { ok: false, reason: 'the assertion audience is not the token endpoint' };
  const time = checkTimes(claims, ctx);
  return time ? { ok: false, reason: time } : { ok: true, kind: 'certificate' };
}

/**
 * Checks a `client_assertion` for `principal`: a certificate-signed assertion (RS256 or PS256, `x5t`/`x5t#S256`,
 * optional `x5c`) or a federated token the emulator signed for one of the principal's federated credentials.
 * Never throws; never echoes the assertion.
 */
export function checkClientAssertion(assertion: string, principal: ServicePrincipal, ctx: AssertionContext): AssertionCheck {
  const decoded = decode(assertion);
  if (!decoded) return { ok: false, reason: 'the assertion is not a compact JWS' };
  if (ctx.isEmulatorKid(decoded.header['kid'])) return checkFederated(decoded, principal, ctx);
  return checkCertificate(decoded, principal, ctx);
}
