import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigurationError } from '../../src/errors.js';
import { DEFAULT_REAUTHENTICATION_JITTER_MS } from '../../src/index.js';
import { createFromIdentityProvider } from '../../src/provider/create-from-identity-provider.js';
import type { EntraIdProviderOptions } from '../../src/provider/options.js';
import type { RedisCredentials } from '../../src/provider/types.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { FakeIdentityProvider } from '../helpers/fake-identity.js';

const MIN = 60_000;
/** Token lifetime 60 min, renewal at 75 % (45 min): 15 min left, far above the 500 ms jitter. */
const REFRESH_AT_MS = 45 * MIN;

/** A deterministic `random`: returns `values` in turn (then repeats the last one). */
function sequence(...values: number[]): () => number {
  let i = 0;
  return () => values[Math.min(i++, values.length - 1)] as number;
}

/** The jitter these tests turn on (the default is 0). */
const JITTER_MS = 500;

function setup(options: EntraIdProviderOptions = {}, lifetimeMs = 60 * MIN) {
  const clock = new FakeClock();
  const identity = new FakeIdentityProvider({ now: () => clock.now(), lifetimeMs });
  const provider = createFromIdentityProvider(identity, {
    clock,
    tokenManagerConfig: { expirationRefreshRatio: 0.75 },
    reAuthenticationJitterMs: JITTER_MS,
    ...options,
  });
  return { clock, identity, provider };
}

/** A listener recording when (fake time) it received which password. */
function listener(clock: FakeClock) {
  const received: { atMs: number; password: string }[] = [];
  return {
    received,
    onNext: (c: RedisCredentials) => received.push({ atMs: clock.now(), password: c.password }),
    onError: () => undefined,
  };
}

/** Moves the fake clock to the renewal (the manager's refresh timer is the only one pending). */
async function renew(clock: FakeClock): Promise<number> {
  const delay = await clock.runNext();
  assert.ok(delay !== undefined, 'a refresh timer is pending');
  return clock.now();
}

