import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigurationError } from '../../src/errors.js';
import {
  DEFAULT_EXPIRATION_REFRESH_RATIO,
  DEFAULT_LOWER_REFRESH_BOUND_MILLIS,
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_TOKEN_REQUEST_EXECUTION_TIMEOUT_IN_MS,
  resolveTokenManagerConfig,
  type TokenManagerConfig,
} from '../../src/manager/config.js';

function rejects(input: unknown, field: string, message: string): void {
  assert.throws(
    () => resolveTokenManagerConfig(input as TokenManagerConfig),
    (error: unknown) => {
      assert.ok(error instanceof ConfigurationError);
      assert.equal(error.code, 'ERR_INVALID_CONFIG');
      assert.equal(error.field, field);
      assert.equal(error.message, message);
      return true;
    },
  );
}

describe('resolveTokenManagerConfig', () => {
  it('applies production defaults and freezes the result', () => {
    const config = resolveTokenManagerConfig(undefined);
    assert.equal(config.expirationRefreshRatio, DEFAULT_EXPIRATION_REFRESH_RATIO);
    assert.equal(config.lowerRefreshBoundMillis, DEFAULT_LOWER_REFRESH_BOUND_MILLIS);
    assert.equal(config.tokenRequestExecutionTimeoutInMs, DEFAULT_TOKEN_REQUEST_EXECUTION_TIMEOUT_IN_MS);
    assert.equal(config.retryPolicy.maxAttempts, DEFAULT_MAX_ATTEMPTS);
    assert.ok(Object.isFrozen(config));
    assert.ok(Object.isFrozen(config.retryPolicy));
    assert.ok(DEFAULT_LOWER_REFRESH_BOUND_MILLIS >= 3 * 60_000, 'Azure asks to re-AUTH at least 3 minutes before expiry');
  });

  it('merges partial input without mutating it', () => {
    const input = { expirationRefreshRatio: 0.9, retryPolicy: { maxAttempts: 5, delayInMs: 50 } };
    const config = resolveTokenManagerConfig(input);
    assert.equal(config.expirationRefreshRatio, 0.9);
    assert.equal(config.retryPolicy.maxAttempts, 5);
    assert.equal(config.retryPolicy.delayInMs, 50);
    assert.equal(config.retryPolicy.backoffMultiplier, 2);
    assert.deepEqual(input, { expirationRefreshRatio: 0.9, retryPolicy: { maxAttempts: 5, delayInMs: 50 } });
  });

  it('names the field and the value received', () => {
    rejects(
      { expirationRefreshRatio: 1.5 },
      'tokenManagerConfig.expirationRefreshRatio',
      '"tokenManagerConfig.expirationRefreshRatio" must be a number > 0 and <= 1, got 1.5',
    );
    rejects(
      { expirationRefreshRatio: 0 },
      'tokenManagerConfig.expirationRefreshRatio',
      '"tokenManagerConfig.expirationRefreshRatio" must be a number > 0 and <= 1, got 0',
    );
    rejects(
      { retryPolicy: { maxAttempts: 0 } },
      'tokenManagerConfig.retryPolicy.maxAttempts',
      '"tokenManagerConfig.retryPolicy.maxAttempts" must be an integer >= 1, got 0',
    );
    rejects(
      { retryPolicy: { maxAttempts: 2.5 } },
      'tokenManagerConfig.retryPolicy.maxAttempts',
      '"tokenManagerConfig.retryPolicy.maxAttempts" must be an integer >= 1, got 2.5',
    );
    rejects(
      { lowerRefreshBoundMillis: '1000' },
      'tokenManagerConfig.lowerRefreshBoundMillis',
      '"tokenManagerConfig.lowerRefreshBoundMillis" must be an integer >= 0, got the string "1000"',
    );
    rejects(
      { tokenRequestExecutionTimeoutInMs: Number.NaN },
      'tokenManagerConfig.tokenRequestExecutionTimeoutInMs',
      '"tokenManagerConfig.tokenRequestExecutionTimeoutInMs" must be an integer >= 1, got NaN',
    );
    rejects(
      { retryPolicy: { jitterRatio: 20 } },
      'tokenManagerConfig.retryPolicy.jitterRatio',
      '"tokenManagerConfig.retryPolicy.jitterRatio" must be a number >= 0 and <= 1, got 20',
    );
    rejects(
      { retryPolicy: { delayInMs: Number.POSITIVE_INFINITY } },
      'tokenManagerConfig.retryPolicy.delayInMs',
      '"tokenManagerConfig.retryPolicy.delayInMs" must be an integer >= 0, got Infinity',
    );
    rejects(
      { retryPolicy: { backoffMultiplier: 0.5 } },
      'tokenManagerConfig.retryPolicy.backoffMultiplier',
      '"tokenManagerConfig.retryPolicy.backoffMultiplier" must be a number >= 1, got 0.5',
    );
    rejects('fast', 'tokenManagerConfig', '"tokenManagerConfig" must be an object, got the string "fast"');
    rejects({ retryPolicy: null }, 'tokenManagerConfig.retryPolicy', '"tokenManagerConfig.retryPolicy" must be an object, got null');
  });

  it('rejects unknown keys by name', () => {
    rejects(
      { expirationRefreshRation: 0.5 },
      'tokenManagerConfig.expirationRefreshRation',
      '"tokenManagerConfig.expirationRefreshRation" is not a known option (unknown: expirationRefreshRation; known: ' +
        'expirationRefreshRatio, lowerRefreshBoundMillis, tokenRequestExecutionTimeoutInMs, retryPolicy, ' +
        'minRefreshIntervalMs, failedRenewalRetryIntervalMs, maxFailedRenewalRetryIntervalMs)',
    );
    assert.throws(() => resolveTokenManagerConfig({ retryPolicy: { retries: 3 } } as TokenManagerConfig), {
      field: 'tokenManagerConfig.retryPolicy.retries',
    });
  });

  it('uses the given field prefix', () => {
    assert.throws(() => resolveTokenManagerConfig({ expirationRefreshRatio: -1 }, 'options.tm'), {
      field: 'options.tm.expirationRefreshRatio',
    });
  });

  it('requires the failed-round cap to be at least the interval', () => {
    rejects(
      { failedRenewalRetryIntervalMs: 10_000, maxFailedRenewalRetryIntervalMs: 5_000 },
      'tokenManagerConfig.maxFailedRenewalRetryIntervalMs',
      '"tokenManagerConfig.maxFailedRenewalRetryIntervalMs" must be an integer >= 10000, got 5000',
    );
  });
});
