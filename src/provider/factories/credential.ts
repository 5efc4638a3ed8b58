import type { TokenCredential } from '@azure/core-auth';
import { ConfigurationError } from '../../errors.js';
import { TokenCredentialIdentityProvider } from '../../identity/token-credential.js';
import { EntraIdCredentialsProvider } from '../entra-id-credentials-provider.js';
import type { EntraIdProviderOptions } from '../options.js';
import { omitKeys, requireOptionsObject, resolveScopes, type ScopeOptions } from './validate.js';

/** Options of {@link createFromCredential}. */
export interface CredentialOptions extends ScopeOptions, EntraIdProviderOptions {}

/**
 * A credentials provider over any `@azure/core-auth` `TokenCredential` (an `@azure/identity` credential or your
 * own). `getToken(scopes, { abortSignal })` is called for each renewal.
 *
 * `TokenCredential` cannot be told to skip its cache: `@azure/identity` credentials return the same token until
 * about 5 minutes before it expires. The provider then keeps the current connections as they are (no AUTH with an
 * unchanged token) and asks again later. Prefer `createFromServicePrincipal` / `createFromManagedIdentity` for
 * a fresh token on every renewal.
 *
 * @param credential - an object with `getToken(scopes, options)`.
 * @param options - `scopes` (default `['https://redis.azure.com/.default']`) and the provider options.
 * @throws {@link ConfigurationError} (`credential`, `scopes`, …) when the arguments are invalid.
 */
export function createFromCredential(credential: TokenCredential, options: CredentialOptions = {}): EntraIdCredentialsProvider {
  return createCredentialProvider(credential, options, 'token-credential');
}

/** @internal {@link createFromCredential} with a diagnostic name for the identity provider. */
export function createCredentialProvider(
  credential: TokenCredential,
  options: CredentialOptions,
  name: string,
): EntraIdCredentialsProvider {
  if (typeof credential !== 'object' || credential === null || typeof credential.getToken !== 'function') {
    throw new ConfigurationError('credential', 'must be a TokenCredential (an object with a getToken(scopes, options) method)');
  }
  requireOptionsObject(options);
  const scopes = resolveScopes(options.scopes);
  return new EntraIdCredentialsProvider(new TokenCredentialIdentityProvider(credential, scopes, name), omitKeys(options, ['scopes']));
}
