/**
 * Errors thrown and emitted by redis-entraid.
 *
 * Every error is a {@link RedisEntraIdError} with a literal `code`, so `switch (err.code)` narrows to the
 * subclass. Messages name the field or component at fault and never contain a token, secret or assertion.
 *
 * @module
 */

/** Every error code this library uses. */
export type RedisEntraIdErrorCode =
  | 'ERR_INVALID_CONFIG'
  | 'ERR_TOKEN_INVALID'
  | 'ERR_TOKEN_EXPIRED'
  | 'ERR_TOKEN_REQUEST_FAILED'
  | 'ERR_TOKEN_REQUEST_TIMEOUT'
  | 'ERR_PROVIDER_CLOSED'
  | 'ERR_NO_TOKEN'
  | 'ERR_REAUTH_FAILED'
  | 'ERR_UNSUPPORTED_CLIENT'
  | 'ERR_STATIC_PASSWORD_CONFLICT';

/** Options common to every error constructor. */
export interface RedisEntraIdErrorOptions {
  /** The underlying error, kept as `cause`. */
  readonly cause?: unknown;
}

/** Base class of every error thrown or emitted by redis-entraid. */
export abstract class RedisEntraIdError extends Error {
  /** A stable, machine-readable code; see {@link RedisEntraIdErrorCode}. */
  abstract readonly code: RedisEntraIdErrorCode;

  constructor(message: string, options?: RedisEntraIdErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
  }

  /** A JSON form with name, code and message only: `cause` may come from another library and is left out. */
  toJSON(): { name: string; code: RedisEntraIdErrorCode; message: string } {
    return { name: this.name, code: this.code, message: this.message };
  }
}

/** A configuration value is missing, of the wrong type or out of range. `field` names it. */
export class ConfigurationError extends RedisEntraIdError {
  readonly code = 'ERR_INVALID_CONFIG' as const;
  /** The dotted path of the offending option, e.g. `tokenManagerConfig.expirationRefreshRatio`. */
  readonly field: string;

  constructor(field: string, message: string, options?: RedisEntraIdErrorOptions) {
    super(`"${field}" ${message}`, options);
    this.field = field;
  }
}

/** A token could not be parsed or lacks a required claim. `claim` names the claim when one is at fault. */
export class TokenInvalidError extends RedisEntraIdError {
  readonly code = 'ERR_TOKEN_INVALID' as const;
  /** The claim at fault (`exp`, `oid`, …), if the problem is a single claim. */
  readonly claim: string | undefined;

  constructor(message: string, options?: RedisEntraIdErrorOptions & { claim?: string }) {
    super(message, options);
    this.claim = options?.claim;
  }
}

/** A token arrived already expired (or expiring within the clock tolerance). */
export class TokenExpiredError extends RedisEntraIdError {
  readonly code = 'ERR_TOKEN_EXPIRED' as const;
  /** When the token expired, in milliseconds since the epoch. */
  readonly expiresAtMs: number;

  constructor(expiresAtMs: number, nowMs: number, options?: RedisEntraIdErrorOptions) {
    super(
      `the identity platform returned a token that expired at ${new Date(expiresAtMs).toISOString()} ` +
        `(${Math.round((nowMs - expiresAtMs) / 1000)} s ago); check the system clock`,
      options,
    );
    this.expiresAtMs = expiresAtMs;
  }
}

/** What kind of failure a token request met, which decides whether it is worth retrying. */
export type TokenRequestFailureKind =
  | 'network'
  | 'server'
  | 'throttled'
  | 'timeout'
  | 'invalid-response'
  | 'authentication'
  | 'configuration'
  | 'unknown';

/** A request to the identity platform failed. `retryable` says whether trying again may help. */
export class TokenRequestError extends RedisEntraIdError {
  readonly code: 'ERR_TOKEN_REQUEST_FAILED' | 'ERR_TOKEN_REQUEST_TIMEOUT' = 'ERR_TOKEN_REQUEST_FAILED';
  /** The failure's class. */
  readonly kind: TokenRequestFailureKind;
  /** Whether a retry may succeed (network, 5xx, 429, timeout: yes; a wrong secret: no). */
  readonly retryable: boolean;
  /** HTTP status of the identity platform's answer, when there was one. */
  readonly status: number | undefined;
  /** The OAuth / AADSTS error code of the answer (e.g. `invalid_client`, `AADSTS7000215`), when known. */
  readonly errorCode: string | undefined;
  /** How long the platform asked us to wait (`Retry-After`), in milliseconds, when it did. */
  readonly retryAfterMs: number | undefined;
  /** Which attempt of the current renewal this was (1-based), when known. */
  readonly attempt: number | undefined;

