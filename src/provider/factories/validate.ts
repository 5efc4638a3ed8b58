import { ConfigurationError } from '../../errors.js';
import { DEFAULT_AUTHORITY_HOST, REDIS_SCOPE_DEFAULT } from '../../identity/constants.js';
import { normaliseAuthorityHost } from '../../identity/msal-options.js';

/** Options shared by the `createFrom*` factories that choose the token's scopes. */
export interface ScopeOptions {
  /** OAuth scopes to request. Default `['https://redis.azure.com/.default']` ({@link REDIS_SCOPE_DEFAULT}). */
  readonly scopes?: readonly string[] | undefined;
}

/** Options of the factories that talk to an Entra ID authority. */
export interface AuthorityOptions {
  /**
   * The Entra ID authority host, `https://…`, e.g. `https://login.microsoftonline.us` (US Government),
   * `https://login.chinacloudapi.cn` (China) or a local emulator. Default `https://login.microsoftonline.com`
   * ({@link DEFAULT_AUTHORITY_HOST}). Any other host is trusted as given: no request goes to the public cloud.
   */
  readonly authorityHost?: string | undefined;
}

/** Throws unless `options` is a plain object (not null, not an array). */
export function requireOptionsObject(options: unknown, field = 'options'): asserts options is Record<string, unknown> {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ConfigurationError(field, `must be an object, got ${options === null ? 'null' : Array.isArray(options) ? 'an array' : typeof options}`);
  }
}

/** Returns `value` when it is a non-empty string, else throws a {@link ConfigurationError} naming `field`. */
export function requireNonEmptyString(field: string, value: unknown): string {
  if (value === undefined || value === null) throw new ConfigurationError(field, 'is required');
  if (typeof value !== 'string') throw new ConfigurationError(field, `must be a string, got ${typeof value}`);
  if (value.trim().length === 0) throw new ConfigurationError(field, 'must not be empty');
  return value;
}

/** Resolves `scopes`: a non-empty array of non-empty strings; default `[REDIS_SCOPE_DEFAULT]`. A copy. */
export function resolveScopes(value: unknown): readonly string[] {
  if (value === undefined) return Object.freeze([REDIS_SCOPE_DEFAULT]);
  if (!Array.isArray(value) || value.length === 0) {
    throw new ConfigurationError('scopes', `must be a non-empty array of strings, got ${Array.isArray(value) ? 'an empty array' : typeof value}`);
  }
  return Object.freeze(value.map((scope: unknown, i) => requireNonEmptyString(`scopes[${i}]`, scope)));
}

/** Resolves `authorityHost`: an `https://` URL, normalised without trailing slash; default the public cloud. */
export function resolveAuthorityHost(value: unknown): string {
  if (value === undefined) return DEFAULT_AUTHORITY_HOST;
  const text = requireNonEmptyString('authorityHost', value);
  const host = normaliseAuthorityHost(text);
  if (host === undefined) {
    throw new ConfigurationError('authorityHost', `must be an https:// URL, got ${JSON.stringify(text)}`);
  }
  return host;
}

/** Returns a shallow copy of `options` without `keys` (the factory-specific options). */
export function omitKeys<T extends object>(options: T, keys: readonly string[]): Partial<T> {
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    if (!keys.includes(key)) copy[key] = value;
  }
  return copy as Partial<T>;
}
