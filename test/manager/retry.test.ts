import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TokenExpiredError, TokenInvalidError, TokenRequestError, TokenRequestTimeoutError } from '../../src/errors.js';
import { resolveTokenManagerConfig } from '../../src/manager/config.js';
import { classifyTokenError, computeBackoffMs, parseRetryAfterMs, scrubSecrets } from '../../src/manager/retry.js';

const policy = resolveTokenManagerConfig({
  retryPolicy: { delayInMs: 100, backoffMultiplier: 2, maxDelayInMs: 1_000, jitterRatio: 0.2 },
}).retryPolicy;

describe('computeBackoffMs', () => {
  it('grows exponentially and caps (no jitter at random = 0.5)', () => {
    const delays = [1, 2, 3, 4, 5, 6].map((attempt) => computeBackoffMs(attempt, policy, () => 0.5));
    assert.deepEqual(delays, [100, 200, 400, 800, 1_000, 1_000]);
  });
  it('spreads by ±jitterRatio as a fraction', () => {
    assert.equal(computeBackoffMs(1, policy, () => 0), 80);
    assert.equal(computeBackoffMs(1, policy, () => 0.999999), 120);
    assert.equal(computeBackoffMs(3, policy, () => 0), 320);
  });
  it('never exceeds maxDelayInMs after jitter', () => {
    assert.equal(computeBackoffMs(10, policy, () => 0.999999), 1_000);
  });
});

describe('parseRetryAfterMs', () => {
  it('reads delta seconds and HTTP dates', () => {
    assert.equal(parseRetryAfterMs('7'), 7_000);
    assert.equal(parseRetryAfterMs(' 1.5 '), 1_500);
    const now = Date.UTC(2030, 0, 1);
    assert.equal(parseRetryAfterMs(new Date(now + 30_000).toUTCString(), now), 30_000);
    assert.equal(parseRetryAfterMs('soon'), undefined);
    assert.equal(parseRetryAfterMs(undefined), undefined);
  });
});

/** An error shaped like msal-common's ServerError / AuthError. */
function msalError(name: string, errorCode: string, errorMessage: string, extra: Record<string, unknown> = {}): Error {
  const error = new Error(`${errorCode}: ${errorMessage}`);
  error.name = name;
  Object.assign(error, { errorCode, errorMessage, subError: '', correlationId: 'c', ...extra });
  return error;
}

/** An error shaped like @azure/identity's AuthenticationError. */
function identityAuthError(statusCode: number, error: string, description: string): Error {
  const e = new Error(`${error}: ${description}`);
  e.name = 'AuthenticationError';
  Object.assign(e, { statusCode, errorResponse: { error, errorDescription: description } });
  return e;
}

function netError(code: string): Error {
  return Object.assign(new Error(`connect ${code} 127.0.0.1:1`), { code });
}

