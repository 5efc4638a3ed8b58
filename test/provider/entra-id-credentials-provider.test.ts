import assert from 'node:assert/strict';
import { subscribe as subscribeChannel, unsubscribe as unsubscribeChannel } from 'node:diagnostics_channel';
import { describe, it } from 'node:test';
import { inspect } from 'node:util';
import { ConfigurationError, NoTokenError, ProviderClosedError, ReAuthenticationError } from '../../src/errors.js';
import type { IdentityProvider } from '../../src/identity/identity-provider.js';
import { createFromIdentityProvider } from '../../src/provider/create-from-identity-provider.js';
import { DIAGNOSTICS_CHANNELS } from '../../src/provider/diagnostics.js';
import type { EntraIdProviderOptions } from '../../src/provider/options.js';
import type { RedisCredentials, RenewalFailedEvent } from '../../src/provider/types.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { FakeIdentityProvider } from '../helpers/fake-identity.js';

const MIN = 60_000;

function setup(options: EntraIdProviderOptions = {}, identityOptions: { lifetimeMs?: number; oid?: string | undefined } = {}) {
  const clock = new FakeClock();
  const identity = new FakeIdentityProvider({ now: () => clock.now(), ...identityOptions });
  const provider = createFromIdentityProvider(identity, { clock, random: () => 0.5, ...options });
  return { clock, identity, provider };
}

function listener() {
  const next: RedisCredentials[] = [];
  const errors: Error[] = [];
  return { next, errors, onNext: (c: RedisCredentials) => next.push(c), onError: (e: Error) => errors.push(e) };
}

describe('createFromIdentityProvider', () => {
  it('validates the identity provider and the config', () => {
    assert.throws(() => createFromIdentityProvider({} as IdentityProvider), {
      name: 'ConfigurationError',
      field: 'identityProvider',
      message: '"identityProvider" must be an object with a requestToken(request) method',
    });
    assert.throws(
      () => createFromIdentityProvider(new FakeIdentityProvider(), { tokenManagerConfig: { retryPolicy: { maxAttempts: 0 } } }),
      (e: unknown) => e instanceof ConfigurationError && e.field === 'tokenManagerConfig.retryPolicy.maxAttempts',
    );
  });
});

