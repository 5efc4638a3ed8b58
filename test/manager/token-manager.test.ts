import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProviderClosedError, TokenRequestError, TokenRequestTimeoutError } from '../../src/errors.js';
import { resolveTokenManagerConfig, type TokenManagerConfig } from '../../src/manager/config.js';
import { TokenManager } from '../../src/manager/token-manager.js';
import type { RenewalFailedEvent } from '../../src/provider/types.js';
import type { AccessToken } from '../../src/token/access-token.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { FakeIdentityProvider } from '../helpers/fake-identity.js';

const MIN = 60_000;

function setup(config: TokenManagerConfig = {}, lifetimeMs = 60 * MIN) {
  const clock = new FakeClock();
  const identity = new FakeIdentityProvider({ now: () => clock.now(), lifetimeMs });
  const manager = new TokenManager(identity, resolveTokenManagerConfig(config), { clock, random: () => 0.5 });
  const tokens: AccessToken[] = [];
  const failures: RenewalFailedEvent[] = [];
  manager.addListener({ onToken: (t) => tokens.push(t), onRenewalFailed: (e) => failures.push(e) });
  return { clock, identity, manager, tokens, failures };
}

const serverError = () => Object.assign(new Error('boom'), { name: 'ServerError', errorCode: 'server_error', status: 503 });
const badSecret = () => Object.assign(new Error('bad'), { name: 'ServerError', errorCode: 'invalid_client', status: 401 });