describe('classifyTokenError', () => {
  const table: { name: string; error: unknown; kind: string; retryable: boolean; status?: number; errorCode?: string }[] = [
    {
      name: 'msal invalid_client with AADSTS code',
      error: msalError('ServerError', 'invalid_client', 'AADSTS7000215: Invalid client secret provided.', { status: 401 }),
      kind: 'authentication',
      retryable: false,
      status: 401,
      errorCode: 'AADSTS7000215',
    },
    { name: 'msal unauthorized_client', error: msalError('ServerError', 'unauthorized_client', 'x'), kind: 'authentication', retryable: false },
    { name: 'msal invalid_scope', error: msalError('ServerError', 'invalid_scope', 'AADSTS70011'), kind: 'configuration', retryable: false },
    { name: 'msal invalid_request', error: msalError('ServerError', 'invalid_request', 'bad'), kind: 'configuration', retryable: false },
    {
      name: 'msal server_error 503',
      error: msalError('ServerError', 'server_error', 'oops', { status: 503 }),
      kind: 'server',
      retryable: true,
      status: 503,
    },
    { name: 'msal temporarily_unavailable', error: msalError('ServerError', 'temporarily_unavailable', 'x'), kind: 'server', retryable: true },
    { name: 'msal network_error', error: msalError('ClientAuthError', 'network_error', 'x'), kind: 'network', retryable: true },
    { name: 'ECONNREFUSED', error: netError('ECONNREFUSED'), kind: 'network', retryable: true },
    { name: 'ECONNRESET', error: netError('ECONNRESET'), kind: 'network', retryable: true },
    { name: 'ETIMEDOUT', error: netError('ETIMEDOUT'), kind: 'network', retryable: true },
    { name: 'ENOTFOUND', error: netError('ENOTFOUND'), kind: 'network', retryable: true },
    {
      name: 'fetch failed with cause',
      error: new TypeError('fetch failed', { cause: netError('ECONNREFUSED') }),
      kind: 'network',
      retryable: true,
    },
    {
      name: 'identity AuthenticationError 401',
      error: identityAuthError(401, 'invalid_client', 'AADSTS7000215: Invalid client secret'),
      kind: 'authentication',
      retryable: false,
      status: 401,
    },
    { name: 'identity AuthenticationError 500', error: identityAuthError(500, 'server_error', 'boom'), kind: 'server', retryable: true },
    {
      name: 'identity CredentialUnavailableError',
      error: Object.assign(new Error('ManagedIdentityCredential: unavailable'), { name: 'CredentialUnavailableError' }),
      kind: 'configuration',
      retryable: false,
    },
    { name: 'plain HTTP 429', error: Object.assign(new Error('x'), { statusCode: 429 }), kind: 'throttled', retryable: true, status: 429 },
    { name: 'token invalid', error: new TokenInvalidError('bad', { claim: 'exp' }), kind: 'invalid-response', retryable: true },
    { name: 'token expired', error: new TokenExpiredError(0, 1000), kind: 'invalid-response', retryable: true },
    { name: 'unknown error', error: new Error('what'), kind: 'unknown', retryable: true },
    { name: 'a string', error: 'nope', kind: 'unknown', retryable: true },
  ];
  for (const row of table) {
    it(`${row.name} → ${row.kind}`, () => {
      const classified = classifyTokenError(row.error);
      assert.ok(classified instanceof TokenRequestError);
      assert.equal(classified.code, 'ERR_TOKEN_REQUEST_FAILED');
      assert.equal(classified.kind, row.kind);
      assert.equal(classified.retryable, row.retryable);
      assert.equal(classified.cause, row.error);
      if (row.status !== undefined) assert.equal(classified.status, row.status);
      if (row.errorCode !== undefined) assert.equal(classified.errorCode, row.errorCode);
    });
  }

  it('builds its own message from codes', () => {
    const classified = classifyTokenError(
      msalError('ServerError', 'invalid_client', 'AADSTS7000215: Invalid client secret provided.', { status: 401 }),
    );
    assert.equal(
      classified.message,
      'token request failed (ServerError, code invalid_client, AADSTS7000215, HTTP 401): the credential was rejected; ' +
        'check the client id, secret or certificate and the tenant',
    );
  });

  it('reads Retry-After from headers (object, Headers, response.headers) for 429', () => {
    const a = classifyTokenError(Object.assign(new Error('x'), { status: 429, headers: { 'Retry-After': '12' } }));
    assert.equal(a.kind, 'throttled');
    assert.equal(a.retryAfterMs, 12_000);
    const b = classifyTokenError(
      Object.assign(new Error('x'), { statusCode: 429, response: { status: 429, headers: new Headers({ 'retry-after': '3' }) } }),
    );
    assert.equal(b.retryAfterMs, 3_000);
    const c = classifyTokenError(Object.assign(new Error('x'), { status: 429 }));
    assert.equal(c.retryAfterMs, undefined);
  });

  it('returns a TokenRequestError as is (timeouts stay timeouts)', () => {
    const timeout = new TokenRequestTimeoutError(100);
    assert.equal(classifyTokenError(timeout), timeout);
    assert.equal(timeout.kind, 'timeout');
    assert.equal(timeout.retryable, true);
  });

  it('never puts a token or secret in its message', () => {
    const jwt = 'eyJhbGciOiJub25lIn0.eyJvaWQiOiJ4In0.c2ln';
    const error = msalError('ServerError', 'invalid_client', `client_secret=Sup3rS3cret&assertion=${jwt}`, { status: 401 });
    const classified = classifyTokenError(error);
    assert.ok(!classified.message.includes('Sup3rS3cret'));
    assert.ok(!classified.message.includes(jwt));
    assert.ok(!JSON.stringify(classified).includes('Sup3rS3cret'));
    assert.equal(scrubSecrets(`x client_secret=abc&client_assertion=${jwt} y`), 'x client_secret=[redacted]&client_assertion=[redacted] y');
    assert.equal(scrubSecrets(`Bearer ${jwt}`), 'Bearer [redacted-jwt]');
  });
});
