import { ManagedIdentityApplication, type ManagedIdentityIdParams } from '@azure/msal-node';
import { TokenRequestError } from '../errors.js';
import { raceAbort } from './abort.js';
import { ManagedIdentityIdType, ManagedIdentityType } from './constants.js';
import type { IdentityProvider, IdentityToken, TokenRequest } from './identity-provider.js';
import { msalLoggerOptions } from './msal-options.js';

/** Validated settings of a {@link ManagedIdentityIdentityProvider}. */
export type ManagedIdentitySettings =
  | { readonly identityType: typeof ManagedIdentityType.SYSTEM_ASSIGNED; readonly resource: string }
  | {
      readonly identityType: typeof ManagedIdentityType.USER_ASSIGNED;
      readonly idType: ManagedIdentityIdType;
      readonly id: string;
      readonly resource: string;
    };

/**
 * Managed identity tokens through msal-node's `ManagedIdentityApplication`.
 *
 * msal picks the source (App Service / Functions via `IDENTITY_ENDPOINT` + `IDENTITY_HEADER`, Azure Arc,
 * Service Fabric, Cloud Shell, Machine Learning, else IMDS at 169.254.169.254 or
 * `AZURE_POD_IDENTITY_AUTHORITY_HOST`) from the environment on the first request, once per process.
 *
 * - A scheduled renewal (`forceRefresh`) bypasses msal's cache; the endpoint may still return its own cached token.
 * - msal's internal retries are off: the token manager's retry schedule is the only one, so a request is one
 *   HTTP call and a timeout or close is not followed by hidden background retries.
 */
export class ManagedIdentityIdentityProvider implements IdentityProvider {
  readonly name: string;
  readonly #settings: ManagedIdentitySettings;
  #app: ManagedIdentityApplication | undefined;

  /** @param settings - validated settings (see `createFromManagedIdentity`). */
  constructor(settings: ManagedIdentitySettings) {
    this.#settings = settings;
    this.name = settings.identityType === ManagedIdentityType.SYSTEM_ASSIGNED ? 'managed-identity-system' : 'managed-identity-user';
  }

  async requestToken(request: TokenRequest): Promise<IdentityToken> {
    const app = (this.#app ??= new ManagedIdentityApplication({
      ...(this.#settings.identityType === ManagedIdentityType.USER_ASSIGNED
        ? { managedIdentityIdParams: idParams(this.#settings.idType, this.#settings.id) }
        : {}),
      system: { loggerOptions: msalLoggerOptions(), disableInternalRetries: true },
    }));
    const result = await raceAbort(
      app.acquireToken({ resource: this.#settings.resource, forceRefresh: request.forceRefresh }),
      request.signal,
    );
    if (!result.accessToken) {
      throw new TokenRequestError('msal-node returned no access token for the managed identity request', {
        kind: 'invalid-response',
        retryable: true,
      });
    }
    return {
      token: result.accessToken,
      ...(result.expiresOn ? { expiresOnMs: result.expiresOn.getTime() } : {}),
      ...(result.refreshOn ? { refreshAfterMs: result.refreshOn.getTime() } : {}),
    };
  }

  close(): void {
    this.#app = undefined;
  }

  toJSON(): ManagedIdentitySettings & { name: string } {
    return { name: this.name, ...this.#settings };
  }
}

function idParams(idType: ManagedIdentityIdType, id: string): ManagedIdentityIdParams {
  switch (idType) {
    case ManagedIdentityIdType.CLIENT_ID:
      return { userAssignedClientId: id };
    case ManagedIdentityIdType.OBJECT_ID:
      return { userAssignedObjectId: id };
    case ManagedIdentityIdType.RESOURCE_ID:
      return { userAssignedResourceId: id };
  }
}
