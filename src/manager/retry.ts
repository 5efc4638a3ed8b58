import { RedisEntraIdError, TokenRequestError, type TokenRequestFailureKind } from '../errors.js';
import type { ResolvedRetryPolicy } from './config.js';

/**
 * Delay before attempt `attempt + 1` of a renewal round, in ms: `delayInMs × backoffMultiplier^(attempt−1)`,
 * capped at `maxDelayInMs`, then spread by ±`jitterRatio` (a fraction) and capped again.
 *
 * @param attempt - the attempt that just failed, 1-based.
 * @param policy - the resolved retry policy.
 * @param random - a source of numbers in [0, 1); default `Math.random`.
 * @returns a whole number of ms in [0, maxDelayInMs].
 */
export function computeBackoffMs(
  attempt: number,
  policy: Pick<ResolvedRetryPolicy, 'delayInMs' | 'backoffMultiplier' | 'maxDelayInMs' | 'jitterRatio'>,
  random: () => number = Math.random,
): number {
  const exponent = Math.max(0, attempt - 1);
  // 0 × Infinity (a zero delay after ~1000 doublings) is NaN: a zero delay stays zero.
  const grown = policy.delayInMs === 0 ? 0 : policy.delayInMs * policy.backoffMultiplier ** exponent;
  const base = Math.min(policy.maxDelayInMs, grown);
  const spread = base * policy.jitterRatio * (2 * random() - 1);
  return Math.round(Math.min(policy.maxDelayInMs, Math.max(0, base + spread)));
}

/**
 * Parses an HTTP `Retry-After` value (delta seconds or an HTTP date) into ms from `nowMs`.
 *
 * @returns ms to wait (>= 0), or undefined when the value is missing or unparsable.
 */
export function parseRetryAfterMs(value: unknown, nowMs: number = Date.now()): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.round(value * 1000) : undefined;
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'network_error',
  'endpoints_resolution_error',
]);
const AUTH_CODES = new Set(['invalid_client', 'unauthorized_client', 'invalid_grant', 'access_denied']);
const CONFIG_CODES = new Set(['invalid_scope', 'invalid_request', 'invalid_resource', 'unsupported_grant_type']);
const SERVER_CODES = new Set(['server_error', 'temporarily_unavailable', 'service_unavailable']);
/** msal's code for a token endpoint answer that is not JSON. */
const INVALID_RESPONSE_CODES = new Set(['token_parsing_error']);

type Bag = Record<string, unknown>;

function bag(value: unknown): Bag | undefined {
  return typeof value === 'object' && value !== null ? (value as Bag) : undefined;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function httpStatus(error: Bag): number | undefined {
  for (const key of ['status', 'statusCode', 'httpStatus']) {
    const value = error[key];
    const n = typeof value === 'string' ? Number(value) : value;
    if (typeof n === 'number' && Number.isInteger(n) && n >= 100 && n <= 599) return n;
  }
  const response = bag(error['response']);
  return response === undefined ? undefined : httpStatus(response);
}

function header(headers: unknown, name: string): unknown {
  const h = bag(headers);
  if (h === undefined) return undefined;
  if (typeof h['get'] === 'function') return (h['get'] as (n: string) => unknown).call(h, name);
  const key = Object.keys(h).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : h[key];
}

function retryAfter(error: Bag, nowMs: number): number | undefined {
  const direct = error['retryAfterMs'];
  if (typeof direct === 'number' && Number.isFinite(direct) && direct >= 0) return direct;
  const response = bag(error['response']);
  return (
    parseRetryAfterMs(header(error['headers'], 'retry-after'), nowMs) ??
    parseRetryAfterMs(header(response?.['headers'], 'retry-after'), nowMs)
  );
}

/** Walks `error` and its causes (at most 5 deep) for the first value `pick` returns. */
function findInChain<T>(error: unknown, pick: (e: Bag) => T | undefined): T | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5; depth++) {
    const b = bag(current);
    if (b === undefined) return undefined;
    const found = pick(b);
    if (found !== undefined) return found;
    current = b['cause'];
  }
  return undefined;
}

const JWT_LIKE = /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*\.?[A-Za-z0-9_-]*/g;
const SECRET_PARAMS = /((?:client_secret|client_assertion|assertion|access_token|refresh_token|password)\s*[=:]\s*"?)[^&\s",]+/gi;

/** Removes anything that looks like a JWT or a `client_secret=`/`client_assertion=` value from `text`. */
export function scrubSecrets(text: string): string {
  return text.replace(JWT_LIKE, '[redacted-jwt]').replace(SECRET_PARAMS, '$1[redacted]');
}

function aadstsCode(error: Bag): string | undefined {
  const texts = [error['errorMessage'], error['message'], bag(error['errorResponse'])?.['errorDescription']];
  for (const text of texts) {
    const match = typeof text === 'string' ? /AADSTS\d+/.exec(text) : null;
    if (match) return match[0];
  }
  const errorNo = str(error['errorNo']);
  return errorNo === undefined ? undefined : `AADSTS${errorNo}`;
}

