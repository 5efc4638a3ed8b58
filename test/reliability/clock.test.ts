// Clock faults, with the provider's injectable clock: a token whose exp is already near, and the wall clock
// jumping forward and backward while timers keep running in monotonic time (as Node's timers do).
// The schedule must heal: no tight loop of token requests, no stall without renewals.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Clock, TimerHandle } from '../../src/manager/clock.js';
import { createFromIdentityProvider } from '../../src/provider/create-from-identity-provider.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { FakeIdentityProvider } from '../helpers/fake-identity.js';

/** Wall time = monotonic fake time + an offset that a test can jump; timers follow monotonic time. */
class JumpingClock implements Clock {
  readonly monotonic = new FakeClock();
  offsetMs = 0;
  now(): number {
    return this.monotonic.now() + this.offsetMs;
  }
  setTimeout(callback: () => void, delayMs: number): TimerHandle {
    return this.monotonic.setTimeout(callback, delayMs);
  }
}

const CONFIG = {
  expirationRefreshRatio: 0.8,
  lowerRefreshBoundMillis: 300_000,
  minRefreshIntervalMs: 1_000,
  retryPolicy: { maxAttempts: 3, delayInMs: 1_000, jitterRatio: 0 },
  failedRenewalRetryIntervalMs: 5_000,
};

function setUp(lifetimeMs = 3_600_000): { clock: JumpingClock; identity: FakeIdentityProvider; provider: ReturnType<typeof createFromIdentityProvider> } {
  const clock = new JumpingClock();
  const identity = new FakeIdentityProvider({ now: () => clock.now(), lifetimeMs });
  // The renewal schedule is under test, not the re-authentication jitter (whose timers would join `delays`).
  const provider = createFromIdentityProvider(identity, {
    clock,
    tokenManagerConfig: CONFIG,
    random: () => 0.5,
    reAuthenticationJitterMs: 0,
  });
  return { clock, identity, provider };
}

const listener = { onNext: (): void => undefined, onError: (): void => undefined };

describe('clock faults', () => {
  it('a token whose exp is already near (2 s left, lower bound 5 min): renewed, but at most once per minRefreshIntervalMs', async () => {
    const { clock, identity, provider } = setUp(2_000);
    try {
      await provider.subscribe(listener);
      assert.equal(identity.requests.length, 1);
      // Every answer is again a 2 s token: the manager renews about every second, never in a tight loop.
      await clock.monotonic.advance(10_000);
      const requests = identity.requests.length;
      assert.ok(requests >= 6 && requests <= 11, `${requests} requests in 10 s`);
      assert.ok(clock.monotonic.delays.every((d) => d >= 1_000 || d === 0), `delays ${clock.monotonic.delays.join(',')}`);
      assert.ok((provider.getTokenInfo()?.expiresAtMs ?? 0) > clock.now(), 'a valid token is in use');
    } finally {
      await provider.close();
    }
  });

  it('wall clock jumps forward past expiry: renewed at the next timer, and the schedule continues normally', async () => {
    const { clock, identity, provider } = setUp();
    try {
      await provider.subscribe(listener);
      const firstExpiry = provider.getTokenInfo()?.expiresAtMs ?? 0;
      clock.offsetMs = 2 * 3_600_000; // two hours ahead: the token looks expired
      assert.throws(() => provider.getCredentials(), { code: 'ERR_NO_TOKEN' });
      // An explicit request heals at once (one request, not a loop).
      await provider.getCredentialsAsync();
      assert.equal(identity.requests.length, 2);
      assert.ok((provider.getTokenInfo()?.expiresAtMs ?? 0) > firstExpiry + 3_600_000);
      // Then renewals keep their normal pace: one per ~48 min of a 1 h token (ratio 0.8 vs lower bound 5 min → 55 min).
      await clock.monotonic.advance(4 * 3_600_000);
      const renewals = identity.requests.length - 2;
      assert.ok(renewals >= 4 && renewals <= 6, `${renewals} renewals in 4 h`);
    } finally {
      await provider.close();
    }
  });

  it('wall clock jumps backward: no stall, the token is still renewed before it expires in monotonic time', async () => {
    const { clock, identity, provider } = setUp();
    try {
      await provider.subscribe(listener);
      clock.offsetMs = -2 * 3_600_000; // two hours back: the token looks valid for 3 h
      await clock.monotonic.advance(3_600_000);
      // The refresh timer was set in monotonic time (55 min): it fired and renewed despite the jump.
      assert.ok(identity.requests.length >= 2, `only ${identity.requests.length} requests in 1 h`);
      await clock.monotonic.advance(3 * 3_600_000);
      const requests = identity.requests.length;
      assert.ok(requests >= 4 && requests <= 8, `${requests} requests in 4 h`);
      assert.ok((provider.getTokenInfo()?.expiresAtMs ?? 0) > clock.now());
    } finally {
      await provider.close();
    }
  });

  it('after close() no timer is left on the clock', async () => {
    const { clock, provider } = setUp(2_000);
    await provider.subscribe(listener);
    await clock.monotonic.advance(3_000);
    await provider.close();
    assert.equal(clock.monotonic.pendingCount, 0);
  });
});
