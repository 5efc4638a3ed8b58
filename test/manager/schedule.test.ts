import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveTokenManagerConfig } from '../../src/manager/config.js';
import { computeFailedRoundDelayMs, computeRefreshAtMs, computeRefreshDelayMs } from '../../src/manager/schedule.js';

const T0 = 1_000_000_000;
const MIN = 60_000;
const defaults = resolveTokenManagerConfig({});

function token(lifeMs: number, refreshAfterMs?: number) {
  return { receivedAtMs: T0, expiresAtMs: T0 + lifeMs, refreshAfterMs };
}

describe('computeRefreshAtMs', () => {
  it('uses the ratio when it is earlier than the lower bound (60 min token: 48 min)', () => {
    assert.equal(computeRefreshAtMs(token(60 * MIN), defaults), T0 + 48 * MIN);
  });

  it('uses the lower bound when it is earlier (ratio 0.95, 60 min token: 55 min)', () => {
    const config = resolveTokenManagerConfig({ expirationRefreshRatio: 0.95 });
    assert.equal(computeRefreshAtMs(token(60 * MIN), config), T0 + 55 * MIN);
  });

  it('never lets the lower bound renew before half the life (6 min token: 3 min)', () => {
    assert.equal(computeRefreshAtMs(token(6 * MIN), defaults), T0 + 3 * MIN);
  });

  it('falls back to the ratio for tokens shorter than the lower bound (3 s token: 2.4 s)', () => {
    assert.equal(computeRefreshAtMs(token(3_000), defaults), T0 + 2_400);
  });

  it('honours an earlier refreshAfter, ignores a later one or one before receipt', () => {
    assert.equal(computeRefreshAtMs(token(60 * MIN, T0 + 30 * MIN), defaults), T0 + 30 * MIN);
    assert.equal(computeRefreshAtMs(token(60 * MIN, T0 + 50 * MIN), defaults), T0 + 48 * MIN);
    assert.equal(computeRefreshAtMs(token(60 * MIN, T0 - 1), defaults), T0 + 48 * MIN);
  });

  it('respects the minimum interval for tiny tokens and tiny refreshAfter', () => {
    assert.equal(computeRefreshAtMs(token(500), defaults), T0 + 1_000);
    assert.equal(computeRefreshAtMs(token(60 * MIN, T0 + 10), defaults), T0 + 1_000);
  });

  it('never returns a zero or negative delay, even when overdue', () => {
    assert.equal(computeRefreshDelayMs(token(3_000), defaults, T0 + 10_000), 1_000);
    assert.equal(computeRefreshDelayMs(token(60 * MIN), defaults, T0), 48 * MIN);
  });
});

describe('computeFailedRoundDelayMs', () => {
  const config = resolveTokenManagerConfig({ failedRenewalRetryIntervalMs: 5_000, maxFailedRenewalRetryIntervalMs: 60_000 });
  it('doubles per failed round up to the cap', () => {
    const delays = [1, 2, 3, 4, 5, 6, 40].map((n) => computeFailedRoundDelayMs(n, config, { nowMs: T0 }));
    assert.deepEqual(delays, [5_000, 10_000, 20_000, 40_000, 60_000, 60_000, 60_000]);
  });
  it('fits at least two rounds in what is left of a valid token', () => {
    assert.equal(computeFailedRoundDelayMs(5, config, { nowMs: T0, expiresAtMs: T0 + 30_000 }), 15_000);
  });
  it('never goes below the minimum interval nor below Retry-After', () => {
    assert.equal(computeFailedRoundDelayMs(5, config, { nowMs: T0, expiresAtMs: T0 + 100 }), 1_000);
    assert.equal(computeFailedRoundDelayMs(1, config, { nowMs: T0, retryAfterMs: 120_000 }), 120_000);
  });
});
