import { DefaultAzureCredential, type DefaultAzureCredentialClientIdOptions } from '@azure/identity';
import { isDefaultAuthorityHost, normaliseAuthorityHost } from '../../identity/msal-options.js';
import type { EntraIdCredentialsProvider } from '../entra-id-credentials-provider.js';
import type { EntraIdProviderOptions } from '../options.js';
import { createCredentialProvider } from './credential.js';
import { omitKeys, requireOptionsObject, resolveAuthorityHost, type AuthorityOptions, type ScopeOptions } from './validate.js';

/** Options of `DefaultAzureCredential` (either its client-id or its resource-id variant). */
export type DefaultAzureCredentialConstructorOptions = ConstructorParameters<typeof DefaultAzureCredential>[0];

/** Options of {@link createFromDefaultAzureCredential}. */
export interface DefaultAzureCredentialProviderOptions extends ScopeOptions, AuthorityOptions, EntraIdProviderOptions {
  /** Passed (copied) to `new DefaultAzureCredential(...)`. Default `{}`. */
  readonly credentialOptions?: DefaultAzureCredentialConstructorOptions;
}

/**
 * A credentials provider over `@azure/identity`'s `DefaultAzureCredential`: environment (secret / certificate),
 * workload identity (`AZURE_FEDERATED_TOKEN_FILE`), managed identity, then developer tools, as that class decides.
 *
 * When the authority host is not the public cloud (the `authorityHost` option, `credentialOptions.authorityHost`
 * or `AZURE_AUTHORITY_HOST`), instance discovery is turned off (`disableInstanceDiscovery`) unless
 * `credentialOptions` sets it, so no request goes to the public cloud.
 * Renewals may return the cached token until near expiry; see {@link createFromCredential}.
 *
 * @throws {@link ConfigurationError} for invalid options.
 */
export function createFromDefaultAzureCredential(options: DefaultAzureCredentialProviderOptions = {}): EntraIdCredentialsProvider {
  requireOptionsObject(options);
  const given = options.credentialOptions ?? {};
  requireOptionsObject(given, 'credentialOptions');
  const credentialOptions: DefaultAzureCredentialClientIdOptions = { ...(given as DefaultAzureCredentialClientIdOptions) };
  if (options.authorityHost !== undefined) credentialOptions.authorityHost = resolveAuthorityHost(options.authorityHost);
  const host = credentialOptions.authorityHost ?? process.env['AZURE_AUTHORITY_HOST'];
  const normalised = host === undefined ? undefined : normaliseAuthorityHost(host);
  if (normalised !== undefined && credentialOptions.disableInstanceDiscovery === undefined && !isDefaultAuthorityHost(normalised)) {
    credentialOptions.disableInstanceDiscovery = true;
  }
  const credential = new DefaultAzureCredential(credentialOptions);
  return createCredentialProvider(credential, omitKeys(options, ['credentialOptions', 'authorityHost']), 'default-azure-credential');
}
