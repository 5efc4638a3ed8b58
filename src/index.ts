/**
 * redis-entraid: Microsoft Entra ID authentication for Azure Managed Redis and Azure Cache for Redis.
 *
 * @packageDocumentation
 */
export {
  RedisEntraIdError,
  ConfigurationError,
  TokenInvalidError,
  TokenExpiredError,
  TokenRequestError,
  TokenRequestTimeoutError,
  ProviderClosedError,
  NoTokenError,
  ReAuthenticationError,
  UnsupportedClientError,
  StaticPasswordConflictError,
  isRedisEntraIdError,
} from './errors.js';
export type {
  RedisEntraIdErrorCode,
  RedisEntraIdErrorOptions,
  TokenRequestFailureKind,
  AnyRedisEntraIdError,
} from './errors.js';
export { AccessToken } from './token/access-token.js';
export type { TokenInfo } from './token/access-token.js';
export { decodeJwtClaims, MAX_JWT_LENGTH } from './token/jwt.js';
export type { JwtClaims } from './token/jwt.js';
export type { IdentityProvider, IdentityToken, TokenRequest } from './identity/identity-provider.js';
export { systemClock } from './manager/clock.js';
export type { Clock, TimerHandle } from './manager/clock.js';
export {
  resolveTokenManagerConfig,
  DEFAULT_EXPIRATION_REFRESH_RATIO,
  DEFAULT_LOWER_REFRESH_BOUND_MILLIS,
  DEFAULT_TOKEN_REQUEST_EXECUTION_TIMEOUT_IN_MS,
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_DELAY_IN_MS,
  DEFAULT_BACKOFF_MULTIPLIER,
  DEFAULT_MAX_DELAY_IN_MS,
  DEFAULT_JITTER_RATIO,
  DEFAULT_MIN_REFRESH_INTERVAL_MS,
  DEFAULT_FAILED_RENEWAL_RETRY_INTERVAL_MS,
  DEFAULT_MAX_FAILED_RENEWAL_RETRY_INTERVAL_MS,
} from './manager/config.js';
export type {
  TokenManagerConfig,
  RetryPolicy,
  ResolvedTokenManagerConfig,
  ResolvedRetryPolicy,
} from './manager/config.js';
export { computeBackoffMs, classifyTokenError, parseRetryAfterMs } from './manager/retry.js';
export { computeRefreshAtMs, computeRefreshDelayMs, computeFailedRoundDelayMs } from './manager/schedule.js';
export { TokenManager } from './manager/token-manager.js';
export type { TokenManagerListener, TokenManagerDeps } from './manager/token-manager.js';
export { EntraIdCredentialsProvider, defaultCredentialsMapper } from './provider/entra-id-credentials-provider.js';
export { createFromIdentityProvider } from './provider/create-from-identity-provider.js';
export {
  REDIS_SCOPE_DEFAULT,
  REDIS_MANAGED_IDENTITY_RESOURCE,
  DEFAULT_AUTHORITY_HOST,
  ManagedIdentityType,
  ManagedIdentityIdType,
} from './identity/constants.js';
export { createFromServicePrincipal } from './provider/factories/service-principal.js';
export type { ServicePrincipalOptions } from './provider/factories/service-principal.js';
export type { ServicePrincipalIdentityOptions } from './provider/factories/service-principal-options.js';
export { createFromManagedIdentity } from './provider/factories/managed-identity.js';
export type { ManagedIdentityOptions } from './provider/factories/managed-identity.js';
export type { ManagedIdentityIdentityOptions } from './provider/factories/managed-identity-options.js';
export { createFromCredential } from './provider/factories/credential.js';
export type { CredentialOptions } from './provider/factories/credential.js';
export { createFromDefaultAzureCredential } from './provider/factories/default-azure-credential.js';
export type {
  DefaultAzureCredentialProviderOptions,
  DefaultAzureCredentialConstructorOptions,
} from './provider/factories/default-azure-credential.js';
export type { ScopeOptions, AuthorityOptions } from './provider/factories/validate.js';
export { DEFAULT_REAUTHENTICATION_JITTER_MS } from './provider/options.js';
export type { EntraIdProviderOptions, CredentialsMapper } from './provider/options.js';
export { DIAGNOSTICS_CHANNELS } from './provider/diagnostics.js';
export type {
  RedisCredentials,
  CredentialsListener,
  CredentialsSubscription,
  TokenRenewedEvent,
  RenewalFailedEvent,
  ReAuthenticationFailedEvent,
  ReAuthenticationSkippedEvent,
  CredentialsProviderEvents,
} from './provider/types.js';
export { watchNodeRedisClient } from './provider/node-redis/watch-client.js';
export type { WatchableNodeRedisClient, NodeRedisClientWatch } from './provider/node-redis/watch-client.js';
export { watchNodeRedisPool } from './provider/node-redis/watch-pool.js';
export type { WatchableNodeRedisPool } from './provider/node-redis/watch-pool.js';
export { watchNodeRedisCluster } from './provider/node-redis/watch-cluster.js';
export type { WatchableNodeRedisCluster, WatchableNodeRedisClusterNode } from './provider/node-redis/watch-cluster.js';
export type { NodeRedisGroupWatch } from './provider/node-redis/member-watches.js';
