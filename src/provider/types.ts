import type { ReAuthenticationError, TokenRequestError } from '../errors.js';
import type { TokenInfo } from '../token/access-token.js';

/** Redis credentials: username = the principal's object id (by default), password = the access token. */
export interface RedisCredentials {
  /** The Redis ACL username (the `oid` claim by default). */
  readonly username: string;
  /** The access token. Secret: never log it. */
  readonly password: string;
}

/** Receives every new set of credentials (node-redis's `StreamingCredentialsListener` shape). */
export interface CredentialsListener {
  /** Called with fresh credentials after each renewal that produced a new token. */
  onNext(credentials: RedisCredentials): void;
  /** Called when credentials can no longer be provided (the provider was closed or failed for good). */
  onError(error: Error): void;
}

/** Ends a subscription (node-redis's `Disposable` shape). Idempotent. */
export interface CredentialsSubscription {
  dispose(): void;
}

/** Payload of the `tokenRenewed` event. */
export interface TokenRenewedEvent extends TokenInfo {
  /** 1 for the first token, then 2, 3, … for each renewal that produced a new token. */
  readonly sequence: number;
}

/** Payload of the `renewalFailed` event. */
export interface RenewalFailedEvent {
  /** Why the attempt failed. */
  readonly error: TokenRequestError;
  /** Attempt number within the current renewal (1-based). */
  readonly attempt: number;
  /** When the next attempt is scheduled, in ms from now; undefined if none (provider closed). */
  readonly nextAttemptInMs: number | undefined;
  /** Expiry of the token still in use, in ms since the epoch; undefined if there is none yet. */
  readonly currentTokenExpiresAtMs: number | undefined;
}

/** Payload of the `reAuthenticationFailed` event. */
export interface ReAuthenticationFailedEvent {
  readonly error: ReAuthenticationError;
}

/** Payload of the `reAuthenticationSkipped` event (e.g. a RESP2 connection in subscribe mode cannot AUTH). */
export interface ReAuthenticationSkippedEvent {
  /** The connection's address, `host:port`, when known. */
  readonly address: string | undefined;
  /** Why the connection could not take AUTH, e.g. `resp2-subscriber`. */
  readonly reason: string;
  /** What happens instead, e.g. `reconnect-before-expiry`. */
  readonly action: string;
}

/** Events of an {@link EntraIdCredentialsProvider}, by name. */
export interface CredentialsProviderEvents {
  tokenRenewed: [event: TokenRenewedEvent];
  renewalFailed: [event: RenewalFailedEvent];
  reAuthenticationFailed: [event: ReAuthenticationFailedEvent];
  reAuthenticationSkipped: [event: ReAuthenticationSkippedEvent];
  closed: [];
}
