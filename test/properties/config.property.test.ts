// Property-based tests of configuration validation: any input either resolves to a frozen config that
// satisfies every documented bound, or throws a ConfigurationError naming the exact field; the caller's
// object is never changed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inspect } from 'node:util';
import fc from 'fast-check';
import { ConfigurationError } from '../../src/errors.js';
import { resolveTokenManagerConfig, type ResolvedTokenManagerConfig } from '../../src/manager/config.js';
import { computeBackoffMs } from '../../src/manager/retry.js';
import { computeFailedRoundDelayMs, computeRefreshAtMs } from '../../src/manager/schedule.js';
import { resolveIoredisOptions } from '../../src/ioredis/options.js';

// A failing property shrinks for at most 20 s instead of running into the file's timeout.
const RUNS = { numRuns: 400, skipAllAfterTimeLimit: 20_000 };

const TOP = ['expirationRefreshRatio', 'lowerRefreshBoundMillis', 'tokenRequestExecutionTimeoutInMs', 'minRefreshIntervalMs', 'failedRenewalRetryIntervalMs', 'maxFailedRenewalRetryIntervalMs'] as const;
const RETRY = ['maxAttempts', 'delayInMs', 'backoffMultiplier', 'maxDelayInMs', 'jitterRatio'] as const;

/** Numbers near every bound, plus the awkward ones. */
const edgyNumber = fc.oneof(
  fc.constantFrom(0, -0, 1, -1, 0.5, 1.5, 2, 1000, 2 ** 31, Number.MAX_SAFE_INTEGER, NaN, Infinity, -Infinity, 1e-9),
  fc.integer({ min: -10, max: 200_000 }),
  fc.double({ noNaN: false }),
);
const anyValue = fc.oneof(edgyNumber, fc.string({ maxLength: 50 }), fc.boolean(), fc.constant(null), fc.constant(undefined), fc.array(fc.integer(), { maxLength: 2 }), fc.object({ maxDepth: 1 }), fc.constant(Object.create(null) as object));

const retryPolicy = fc.record(Object.fromEntries(RETRY.map((k) => [k, anyValue])) as Record<(typeof RETRY)[number], typeof anyValue>, { requiredKeys: [], noNullPrototype: true });
const config = fc.record(
  {
    ...(Object.fromEntries(TOP.map((k) => [k, anyValue])) as Record<(typeof TOP)[number], typeof anyValue>),
    retryPolicy: fc.oneof(retryPolicy, anyValue),
  },
  { requiredKeys: [], noNullPrototype: true },
);
const withUnknownKey = fc.tuple(config, fc.string({ minLength: 1, maxLength: 20 }).filter((k) => !([...TOP, 'retryPolicy'] as string[]).includes(k) && k !== '__proto__'), anyValue);

function checkInvariants(c: ResolvedTokenManagerConfig): void {
  assert.ok(Object.isFrozen(c) && Object.isFrozen(c.retryPolicy));
  assert.ok(c.expirationRefreshRatio > 0 && c.expirationRefreshRatio <= 1);
  for (const key of ['lowerRefreshBoundMillis', 'tokenRequestExecutionTimeoutInMs', 'minRefreshIntervalMs', 'failedRenewalRetryIntervalMs', 'maxFailedRenewalRetryIntervalMs'] as const) {
    assert.ok(Number.isInteger(c[key]) && c[key] >= 0, key);
  }
  assert.ok(c.tokenRequestExecutionTimeoutInMs >= 1 && c.minRefreshIntervalMs >= 1);
  assert.ok(c.maxFailedRenewalRetryIntervalMs >= c.failedRenewalRetryIntervalMs);
  const r = c.retryPolicy;
  assert.ok(Number.isInteger(r.maxAttempts) && r.maxAttempts >= 1);
  assert.ok(Number.isInteger(r.delayInMs) && r.delayInMs >= 0);
  assert.ok(Number.isFinite(r.backoffMultiplier) && r.backoffMultiplier >= 1);
  assert.ok(Number.isInteger(r.maxDelayInMs) && r.maxDelayInMs >= 0);
  assert.ok(r.jitterRatio >= 0 && r.jitterRatio <= 1);
}

