import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeJwtClaims, MAX_JWT_LENGTH } from '../../src/token/jwt.js';
import { TokenInvalidError } from '../../src/errors.js';

const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
const jwt = (claims: unknown): string => `${b64({ alg: 'RS256' })}.${b64(claims)}.sig`;

describe('decodeJwtClaims', () => {
  it('returns the payload claims', () => {
    const claims = decodeJwtClaims(jwt({ oid: 'o', exp: 10, aud: 'https://redis.azure.com' }));
    assert.equal(claims.oid, 'o');
    assert.equal(claims.exp, 10);
  });

  it('names the segment count', () => {
    assert.throws(() => decodeJwtClaims('a.b'), (e: unknown) => e instanceof TokenInvalidError && /3 dot-separated segments, got 2/.test(e.message));
  });

  it('refuses bad base64url without echoing the input', () => {
    const secretish = 'SECRET+VALUE';
    assert.throws(() => decodeJwtClaims(`${b64({})}.${secretish}.x`), (e: unknown) => e instanceof TokenInvalidError && !e.message.includes(secretish) && /payload is not base64url/.test(e.message));
  });

  it('refuses a non-number exp and names the claim', () => {
    assert.throws(() => decodeJwtClaims(jwt({ exp: '10' })), (e: unknown) => e instanceof TokenInvalidError && e.claim === 'exp');
  });

  it('refuses oversized tokens', () => {
    assert.throws(() => decodeJwtClaims('a'.repeat(MAX_JWT_LENGTH + 1)), /more than the/);
  });
});