describe('EntraIdCredentialsProvider', () => {
  it('has the node-redis streaming provider shape', () => {
    const { provider } = setup();
    assert.equal(provider.type, 'streaming-credentials-provider');
    assert.equal(typeof provider.subscribe, 'function');
    assert.equal(typeof provider.onReAuthenticationError, 'function');
  });

  it('username = oid, password = token; getCredentials sync after async', async () => {
    const { provider, identity } = setup();
    assert.throws(() => provider.getCredentials(), NoTokenError);
    const credentials = await provider.getCredentialsAsync();
    assert.equal(credentials.username, identity.oid);
    assert.equal(credentials.password, identity.minted[0]);
    assert.equal(provider.getCredentials(), credentials);
    assert.equal(provider.getTokenInfo()?.oid, identity.oid);
    assert.equal((await provider.getAccessToken()).value(), identity.minted[0]);
    await provider.close();
  });

  it('100 concurrent getCredentialsAsync → one request', async () => {
    const { provider, identity } = setup();
    const all = await Promise.all(Array.from({ length: 100 }, () => provider.getCredentialsAsync()));
    assert.equal(identity.requests.length, 1);
    assert.ok(all.every((c) => c === all[0]));
    await provider.close();
  });

  it('first-token failure rejects every subscriber with the same coded error', async () => {
    const { provider, identity } = setup({ tokenManagerConfig: { retryPolicy: { maxAttempts: 1 } } });
    identity.failWith = Object.assign(new Error('bad'), { errorCode: 'invalid_client', status: 401 });
    const settled = await Promise.allSettled([provider.subscribe(listener()), provider.subscribe(listener()), provider.getCredentialsAsync()]);
    const reasons = settled.map((s) => (s.status === 'rejected' ? (s.reason as { code?: string }) : undefined));
    assert.equal(reasons[0]?.code, 'ERR_TOKEN_REQUEST_FAILED');
    assert.ok(reasons.every((r) => r === reasons[0]));
    assert.equal(identity.requests.length, 1);
    assert.equal(provider.subscriberCount, 0);
    await provider.close();
  });

  it('a token without oid is a failed renewal naming the claim', async () => {
    const { provider } = setup({ tokenManagerConfig: { retryPolicy: { maxAttempts: 1 } } }, { oid: undefined });
    const failures: RenewalFailedEvent[] = [];
    provider.on('renewalFailed', (e) => failures.push(e));
    await assert.rejects(provider.getCredentialsAsync(), { code: 'ERR_TOKEN_REQUEST_FAILED', kind: 'invalid-response' });
    const cause = failures[0]?.error.cause as { code?: string; claim?: string } | undefined;
    assert.equal(cause?.code, 'ERR_TOKEN_INVALID');
    assert.equal(cause?.claim, 'oid');
    await provider.close();
  });

  it('streams renewed credentials to subscribers, only when the token changed', async () => {
    // Synchronous delivery: the re-authentication jitter has its own tests (reauth-jitter.test.ts).
    const { provider, identity, clock } = setup({ reAuthenticationJitterMs: 0 });
    const a = listener();
    const b = listener();
    const renewed: number[] = [];
    provider.on('tokenRenewed', (e) => renewed.push(e.sequence));
    const [first] = await provider.subscribe(a);
    const [firstB] = await provider.subscribe(b);
    assert.equal(first, firstB);
    assert.equal(identity.requests.length, 1);
    assert.equal(a.next.length, 0);
    identity.queue.push({ kind: 'same' });
    await clock.advance(48 * MIN);
    assert.equal(a.next.length, 0);
    await clock.advance(5_000);
    assert.equal(a.next.length, 1);
    assert.equal(b.next.length, 1);
    assert.equal(a.next[0]?.password, identity.minted.at(-1));
    assert.deepEqual(renewed, [1, 2]);
    await provider.close();
  });

  it('a listener that throws does not break delivery to others; it is reported', async () => {
    const { provider, clock } = setup({ reAuthenticationJitterMs: 0 });
    const good = listener();
    const reAuthFailures: ReAuthenticationError[] = [];
    provider.on('reAuthenticationFailed', (e) => reAuthFailures.push(e.error));
    provider.on('tokenRenewed', () => {
      throw new Error('event listener bug');
    });
    await provider.subscribe({ onNext: () => { throw new Error('listener bug'); }, onError: () => undefined });
    await provider.subscribe(good);
    await clock.advance(48 * MIN);
    assert.equal(good.next.length, 1);
    assert.equal(reAuthFailures.length, 1);
    assert.equal(reAuthFailures[0]?.message, 're-authentication failed: listener bug');
    await provider.close();
  });

  it('reference counting: the manager stops when the last subscriber leaves and restarts on subscribe', async () => {
    const { provider, clock, identity } = setup();
    const [, s1] = await provider.subscribe(listener());
    const [, s2] = await provider.subscribe(listener());
    assert.equal(clock.pendingCount, 1);
    s1.dispose();
    s1.dispose();
    assert.equal(clock.pendingCount, 1);
    s2.dispose();
    assert.equal(clock.pendingCount, 0);
    assert.equal(provider.subscriberCount, 0);
    await provider.subscribe(listener());
    assert.equal(clock.pendingCount, 1);
    assert.equal(identity.requests.length, 1);
    await provider.close();
    assert.equal(clock.pendingCount, 0);
  });

  it('onReAuthenticationError emits reAuthenticationFailed and never throws', async () => {
    const { provider } = setup();
    const seen: ReAuthenticationError[] = [];
    provider.once('reAuthenticationFailed', (e) => seen.push(e.error));
    provider.onReAuthenticationError(new Error('WRONGPASS invalid username-password pair'));
    provider.onReAuthenticationError(new Error('second'));
    assert.equal(seen.length, 1);
    assert.ok(seen[0] instanceof ReAuthenticationError);
    assert.equal(seen[0].code, 'ERR_REAUTH_FAILED');
    provider.reportReAuthenticationFailure(new Error('x'), '10.0.0.1:6380');
    const skipped: string[] = [];
    provider.on('reAuthenticationSkipped', (e) => skipped.push(e.reason));
    provider.reportReAuthenticationSkipped({ address: 'h:1', reason: 'resp2-subscriber', action: 'reconnect-before-expiry' });
    assert.deepEqual(skipped, ['resp2-subscriber']);
    await provider.close();
  });

  it('close(): idempotent, shared promise, onError to subscribers, closed event, later calls fail', async () => {
    const { provider, identity } = setup();
    const l = listener();
    await provider.subscribe(l);
    let closedEvents = 0;
    provider.on('closed', () => closedEvents++);
    const p1 = provider.close();
    const p2 = provider.close();
    assert.equal(p1, p2);
    await p1;
    await provider.close();
    assert.equal(closedEvents, 1);
    assert.equal(identity.closeCount, 1);
    assert.equal(l.errors.length, 1);
    assert.ok(l.errors[0] instanceof ProviderClosedError);
    assert.equal(provider.closed, true);
    assert.throws(() => provider.getCredentials(), { code: 'ERR_PROVIDER_CLOSED', message: 'the credentials provider is closed' });
    await assert.rejects(provider.getCredentialsAsync(), ProviderClosedError);
    await assert.rejects(provider.subscribe(listener()), ProviderClosedError);
    await assert.rejects(provider.getAccessToken(), ProviderClosedError);
  });

  it('Symbol.asyncDispose closes it', async () => {
    const { provider } = setup();
    await provider.getCredentialsAsync();
    {
      await using disposable = provider;
      assert.equal(disposable.closed, false);
    }
    assert.equal(provider.closed, true);
  });

  it('recovers after an outage longer than the token life, without restart', async () => {
    const { provider, identity, clock } = setup(
      { tokenManagerConfig: { failedRenewalRetryIntervalMs: 1_000, maxFailedRenewalRetryIntervalMs: 2_000, retryPolicy: { maxAttempts: 1 } } },
      { lifetimeMs: 10_000 },
    );
    const l = listener();
    const failures: RenewalFailedEvent[] = [];
    provider.on('renewalFailed', (e) => failures.push(e));
    await provider.subscribe(l);
    identity.failWith = Object.assign(new Error('down'), { code: 'ECONNREFUSED' });
    await clock.advance(30_000);
    assert.equal(l.next.length, 0);
    assert.equal(l.errors.length, 0, 'a transient outage never calls onError');
    assert.ok(failures.some((f) => (f.currentTokenExpiresAtMs ?? Infinity) < clock.now()));
    assert.throws(() => provider.getCredentials(), NoTokenError);
    identity.failWith = undefined;
    await clock.advance(2_000);
    assert.equal(l.next.length, 1);
    assert.equal(l.next[0]?.password, identity.minted.at(-1));
    await provider.close();
  });

  it('never shows the token in inspect, JSON, events or diagnostics', async () => {
    const { provider, identity, clock } = setup();
    const published: unknown[] = [];
    const onMessage = (message: unknown): void => {
      published.push(message);
    };
    subscribeChannel(DIAGNOSTICS_CHANNELS.tokenRenewed, onMessage);
    try {
      const events: unknown[] = [];
      provider.on('tokenRenewed', (e) => events.push(e));
      await provider.subscribe(listener());
      await clock.advance(48 * MIN);
      const tokens = identity.minted;
      assert.equal(tokens.length, 2);
      const shown = [inspect(provider, { depth: 10 }), JSON.stringify(provider), inspect(events, { depth: 10 }), JSON.stringify(events), inspect(published, { depth: 10 })];
      for (const text of shown) for (const token of tokens) assert.ok(!text.includes(token), text);
      assert.match(inspect(provider), /^EntraIdCredentialsProvider \{ identity: 'fake', subscribers: 1, token: \{ oid: '0000/);
      assert.equal(published.length, 2);
      assert.equal(JSON.parse(JSON.stringify(provider)).token.oid, identity.oid);
    } finally {
      unsubscribeChannel(DIAGNOSTICS_CHANNELS.tokenRenewed, onMessage);
      await provider.close();
    }
  });
});