/** The dotted field names the validator may blame for `input`. */
function candidateFields(input: Record<string, unknown>): string[] {
  const fields = ['tokenManagerConfig', 'tokenManagerConfig.retryPolicy', ...TOP.map((k) => `tokenManagerConfig.${k}`), ...RETRY.map((k) => `tokenManagerConfig.retryPolicy.${k}`)];
  for (const key of Object.keys(input)) fields.push(`tokenManagerConfig.${key}`);
  const retry = input['retryPolicy'];
  if (typeof retry === 'object' && retry !== null) for (const key of Object.keys(retry)) fields.push(`tokenManagerConfig.retryPolicy.${key}`);
  return fields;
}

describe('resolveTokenManagerConfig (properties)', () => {
  it('any config: a frozen config within every bound, or a ConfigurationError naming a real field', () => {
    fc.assert(
      fc.property(config, (input) => {
        const before = inspect(input, { depth: 10 });
        let resolved: ResolvedTokenManagerConfig | undefined;
        try {
          resolved = resolveTokenManagerConfig(input as never);
        } catch (error) {
          assert.ok(error instanceof ConfigurationError, `unexpected ${String(error)}`);
          assert.ok(candidateFields(input).includes(error.field), `blamed ${error.field}`);
          assert.ok(error.message.startsWith(`"${error.field}" `), error.message);
          const key = error.field.split('.').at(-1) as string;
          const offending = error.field.includes('retryPolicy.') ? (input.retryPolicy as Record<string, unknown>)[key] : (input as Record<string, unknown>)[key];
          if (typeof offending === 'number' && !error.message.includes('is not a known option')) assert.ok(error.message.includes(`got ${offending}`), error.message);
        }
        assert.equal(inspect(input, { depth: 10 }), before, 'the input was changed');
        if (resolved !== undefined) checkInvariants(resolved);
      }),
      RUNS,
    );
  });

  it('the value of every valid field is kept exactly', () => {
    const valid = fc.record({
      expirationRefreshRatio: fc.double({ min: Number.EPSILON, max: 1, noNaN: true }),
      lowerRefreshBoundMillis: fc.nat(),
      tokenRequestExecutionTimeoutInMs: fc.integer({ min: 1, max: 2 ** 31 }),
      minRefreshIntervalMs: fc.integer({ min: 1, max: 2 ** 31 }),
      failedRenewalRetryIntervalMs: fc.integer({ min: 1, max: 100_000 }),
      retryPolicy: fc.record({
        maxAttempts: fc.integer({ min: 1, max: 20 }),
        delayInMs: fc.nat(100_000),
        backoffMultiplier: fc.double({ min: 1, max: 10, noNaN: true }),
        maxDelayInMs: fc.nat(100_000),
        jitterRatio: fc.double({ min: 0, max: 1, noNaN: true }),
      }, { noNullPrototype: true }),
    }, { noNullPrototype: true });
    fc.assert(
      fc.property(valid, (input) => {
        const resolved = resolveTokenManagerConfig(input);
        assert.deepEqual({ ...resolved, retryPolicy: { ...resolved.retryPolicy } }, {
          ...input,
          maxFailedRenewalRetryIntervalMs: Math.max(60_000, input.failedRenewalRetryIntervalMs),
        });
      }),
      RUNS,
    );
  });

  it('an unknown key is named with its path', () => {
    fc.assert(
      fc.property(withUnknownKey, ([input, key, value]) => {
        const bad = { ...input, [key]: value };
        try {
          resolveTokenManagerConfig(bad as never);
        } catch (error) {
          assert.ok(error instanceof ConfigurationError);
          // Another field may be wrong as well and be reported first; unknown keys are checked first.
          assert.equal(error.field, `tokenManagerConfig.${key}`);
          assert.match(error.message, /is not a known option/);
          return;
        }
        assert.fail('an unknown key was accepted');
      }),
      RUNS,
    );
  });

  it('any non-object config is refused naming tokenManagerConfig', () => {
    fc.assert(
      fc.property(fc.oneof(edgyNumber, fc.string(), fc.boolean(), fc.constant(null), fc.array(fc.anything(), { maxLength: 2 })), (input) => {
        assert.throws(() => resolveTokenManagerConfig(input as never), (error: unknown) => error instanceof ConfigurationError && error.field === 'tokenManagerConfig');
      }),
      RUNS,
    );
  });
});

