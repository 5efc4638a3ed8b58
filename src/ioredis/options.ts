import { ConfigurationError } from '../errors.js';

/** Default upper bound of the random delay before each connection's re-`AUTH`, in milliseconds. */
export const DEFAULT_REAUTH_JITTER_MS = 500;

/** Options of {@link withEntraId} and {@link bindEntraId}. */
export interface EntraIdIoredisOptions {
  /**
   * Upper bound of a random delay, in milliseconds, before each connection re-authenticates after a
   * renewal, so that thousands of connections do not `AUTH` at the same instant. Each connection waits a
   * uniformly random time in `[0, reAuthJitterMs]`. `0` re-authenticates at once.
   * Default {@link DEFAULT_REAUTH_JITTER_MS} (500 ms).
   */
  readonly reAuthJitterMs?: number;
  /**
   * Source of randomness in `[0, 1)` used for the jitter. Default `Math.random`. Injectable for tests.
   */
  readonly random?: () => number;
  /**
   * How long {@link withEntraId} waits for the client to become ready, in milliseconds; `0` waits as long as
   * ioredis keeps trying. Default `0`.
   */
  readonly readyTimeoutMs?: number;
}

/** Options with defaults applied. */
export interface ResolvedIoredisOptions {
  readonly reAuthJitterMs: number;
  readonly random: () => number;
  readonly readyTimeoutMs: number;
}

// Describes a rejected value without calling its toString (an object may have none that works).
function describe(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : typeof value;
}

function nonNegative(field: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new ConfigurationError(field, `must be a finite number >= 0, got ${describe(value)}`);
  }
  return value;
}

/** Validates the options and resolves their defaults into a frozen object. */
export function resolveIoredisOptions(options: EntraIdIoredisOptions | undefined): ResolvedIoredisOptions {
  const random = options?.random ?? Math.random;
  if (typeof random !== 'function') {
    throw new ConfigurationError('random', `must be a function returning a number in [0, 1), got ${typeof random}`);
  }
  return Object.freeze({
    reAuthJitterMs: nonNegative('reAuthJitterMs', options?.reAuthJitterMs, DEFAULT_REAUTH_JITTER_MS),
    random,
    readyTimeoutMs: nonNegative('readyTimeoutMs', options?.readyTimeoutMs, 0),
  });
}