function oauthCode(error: Bag): string | undefined {
  return str(bag(error['errorResponse'])?.['error']) ?? str(error['errorCode']) ?? str(error['error']);
}

function kindOf(name: string | undefined, code: string | undefined, status: number | undefined, netCode: string | undefined): TokenRequestFailureKind {
  if (status === 429 || code === 'throttled' || code === 'too_many_requests') return 'throttled';
  if (netCode !== undefined) return 'network';
  if (code !== undefined && INVALID_RESPONSE_CODES.has(code)) return 'invalid-response';
  if (code !== undefined && SERVER_CODES.has(code)) return 'server';
  if (status !== undefined && status >= 500) return 'server';
  if (code !== undefined && AUTH_CODES.has(code)) return 'authentication';
  if (code !== undefined && CONFIG_CODES.has(code)) return 'configuration';
  if (status === 401 || status === 403) return 'authentication';
  if (status === 408) return 'server';
  if (status !== undefined && status >= 400) return 'configuration';
  if (name === 'CredentialUnavailableError' || name === 'ClientConfigurationError') return 'configuration';
  return 'unknown';
}

const RETRYABLE: Record<TokenRequestFailureKind, boolean> = {
  network: true,
  server: true,
  throttled: true,
  timeout: true,
  'invalid-response': true,
  authentication: false,
  configuration: false,
  unknown: true,
};

/**
 * Classifies an error thrown by an identity provider into a {@link TokenRequestError}.
 *
 * Understands errors by shape, not class identity (several copies of msal-node may be installed): msal's
 * `errorCode`/`errorNo`/`status`, `@azure/identity`'s `AuthenticationError` (`statusCode`,
 * `errorResponse.error`) and `CredentialUnavailableError`, Node/undici network codes (also in `cause`), and
 * this library's own errors. A {@link TokenRequestError} is returned as is.
 *
 * Authentication and configuration failures (`invalid_client`, `invalid_scope`, 4xx) are not retryable;
 * network, 5xx, 429 (with `retryAfterMs` from `Retry-After`), timeouts and malformed tokens are.
 * The message is built from codes and statuses only and scrubbed of anything secret; the original is `cause`.
 *
 * @param error - what `requestToken` threw or rejected with.
 * @param nowMs - now, in ms since the epoch, to read an HTTP-date `Retry-After`; default `Date.now()`.
 */
export function classifyTokenError(error: unknown, nowMs: number = Date.now()): TokenRequestError {
  if (error instanceof TokenRequestError) return error;
  const b = bag(error) ?? {};
  const name = str(b['name']);
  if (error instanceof RedisEntraIdError && (error.code === 'ERR_TOKEN_INVALID' || error.code === 'ERR_TOKEN_EXPIRED')) {
    return new TokenRequestError(`the identity platform returned an unusable token: ${error.message}`, {
      kind: 'invalid-response',
      retryable: true,
    }, { cause: error });
  }
  const netCode = findInChain(error, (e) => {
    const code = str(e['code']) ?? str(e['errorCode']);
    return code !== undefined && NETWORK_CODES.has(code) ? code : undefined;
  }) ?? (name === 'TypeError' && b['message'] === 'fetch failed' ? 'fetch failed' : undefined);
  const status = findInChain(error, httpStatus);
  const code = findInChain(error, oauthCode);
  const aadsts = findInChain(error, aadstsCode);
  const kind = kindOf(name, code === undefined ? undefined : code.toLowerCase(), status, netCode);
  const retryAfterMs = kind === 'throttled' || kind === 'server' ? findInChain(error, (e) => retryAfter(e, nowMs)) : undefined;
  const errorCode = aadsts ?? code ?? netCode;

  const parts = [`${name ?? 'error'}`];
  if (code !== undefined) parts.push(`code ${code}`);
  if (aadsts !== undefined && aadsts !== code) parts.push(aadsts);
  if (status !== undefined) parts.push(`HTTP ${status}`);
  if (netCode !== undefined && netCode !== code) parts.push(netCode);
  const advice: Record<TokenRequestFailureKind, string> = {
    network: 'the identity endpoint could not be reached; will retry',
    server: 'the identity platform failed; will retry',
    throttled: 'the identity platform throttled the request; will retry later',
    timeout: 'the request timed out; will retry',
    'invalid-response': 'the identity platform returned an unusable answer; will retry',
    authentication: 'the credential was rejected; check the client id, secret or certificate and the tenant',
    configuration: 'the request is misconfigured or the credential is unavailable; check the options',
    unknown: 'unexpected failure; will retry',
  };
  const message = scrubSecrets(`token request failed (${parts.join(', ')}): ${advice[kind]}`);
  return new TokenRequestError(
    message,
    {
      kind,
      retryable: RETRYABLE[kind],
      ...(status === undefined ? {} : { status }),
      ...(errorCode === undefined ? {} : { errorCode }),
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    },
    { cause: error },
  );
}
