import type { IdentityProvider } from '../identity/identity-provider.js';
import { EntraIdCredentialsProvider } from './entra-id-credentials-provider.js';
import type { EntraIdProviderOptions } from './options.js';

/**
 * Creates a credentials provider over any {@link IdentityProvider} (a custom token source, a test double).
 *
 * @param identity - the token source; must have a `requestToken(request)` method.
 * @param options - token manager config, credentials mapper, clock and jitter source; all optional.
 * @throws `ConfigurationError` naming `identityProvider` when `identity` has no `requestToken` function, or
 *   naming the offending `tokenManagerConfig.*` field.
 * @example
 * ```ts
 * const credentialsProvider = createFromIdentityProvider(myIdentity, { tokenManagerConfig: { expirationRefreshRatio: 0.7 } });
 * const client = createClient({ socket: { host, port, tls: true }, credentialsProvider });
 * ```
 */
export function createFromIdentityProvider(
  identity: IdentityProvider,
  options: EntraIdProviderOptions = {},
): EntraIdCredentialsProvider {
  return new EntraIdCredentialsProvider(identity, options);
}
