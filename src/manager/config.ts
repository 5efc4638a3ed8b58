import { ConfigurationError } from '../errors.js';

/**
 * Refresh when this fraction of a token's lifetime has elapsed: 0.8. With the usual 60–90 minute Entra ID
 * tokens this renews 12–18 minutes before expiry, leaving room for several retry rounds during an outage.
 */
export const DEFAULT_EXPIRATION_REFRESH_RATIO = 0.8;
/**
 * Refresh at the latest this many ms before expiry: 5 minutes. Azure Redis asks clients to re-AUTH at
 * least 3 minutes before a token expires; 5 minutes adds margin for a retry round and AUTH round trips.
 */
export const DEFAULT_LOWER_REFRESH_BOUND_MILLIS = 5 * 60_000;
/** Abort a single token request after this many ms: 10 s (MSAL/IMDS answer in well under a second). */
export const DEFAULT_TOKEN_REQUEST_EXECUTION_TIMEOUT_IN_MS = 10_000;
/** Attempts per renewal round, the first included: 3 (a wrong secret is not retried at all). */
export const DEFAULT_MAX_ATTEMPTS = 3;
/** Delay before the second attempt of a round, in ms: 1 s. */
export const DEFAULT_DELAY_IN_MS = 1_000;
/** Each further attempt waits this many times longer than the previous one: 2. */
export const DEFAULT_BACKOFF_MULTIPLIER = 2;
/** Upper bound of the delay between two attempts of a round, in ms: 10 s. */
export const DEFAULT_MAX_DELAY_IN_MS = 10_000;
/** Jitter, as a fraction of each delay (0.2 = ±20 %), so many processes do not retry in lock step. */
export const DEFAULT_JITTER_RATIO = 0.2;
/** No two scheduled renewals closer than this many ms: 1 s. Guards against tight loops on short tokens. */
export const DEFAULT_MIN_REFRESH_INTERVAL_MS = 1_000;
/** After a renewal round fails, the next round starts after this many ms (doubling each round): 5 s. */
export const DEFAULT_FAILED_RENEWAL_RETRY_INTERVAL_MS = 5_000;
/** Cap of the delay between failed renewal rounds, in ms: 60 s (also MSAL's own throttling window). */
export const DEFAULT_MAX_FAILED_RENEWAL_RETRY_INTERVAL_MS = 60_000;

/** How one renewal round retries a failed token request. Every field is optional. */
export interface RetryPolicy {
  /** Attempts per round, the first included; an integer >= 1. Default {@link DEFAULT_MAX_ATTEMPTS} (3). */
  maxAttempts?: number;
  /** Delay before the second attempt, in ms; an integer >= 0. Default {@link DEFAULT_DELAY_IN_MS} (1000). */
  delayInMs?: number;
  /** Growth factor of the delay per attempt; a number >= 1. Default {@link DEFAULT_BACKOFF_MULTIPLIER} (2). */
  backoffMultiplier?: number;
  /** Largest delay between attempts, in ms; an integer >= 0. Default {@link DEFAULT_MAX_DELAY_IN_MS} (10000). */
  maxDelayInMs?: number;
  /**
   * Random spread of each delay, as a **fraction** in [0, 1] (not a percentage): 0.2 spreads a 1000 ms delay
   * over 800–1200 ms. Default {@link DEFAULT_JITTER_RATIO} (0.2).
   */
  jitterRatio?: number;
}

/** Options of the token manager. Every field is optional; defaults are merged in. */
export interface TokenManagerConfig {
  /**
   * Fraction of a token's lifetime after which it is renewed, in (0, 1].
   * Default {@link DEFAULT_EXPIRATION_REFRESH_RATIO} (0.8).
   */
  expirationRefreshRatio?: number;
  /**
   * Renew at the latest this many ms before expiry; an integer >= 0. Ignored for tokens shorter than it.
   * Default {@link DEFAULT_LOWER_REFRESH_BOUND_MILLIS} (300000).
   */
  lowerRefreshBoundMillis?: number;
  /** Timeout of one token request, in ms; an integer >= 1. Default {@link DEFAULT_TOKEN_REQUEST_EXECUTION_TIMEOUT_IN_MS} (10000). */
  tokenRequestExecutionTimeoutInMs?: number;
  /** Retries within one renewal round. */
  retryPolicy?: RetryPolicy;
  /** Minimum delay between two scheduled renewals, in ms; an integer >= 1. Default {@link DEFAULT_MIN_REFRESH_INTERVAL_MS} (1000). */
  minRefreshIntervalMs?: number;
  /**
   * Delay after a failed renewal round before the next one, in ms, doubling per failed round; an integer >= 1.
   * Default {@link DEFAULT_FAILED_RENEWAL_RETRY_INTERVAL_MS} (5000).
   */
  failedRenewalRetryIntervalMs?: number;
  /**
   * Cap of the delay between failed renewal rounds, in ms; an integer >= `failedRenewalRetryIntervalMs`.
   * Default {@link DEFAULT_MAX_FAILED_RENEWAL_RETRY_INTERVAL_MS} (60000).
   */
  maxFailedRenewalRetryIntervalMs?: number;
}

/** A {@link RetryPolicy} with every default applied. Frozen. */
export type ResolvedRetryPolicy = Readonly<Required<RetryPolicy>>;

/** A {@link TokenManagerConfig} with every default applied. Frozen. */
export type ResolvedTokenManagerConfig = Readonly<Required<Omit<TokenManagerConfig, 'retryPolicy'>>> & {
  readonly retryPolicy: ResolvedRetryPolicy;
};

