import type { ReAuthenticationError } from '../errors.js';
import type {
  CredentialsListener,
  CredentialsSubscription,
  ReAuthenticationSkippedEvent,
  RedisCredentials,
} from '../provider/types.js';
import type { TokenInfo } from '../token/access-token.js';

/**
 * What the ioredis adapter needs from a credentials provider. `EntraIdCredentialsProvider` satisfies it
 * structurally; tests can hand in a small fake.
 */
export interface CredentialsSource {
  /**
   * Subscribes to renewals. Resolves with the current credentials and a subscription whose `dispose()`
   * stops the notifications. The listener's `onNext` is called after every renewal that produced a new token.
   */
  subscribe(listener: CredentialsListener): Promise<[RedisCredentials, CredentialsSubscription]>;
  /** The current credentials, synchronously. */
  getCredentials(): RedisCredentials;
  /** Expiry and identity of the current token, if one is held. */
  getTokenInfo(): TokenInfo | undefined;
  /** Reports a connection that could not take `AUTH` and what the adapter does instead. Optional. */
  reportReAuthenticationSkipped?(event: ReAuthenticationSkippedEvent): void;
  /** Reports a re-authentication the server rejected. `address` is `host:port`. Optional. */
  reportReAuthenticationFailure?(error: ReAuthenticationError, address?: string): void;
}
