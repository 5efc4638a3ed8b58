import { ManagedIdentityIdentityProvider } from '../../identity/managed-identity.js';
import { EntraIdCredentialsProvider } from '../entra-id-credentials-provider.js';
import type { EntraIdProviderOptions } from '../options.js';
import {
  MANAGED_IDENTITY_OPTION_KEYS,
  resolveManagedIdentitySettings,
  type ManagedIdentityIdentityOptions,
} from './managed-identity-options.js';
import { omitKeys } from './validate.js';

/** Options of {@link createFromManagedIdentity}. */
export interface ManagedIdentityOptions extends ManagedIdentityIdentityOptions, EntraIdProviderOptions {}

/**
 * A credentials provider for an Azure managed identity (system-assigned, or user-assigned by client id, object id
 * or resource id), through msal-node's `ManagedIdentityApplication`. The source (App Service, IMDS, Azure Arc, …) is
 * detected from the environment once per process, on the first request. Scheduled renewals bypass msal's cache.
 *
 * @example
 * ```ts
 * const provider = createFromManagedIdentity({
 *   identityType: ManagedIdentityType.USER_ASSIGNED,
 *   idType: ManagedIdentityIdType.CLIENT_ID,
 *   id: process.env.AZURE_CLIENT_ID!,
 * });
 * ```
 * @throws {@link ConfigurationError} naming `identityType`, `idType`, `id` or `scopes`.
 */
export function createFromManagedIdentity(options: ManagedIdentityOptions): EntraIdCredentialsProvider {
  const settings = resolveManagedIdentitySettings(options);
  return new EntraIdCredentialsProvider(
    new ManagedIdentityIdentityProvider(settings),
    omitKeys(options, MANAGED_IDENTITY_OPTION_KEYS),
  );
}