const CONFIG_KEYS = new Set([
  'expirationRefreshRatio',
  'lowerRefreshBoundMillis',
  'tokenRequestExecutionTimeoutInMs',
  'retryPolicy',
  'minRefreshIntervalMs',
  'failedRenewalRetryIntervalMs',
  'maxFailedRenewalRetryIntervalMs',
]);
const RETRY_KEYS = new Set(['maxAttempts', 'delayInMs', 'backoffMultiplier', 'maxDelayInMs', 'jitterRatio']);

function describe(value: unknown): string {
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : typeof value;
}

function checkObject(value: unknown, field: string, keys: Set<string>): Record<string, unknown> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigurationError(field, `must be an object, got ${describe(value)}`);
  }
  const record = value as Record<string, unknown>;
  const unknown = Object.keys(record).filter((key) => !keys.has(key));
  if (unknown.length > 0) {
    throw new ConfigurationError(
      `${field}.${unknown[0] as string}`,
      `is not a known option (unknown: ${unknown.join(', ')}; known: ${[...keys].join(', ')})`,
    );
  }
  return record;
}

interface NumberRule {
  readonly integer: boolean;
  readonly min: number;
  readonly minExclusive?: boolean;
  readonly max?: number;
}

function readNumber(record: Record<string, unknown>, key: string, prefix: string, fallback: number, rule: NumberRule): number {
  const value = record[key];
  if (value === undefined) return fallback;
  const field = `${prefix}.${key}`;
  const range =
    `${rule.minExclusive === true ? '> ' : '>= '}${rule.min}` + (rule.max === undefined ? '' : ` and <= ${rule.max}`);
  const expected = rule.integer ? `an integer ${range}` : `a number ${range}`;
  if (typeof value !== 'number' || !Number.isFinite(value) || (rule.integer && !Number.isInteger(value))) {
    throw new ConfigurationError(field, `must be ${expected}, got ${describe(value)}`);
  }
  const tooLow = rule.minExclusive === true ? value <= rule.min : value < rule.min;
  if (tooLow || (rule.max !== undefined && value > rule.max)) {
    throw new ConfigurationError(field, `must be ${expected}, got ${value}`);
  }
  return value;
}

/**
 * Validates a {@link TokenManagerConfig} and merges in the defaults. The caller's object is not changed.
 *
 * @param input - the options as given by the user (may be undefined).
 * @param fieldPrefix - dotted path of the options in the user's call, used in messages; default `tokenManagerConfig`.
 * @returns a frozen, fully resolved config.
 * @throws {@link ConfigurationError} naming the offending field (e.g. `tokenManagerConfig.retryPolicy.maxAttempts`)
 *   and the value received: wrong type, NaN, Infinity, non-integer, out of range, or an unknown key.
 */
export function resolveTokenManagerConfig(
  input: TokenManagerConfig | undefined,
  fieldPrefix = 'tokenManagerConfig',
): ResolvedTokenManagerConfig {
  const record = checkObject(input, fieldPrefix, CONFIG_KEYS);
  const retryPrefix = `${fieldPrefix}.retryPolicy`;
  const retry = checkObject(record['retryPolicy'], retryPrefix, RETRY_KEYS);
  const ms = (min: number): NumberRule => ({ integer: true, min });

  const retryPolicy: ResolvedRetryPolicy = Object.freeze({
    maxAttempts: readNumber(retry, 'maxAttempts', retryPrefix, DEFAULT_MAX_ATTEMPTS, ms(1)),
    delayInMs: readNumber(retry, 'delayInMs', retryPrefix, DEFAULT_DELAY_IN_MS, ms(0)),
    backoffMultiplier: readNumber(retry, 'backoffMultiplier', retryPrefix, DEFAULT_BACKOFF_MULTIPLIER, {
      integer: false,
      min: 1,
    }),
    maxDelayInMs: readNumber(retry, 'maxDelayInMs', retryPrefix, DEFAULT_MAX_DELAY_IN_MS, ms(0)),
    jitterRatio: readNumber(retry, 'jitterRatio', retryPrefix, DEFAULT_JITTER_RATIO, { integer: false, min: 0, max: 1 }),
  });
  const failedRenewalRetryIntervalMs = readNumber(
    record,
    'failedRenewalRetryIntervalMs',
    fieldPrefix,
    DEFAULT_FAILED_RENEWAL_RETRY_INTERVAL_MS,
    ms(1),
  );
  const maxFailedRenewalRetryIntervalMs = readNumber(
    record,
    'maxFailedRenewalRetryIntervalMs',
    fieldPrefix,
    Math.max(DEFAULT_MAX_FAILED_RENEWAL_RETRY_INTERVAL_MS, failedRenewalRetryIntervalMs),
    ms(failedRenewalRetryIntervalMs),
  );
  return Object.freeze({
    expirationRefreshRatio: readNumber(record, 'expirationRefreshRatio', fieldPrefix, DEFAULT_EXPIRATION_REFRESH_RATIO, {
      integer: false,
      min: 0,
      minExclusive: true,
      max: 1,
    }),
    lowerRefreshBoundMillis: readNumber(
      record,
      'lowerRefreshBoundMillis',
      fieldPrefix,
      DEFAULT_LOWER_REFRESH_BOUND_MILLIS,
      ms(0),
    ),
    tokenRequestExecutionTimeoutInMs: readNumber(
      record,
      'tokenRequestExecutionTimeoutInMs',
      fieldPrefix,
      DEFAULT_TOKEN_REQUEST_EXECUTION_TIMEOUT_IN_MS,
      ms(1),
    ),
    minRefreshIntervalMs: readNumber(record, 'minRefreshIntervalMs', fieldPrefix, DEFAULT_MIN_REFRESH_INTERVAL_MS, ms(1)),
    failedRenewalRetryIntervalMs,
    maxFailedRenewalRetryIntervalMs,
    retryPolicy,
  });
}