describe('EntraIdCredentialsProvider re-authentication jitter', () => {
  it('defaults to 0 ms: delivery at once unless asked for', () => {
    assert.equal(DEFAULT_REAUTHENTICATION_JITTER_MS, 0);
  });

  it('spreads a renewal over [0, jitter] per listener; subscribe() and the first token stay immediate', async () => {
    const { clock, identity, provider } = setup({ reAuthenticationJitterMs: 400, random: sequence(0, 0.5, 0.999) });
    const listeners = [listener(clock), listener(clock), listener(clock)];
    for (const l of listeners) {
      const [credentials] = await provider.subscribe(l);
      assert.equal(credentials.password, identity.minted[0]);
    }
    assert.equal(clock.pendingCount, 1, 'only the refresh timer: the first token is not delayed');
    const renewedAt = await renew(clock);
    // random 0 → delivered synchronously; 0.5 → 200 ms; 0.999 → 399 ms.
    assert.deepEqual(
      listeners.map((l) => l.received.length),
      [1, 0, 0],
    );
    await clock.advance(400);
    assert.deepEqual(
      listeners.map((l) => l.received[0]?.atMs === undefined ? undefined : l.received[0].atMs - renewedAt),
      [0, 200, 399],
    );
    for (const l of listeners) assert.equal(l.received[0]?.password, identity.minted[1]);
    await provider.close();
  });

  it('caps the delay at 10% of the time the previous token has left', async () => {
    // 10 s tokens renewed at 75 %: 2.5 s left, so the bound is 250 ms, not 5 000 ms.
    const { clock, provider } = setup({ reAuthenticationJitterMs: 5_000, random: sequence(0.999) }, 10_000);
    const l = listener(clock);
    await provider.subscribe(l);
    const renewedAt = await renew(clock);
    assert.equal(renewedAt - Date.UTC(2030, 0, 1), 7_500);
    assert.ok(clock.pendingDelays().includes(249));
    await clock.advance(250);
    assert.equal(l.received.length, 1);
    assert.equal(l.received[0]?.atMs, renewedAt + 249);
    await provider.close();
  });

  it('reAuthenticationJitterMs: 0 delivers synchronously, with no timer', async () => {
    const { clock, provider } = setup({ reAuthenticationJitterMs: 0, random: sequence(0.9) });
    const l = listener(clock);
    await provider.subscribe(l);
    const renewedAt = await renew(clock);
    assert.equal(l.received.length, 1);
    assert.equal(l.received[0]?.atMs, renewedAt);
    assert.equal(clock.pendingCount, 1, 'only the next refresh timer');
    await provider.close();
  });

  it('close() cancels pending deliveries', async () => {
    const { clock, provider } = setup({ random: sequence(0.5) });
    const l = listener(clock);
    await provider.subscribe(l);
    await renew(clock);
    assert.equal(clock.pendingCount, 2, 'the next refresh and one delivery');
    await provider.close();
    assert.equal(clock.pendingCount, 0);
    await clock.advance(JITTER_MS);
    assert.equal(l.received.length, 0);
  });

  it('a listener disposed while its delivery is pending is skipped', async () => {
    const { clock, provider } = setup({ random: sequence(0.5) });
    const kept = listener(clock);
    const dropped = listener(clock);
    await provider.subscribe(kept);
    const [, subscription] = await provider.subscribe(dropped);
    await renew(clock);
    subscription.dispose();
    await clock.advance(JITTER_MS);
    assert.equal(kept.received.length, 1);
    assert.equal(dropped.received.length, 0);
    await provider.close();
  });

  it('a newer token supersedes a pending delivery of an older one', async () => {
    // Token 2's delivery waits 499 ms; token 2 asks to be refreshed after 100 ms, so token 3 arrives first and
    // replaces the pending delivery: the listener gets token 3 only, 10% of 500 ms (random 0.2) after it.
    const { clock, identity, provider } = setup({
      reAuthenticationJitterMs: 500,
      random: sequence(0.999, 0.2),
      tokenManagerConfig: { expirationRefreshRatio: 0.75, minRefreshIntervalMs: 1 },
    });
    const l = listener(clock);
    await provider.subscribe(l);
    identity.queue.push({ kind: 'token', refreshAfterMs: clock.now() + REFRESH_AT_MS + 100 });
    const renewedAt = await renew(clock);
    assert.equal(identity.minted.length, 2);
    assert.deepEqual(clock.pendingDelays(), [100, 499]);
    const refreshedAt = await renew(clock);
    assert.equal(refreshedAt, renewedAt + 100);
    assert.equal(identity.minted.length, 3);
    assert.equal(clock.pendingCount, 2, "the next refresh and token 3's delivery; token 2's was cancelled");
    assert.ok(!clock.pendingDelays().includes(399));
    await clock.advance(1_000);
    assert.deepEqual(
      l.received.map((r) => r.password),
      [identity.minted[2]],
    );
    assert.equal(l.received[0]?.atMs, refreshedAt + 100);
    await provider.close();
  });

  it('validates the option, naming it', () => {
    for (const [value, got] of [
      [-1, '-1'],
      [Number.NaN, 'NaN'],
      [Number.POSITIVE_INFINITY, 'Infinity'],
      ['500', 'string'],
      [null, 'null'],
    ] as const) {
      assert.throws(
        () => createFromIdentityProvider(new FakeIdentityProvider(), { reAuthenticationJitterMs: value as number }),
        (e: unknown) =>
          e instanceof ConfigurationError &&
          e.code === 'ERR_INVALID_CONFIG' &&
          e.field === 'reAuthenticationJitterMs' &&
          e.message === `"reAuthenticationJitterMs" must be a finite number >= 0 (milliseconds), got ${got}`,
      );
    }
    assert.doesNotThrow(() => createFromIdentityProvider(new FakeIdentityProvider(), { reAuthenticationJitterMs: 0 }));
  });
});
