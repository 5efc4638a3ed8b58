/**
 * What the token manager asks of an identity provider: one access token, fresh when asked.
 *
 * Implement it to plug in any token source (another cloud, a test double); the built-in providers wrap
 * `@azure/msal-node` and any `@azure/core-auth` `TokenCredential`.
 */
export interface IdentityProvider {
  /** A short, stable name for diagnostics, e.g. `service-principal-secret`, `managed-identity`. */
  readonly name: string;

  /**
   * Acquires an access token.
   *
   * @param request.signal - aborted when the request times out or the provider closes; honour it.
   * @param request.forceRefresh - true for scheduled renewals: return a newly issued token, bypassing caches.
   * @returns the raw token and, when the source knows them, its expiry and suggested refresh time.
   * @throws an error describing the failure; the token manager classifies it (see `classifyTokenError`).
   */
  requestToken(request: TokenRequest): Promise<IdentityToken>;

  /** Releases resources (sockets, caches). Optional. */
  close?(): void | Promise<void>;
}

/** The arguments of {@link IdentityProvider.requestToken}. */
export interface TokenRequest {
  /** Aborted when the request must stop (timeout or close). */
  readonly signal: AbortSignal;
  /** True when a newly issued token is wanted (scheduled renewal): skip any cache. */
  readonly forceRefresh: boolean;
}

/** A token as returned by an {@link IdentityProvider}. */
export interface IdentityToken {
  /** The raw access token (a JWT). */
  readonly token: string;
  /** Expiry reported by the source, in ms since the epoch. The token's `exp` claim wins when both exist. */
  readonly expiresOnMs?: number;
  /** When the source suggests refreshing (`refreshAfterTimestamp`), in ms since the epoch. */
  readonly refreshAfterMs?: number;
}
