import type { Clock } from '../manager/clock.js';
import type { TokenManagerConfig } from '../manager/config.js';
import type { AccessToken } from '../token/access-token.js';
import type { RedisCredentials } from './types.js';

/**
 * Default upper bound of the random delay before each node-redis client re-authenticates, in milliseconds: 0,
 * deliver at once. Fleets of hundreds of connections should set `reAuthenticationJitterMs` (e.g. 500) to stagger
 * their AUTHs as Azure asks; the ioredis adapter staggers its connections itself (`reAuthJitterMs`).
 */
export const DEFAULT_REAUTHENTICATION_JITTER_MS = 0;

/** Turns a token into Redis credentials. Throw a `TokenInvalidError` to reject the token. */
export type CredentialsMapper = (token: AccessToken) => RedisCredentials;

/**
 * Options common to every credentials-provider factory (`createFromIdentityProvider`, the service principal,
 * managed identity and `TokenCredential` factories). Every field is optional.
 */
export interface EntraIdProviderOptions {
  /** Refresh schedule, timeout and retries; defaults merged in (see `resolveTokenManagerConfig`). */
  tokenManagerConfig?: TokenManagerConfig;
  /**
   * Maps a token to credentials. Default: username = the `oid` claim (a token without one is rejected with a
   * `TokenInvalidError` naming `oid`), password = the token.
   */
  credentialsMapper?: CredentialsMapper;
  /** Time and timers, for tests; default the system clock with `unref()`ed timers. */
  clock?: Clock;
  /** Jitter source returning numbers in [0, 1), for tests; default `Math.random`. */
  random?: () => number;
  /**
   * Upper bound of a random delay, in milliseconds, before each subscriber (each node-redis client, or each
   * untagged listener) receives a renewed token, so that thousands of connections do not `AUTH` at the same
   * instant. The delay is uniformly random in `[0, min(reAuthenticationJitterMs, 10% of the time left before
   * the previous token expires)]`. The first token and `subscribe()` are never delayed; `0` delivers every
   * renewal at once, synchronously. Default {@link DEFAULT_REAUTHENTICATION_JITTER_MS} (500 ms).
   */
  reAuthenticationJitterMs?: number;
}
