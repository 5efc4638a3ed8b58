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