describe('schedules derived from any valid config (properties)', () => {
  const validConfig = fc
    .record({
      expirationRefreshRatio: fc.double({ min: 0.01, max: 1, noNaN: true }),
      lowerRefreshBoundMillis: fc.nat(600_000),
      minRefreshIntervalMs: fc.integer({ min: 1, max: 5_000 }),
      failedRenewalRetryIntervalMs: fc.integer({ min: 1, max: 10_000 }),
      retryPolicy: fc.record({
        delayInMs: fc.nat(10_000),
        backoffMultiplier: fc.double({ min: 1, max: 5, noNaN: true }),
        maxDelayInMs: fc.nat(20_000),
        jitterRatio: fc.double({ min: 0, max: 1, noNaN: true }),
      }),
    })
    .map((c) => resolveTokenManagerConfig(c));

  it('refresh time lies after receipt (by at least the minimum interval) and is finite', () => {
    fc.assert(
      fc.property(validConfig, fc.integer({ min: 1, max: 86_400_000 }), fc.integer({ min: 0, max: 2 ** 40 }), (c, lifeMs, receivedAtMs) => {
        const at = computeRefreshAtMs({ receivedAtMs, expiresAtMs: receivedAtMs + lifeMs, refreshAfterMs: undefined }, c);
        assert.ok(Number.isFinite(at));
        assert.ok(at >= receivedAtMs + c.minRefreshIntervalMs - 1);
        if (lifeMs > 2 * c.minRefreshIntervalMs) assert.ok(at <= receivedAtMs + lifeMs, 'renewal only after expiry');
      }),
      RUNS,
    );
  });

  it('backoff and failed-round delays stay within their bounds for any attempt count and random source', () => {
    fc.assert(
      fc.property(validConfig, fc.integer({ min: 1, max: 1_000 }), fc.double({ min: 0, max: 0.9999999, noNaN: true }), (c, attempt, r) => {
        const backoff = computeBackoffMs(attempt, c.retryPolicy, () => r);
        assert.ok(Number.isInteger(backoff) && backoff >= 0 && backoff <= c.retryPolicy.maxDelayInMs);
        const round = computeFailedRoundDelayMs(attempt, c, { nowMs: 0 });
        assert.ok(round >= c.minRefreshIntervalMs && round <= Math.max(c.maxFailedRenewalRetryIntervalMs, c.minRefreshIntervalMs));
      }),
      RUNS,
    );
  });
});

describe('resolveIoredisOptions (properties)', () => {
  it('any options: frozen values >= 0, or a ConfigurationError naming the field', () => {
    const options = fc.record({ reAuthJitterMs: anyValue, readyTimeoutMs: anyValue, random: fc.oneof(anyValue, fc.constant(() => 0.5)) }, { requiredKeys: [] });
    fc.assert(
      fc.property(options, (input) => {
        try {
          const resolved = resolveIoredisOptions(input as never);
          assert.ok(Object.isFrozen(resolved));
          assert.ok(resolved.reAuthJitterMs >= 0 && resolved.readyTimeoutMs >= 0 && typeof resolved.random === 'function');
        } catch (error) {
          assert.ok(error instanceof ConfigurationError, `unexpected ${String(error)}`);
          assert.ok(['reAuthJitterMs', 'readyTimeoutMs', 'random'].includes(error.field), error.field);
        }
      }),
      RUNS,
    );
  });
});

describe('regressions found by the properties', () => {
  it('a zero delayInMs stays 0 ms after any number of attempts (0 × Infinity was NaN)', () => {
    const policy = resolveTokenManagerConfig({ retryPolicy: { delayInMs: 0, maxDelayInMs: 100, jitterRatio: 0 } }).retryPolicy;
    assert.equal(computeBackoffMs(1_100, policy, () => 0.5), 0);
  });

  it('an ioredis option holding an object without a usable toString is a ConfigurationError', () => {
    assert.throws(() => resolveIoredisOptions({ reAuthJitterMs: { toString: [] } as never }), {
      name: 'ConfigurationError',
      field: 'reAuthJitterMs',
      message: '"reAuthJitterMs" must be a finite number >= 0, got an object',
    });
  });
});