  constructor(
    message: string,
    details: {
      kind: TokenRequestFailureKind;
      retryable: boolean;
      status?: number;
      errorCode?: string;
      retryAfterMs?: number;
      attempt?: number;
    },
    options?: RedisEntraIdErrorOptions,
  ) {
    super(message, options);
    this.kind = details.kind;
    this.retryable = details.retryable;
    this.status = details.status;
    this.errorCode = details.errorCode;
    this.retryAfterMs = details.retryAfterMs;
    this.attempt = details.attempt;
  }

  override toJSON(): ReturnType<RedisEntraIdError['toJSON']> & {
    kind: TokenRequestFailureKind;
    retryable: boolean;
    status?: number;
    errorCode?: string;
  } {
    return {
      ...super.toJSON(),
      kind: this.kind,
      retryable: this.retryable,
      ...(this.status === undefined ? {} : { status: this.status }),
      ...(this.errorCode === undefined ? {} : { errorCode: this.errorCode }),
    };
  }
}

/** A token request did not complete within `tokenRequestExecutionTimeoutInMs`. */
export class TokenRequestTimeoutError extends TokenRequestError {
  override readonly code = 'ERR_TOKEN_REQUEST_TIMEOUT' as const;

  constructor(timeoutMs: number, options?: RedisEntraIdErrorOptions & { attempt?: number }) {
    super(
      `the token request did not complete within ${timeoutMs} ms (tokenManagerConfig.tokenRequestExecutionTimeoutInMs)`,
      { kind: 'timeout', retryable: true, ...(options?.attempt === undefined ? {} : { attempt: options.attempt }) },
      options,
    );
  }
}

/** The provider (or adapter) was closed; it serves no more credentials. */
export class ProviderClosedError extends RedisEntraIdError {
  readonly code = 'ERR_PROVIDER_CLOSED' as const;

  constructor(what = 'the credentials provider', options?: RedisEntraIdErrorOptions) {
    super(`${what} is closed`, options);
  }
}

/** Credentials were asked for synchronously but there is no valid token yet (or it expired). */
export class NoTokenError extends RedisEntraIdError {
  readonly code = 'ERR_NO_TOKEN' as const;
}

/** A live connection could not be re-authenticated with a fresh token. */
export class ReAuthenticationError extends RedisEntraIdError {
  readonly code = 'ERR_REAUTH_FAILED' as const;
  /** The connection's address (`host:port`), when known. */
  readonly address: string | undefined;

  constructor(message: string, options?: RedisEntraIdErrorOptions & { address?: string }) {
    super(message, options);
    this.address = options?.address;
  }
}

/** An adapter was handed an object it does not support. */
export class UnsupportedClientError extends RedisEntraIdError {
  readonly code = 'ERR_UNSUPPORTED_CLIENT' as const;
}

/** A client was configured with a static password as well as an Entra ID provider. */
export class StaticPasswordConflictError extends RedisEntraIdError {
  readonly code = 'ERR_STATIC_PASSWORD_CONFLICT' as const;
}

/** Every concrete error class, as a union that narrows on `code`. */
export type AnyRedisEntraIdError =
  | ConfigurationError
  | TokenInvalidError
  | TokenExpiredError
  | TokenRequestError
  | TokenRequestTimeoutError
  | ProviderClosedError
  | NoTokenError
  | ReAuthenticationError
  | UnsupportedClientError
  | StaticPasswordConflictError;

/** True when `value` is an error thrown by this library (works across copies of the package). */
export function isRedisEntraIdError(value: unknown): value is AnyRedisEntraIdError {
  if (!(value instanceof Error)) return false;
  const code: unknown = (value as Error & { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('ERR_') && 'toJSON' in value;
}
