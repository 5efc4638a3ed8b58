import { createSign, type KeyObject } from 'node:crypto';

/** Header fields of a JWS signed by the emulator. */
export interface JwsHeader {
  readonly alg: 'RS256';
  readonly typ?: string;
  readonly kid?: string;
  readonly x5t?: string;
  readonly 'x5t#S256'?: string;
  readonly [name: string]: unknown;
}

function encode(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

/**
 * Signs `payload` as an RS256 compact JWS.
 *
 * @param payload - the claims.
 * @param privateKey - an RSA private key.
 * @param header - extra header fields (`kid`, `x5t`, …); `alg` is always RS256.
 */
export function signJwt(payload: Record<string, unknown>, privateKey: KeyObject, header: Partial<JwsHeader> = {}): string {
  const signingInput = `${encode({ typ: 'JWT', ...header, alg: 'RS256' })}.${encode(payload)}`;
  const signature = createSign('RSA-SHA256').update(signingInput).sign(privateKey).toString('base64url');
  return `${signingInput}.${signature}`;
}