describe('TokenManager', () => {
  it('single-flight: 100 concurrent getToken calls cause one request', async () => {
    const { manager, identity } = setup();
    const results = await Promise.all(Array.from({ length: 100 }, () => manager.getToken()));
    assert.equal(identity.requests.length, 1);
    assert.equal(identity.requests[0]?.forceRefresh, false);
    assert.ok(results.every((t) => t === results[0]));
    manager.close();
  });

  it('first-token failure rejects every waiter with the same coded error, no retry for a wrong secret', async () => {
    const { manager, identity } = setup({ retryPolicy: { maxAttempts: 5, delayInMs: 10 } });
    identity.failWith = badSecret();
    const settled = await Promise.allSettled(Array.from({ length: 10 }, () => manager.getToken()));
    assert.equal(identity.requests.length, 1);
    const reasons = settled.map((s) => (s.status === 'rejected' ? (s.reason as unknown) : undefined));
    assert.ok(reasons[0] instanceof TokenRequestError);
    assert.equal(reasons[0].kind, 'authentication');
    assert.ok(reasons.every((r) => r === reasons[0]));
    manager.close();
  });

  it('retries retryable errors with backoff, then succeeds', async () => {
    const { manager, identity, clock, failures } = setup({ retryPolicy: { maxAttempts: 3, delayInMs: 100, jitterRatio: 0 } });
    identity.queue.push({ kind: 'error', error: serverError() }, { kind: 'error', error: serverError() });
    const pending = manager.getToken();
    await clock.advance(100);
    assert.equal(identity.requests.length, 2);
    await clock.advance(200);
    const token = await pending;
    assert.equal(identity.requests.length, 3);
    assert.equal(token.oid, identity.oid);
    assert.deepEqual(failures.map((f) => [f.attempt, f.nextAttemptInMs, f.error.kind]), [
      [1, 100, 'server'],
      [2, 200, 'server'],
    ]);
    manager.close();
  });

  it('honours Retry-After (never retries sooner)', async () => {
    const { manager, identity, clock, failures } = setup({ retryPolicy: { maxAttempts: 2, delayInMs: 10, maxDelayInMs: 10_000 } });
    identity.queue.push({ kind: 'error', error: Object.assign(new Error('slow down'), { status: 429, headers: { 'retry-after': '5' } }) });
    const pending = manager.getToken();
    await clock.advance(4_999);
    assert.equal(identity.requests.length, 1);
    await clock.advance(1);
    await pending;
    assert.equal(identity.requests.length, 2);
    assert.equal(failures[0]?.nextAttemptInMs, 5_000);
    manager.close();
  });

  it('times out a hanging request by aborting its signal', async () => {
    const { manager, identity, clock, failures } = setup({ tokenRequestExecutionTimeoutInMs: 1_000, retryPolicy: { maxAttempts: 1 } });
    identity.queue.push({ kind: 'hang' });
    const pending = manager.getToken();
    const outcome = assert.rejects(pending, (error: unknown) => error instanceof TokenRequestTimeoutError);
    await clock.advance(1_000);
    await outcome;
    const signal = identity.requests[0]?.signal;
    assert.equal(signal?.aborted, true);
    assert.ok(signal?.reason instanceof TokenRequestTimeoutError);
    assert.equal(failures[0]?.error.code, 'ERR_TOKEN_REQUEST_TIMEOUT');
    manager.close();
  });

  it('renews on schedule with forceRefresh and delivers the new token', async () => {
    const { manager, identity, clock, tokens } = setup();
    manager.start();
    await clock.advance(0);
    assert.equal(tokens.length, 1);
    await clock.advance(48 * MIN - 1);
    assert.equal(identity.requests.length, 1);
    await clock.advance(1);
    assert.equal(identity.requests.length, 2);
    assert.equal(identity.requests[1]?.forceRefresh, true);
    assert.equal(tokens.length, 2);
    assert.notEqual(tokens[1]?.value(), tokens[0]?.value());
    assert.equal(manager.currentToken(), tokens[1]);
    manager.close();
    assert.equal(clock.pendingCount, 0);
  });

  it('recovers by itself after an outage longer than the token life', async () => {
    const { manager, identity, clock, tokens, failures } = setup(
      { retryPolicy: { maxAttempts: 2, delayInMs: 100, jitterRatio: 0 }, failedRenewalRetryIntervalMs: 1_000, maxFailedRenewalRetryIntervalMs: 4_000 },
      10_000,
    );
    manager.start();
    await clock.advance(0);
    const first = tokens[0];
    assert.ok(first);
    identity.failWith = netErr();
    await clock.advance(60_000); // six token lives
    assert.equal(tokens.length, 1);
    assert.ok(failures.length > 10);
    assert.ok(failures.some((f) => f.currentTokenExpiresAtMs !== undefined && f.currentTokenExpiresAtMs < clock.now()));
    assert.ok(failures.every((f) => f.nextAttemptInMs !== undefined && f.nextAttemptInMs <= 4_000));
    // still trying: a timer is pending
    assert.equal(clock.pendingCount, 1);
    identity.failWith = undefined;
    await clock.advance(4_000);
    assert.equal(tokens.length, 2);
    assert.ok((tokens[1]?.expiresAtMs ?? 0) > clock.now());
    await assert.doesNotReject(manager.getToken());
    manager.close();
  });

  it('same token again: no delivery, another try later (not a tight loop)', async () => {
    const { manager, identity, clock, tokens } = setup({ failedRenewalRetryIntervalMs: 5_000 });
    manager.start();
    await clock.advance(0);
    identity.queue.push({ kind: 'same' }, { kind: 'same' });
    await clock.advance(48 * MIN);
    assert.equal(identity.requests.length, 2);
    assert.equal(tokens.length, 1);
    assert.deepEqual(clock.pendingDelays(), [5_000]);
    await clock.advance(5_000);
    assert.equal(identity.requests.length, 3);
    assert.deepEqual(clock.pendingDelays(), [10_000]);
    await clock.advance(10_000);
    assert.equal(identity.requests.length, 4);
    assert.equal(tokens.length, 2);
    manager.close();
  });

  it('a non-retryable failure during renewal does not end renewal', async () => {
    const { manager, identity, clock, tokens, failures } = setup({ failedRenewalRetryIntervalMs: 1_000 });
    manager.start();
    await clock.advance(0);
    identity.queue.push({ kind: 'error', error: badSecret() });
    await clock.advance(48 * MIN);
    assert.equal(failures.length, 1);
    assert.equal(failures[0]?.nextAttemptInMs, 1_000);
    await clock.advance(1_000);
    assert.equal(tokens.length, 2);
    manager.close();
  });

  it('stop() cancels the schedule; start() resumes; close() rejects later calls and drops late results', async () => {
    const { manager, identity, clock, tokens } = setup();
    manager.start();
    await clock.advance(0);
    manager.stop();
    assert.equal(clock.pendingCount, 0);
    manager.start();
    assert.deepEqual(clock.pendingDelays(), [48 * MIN]);
    manager.stop();
    identity.queue.push({ kind: 'hang' });
    await clock.advance(48 * MIN);
    const pending = manager.getToken(); // due for renewal and stopped: fetches
    manager.close();
    await assert.rejects(pending, ProviderClosedError);
    await assert.rejects(manager.getToken(), ProviderClosedError);
    assert.throws(() => manager.start(), ProviderClosedError);
    assert.equal(identity.requests.at(-1)?.signal.aborted, true);
    assert.equal(tokens.length, 1);
    assert.equal(clock.pendingCount, 0);
  });

  it('a token without exp is a failed attempt, not a crash', async () => {
    const { manager, identity, failures } = setup({ retryPolicy: { maxAttempts: 1 } });
    identity.queue.push({ kind: 'error', error: undefined });
    const original = identity.requestToken.bind(identity);
    identity.requestToken = async () => ({ token: 'a.b.c' });
    await assert.rejects(manager.getToken(), { code: 'ERR_TOKEN_REQUEST_FAILED', kind: 'invalid-response' });
    identity.requestToken = original;
    assert.equal(failures.length, 1);
    manager.close();
  });
});

function netErr(): Error {
  return Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
}
