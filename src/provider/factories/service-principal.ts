import { ServicePrincipalIdentityProvider } from '../../identity/service-principal.js';
import { EntraIdCredentialsProvider } from '../entra-id-credentials-provider.js';
import type { EntraIdProviderOptions } from '../options.js';
import {
  resolveServicePrincipalSettings,
  SERVICE_PRINCIPAL_OPTION_KEYS,
  type ServicePrincipalIdentityOptions,
} from './service-principal-options.js';
import { omitKeys } from './validate.js';

/** Options of {@link createFromServicePrincipal}. */
export interface ServicePrincipalOptions extends ServicePrincipalIdentityOptions, EntraIdProviderOptions {}

/**
 * A credentials provider for a service principal (app registration), authenticating with a client secret or a
 * client certificate through msal-node's client-credentials grant.
 *
 * Each scheduled renewal asks the platform for a newly issued token (msal's cache is bypassed). A custom
 * `authorityHost` (sovereign cloud, private endpoint, emulator) is used as given, with no request to the public
 * cloud. After a failed request a fresh msal application serves the next attempt, so msal's 60 s throttling of
 * 429/5xx answers cannot outlast an outage.
 *
 * @example
 * ```ts
 * const provider = createFromServicePrincipal({ clientId, tenantId, clientSecret: process.env.SECRET! });
 * ```
 * @throws {@link ConfigurationError} naming the field (`clientId`, `tenantId`, `clientSecret or certificate`, …).
 */
export function createFromServicePrincipal(options: ServicePrincipalOptions): EntraIdCredentialsProvider {
  const settings = resolveServicePrincipalSettings(options);
  return new EntraIdCredentialsProvider(
    new ServicePrincipalIdentityProvider(settings),
    omitKeys(options, SERVICE_PRINCIPAL_OPTION_KEYS),
  );
}
