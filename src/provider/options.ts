import type { Clock } from '../manager/clock.js';
import type { TokenManagerConfig } from '../manager/config.js';
import type { AccessToken } from '../token/access-token.js';
import type { RedisCredentials } from './types.js';

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
}
