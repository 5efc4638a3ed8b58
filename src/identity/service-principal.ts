import { ConfidentialClientApplication, type Configuration } from '@azure/msal-node';
import { TokenRequestError } from '../errors.js';
import { classifyTokenError } from '../manager/retry.js';
import { raceAbort } from './abort.js';
import type { ClientCertificate } from './client-certificate.js';
import type { IdentityProvider, IdentityToken, TokenRequest } from './identity-provider.js';
import { FetchNetworkClient } from './network-client.js';
import { msalAuthorityOptions, msalLoggerOptions } from './msal-options.js';

/** How a service principal proves its identity. */
export type ServicePrincipalCredential =
  | { readonly kind: 'secret'; readonly clientSecret: string }
  | { readonly kind: 'certificate'; readonly certificate: ClientCertificate; readonly sendCertificateChain: boolean };

/** Validated settings of a {@link ServicePrincipalIdentityProvider}. */
export interface ServicePrincipalSettings {
  /** Application (client) id. */
  readonly clientId: string;
  /** Tenant id. */
  readonly tenantId: string;
  /** Normalised authority host, e.g. `https://login.microsoftonline.com`. */
  readonly authorityHost: string;
  /** Scopes to request. */
  readonly scopes: readonly string[];
  /** Secret or certificate. */
  readonly credential: ServicePrincipalCredential;
}

/**
 * Service principal tokens through msal-node's client-credentials grant (client secret or certificate).
 *
 * - A scheduled renewal (`forceRefresh`) bypasses msal's token cache, so each one yields a newly issued token.
 * - After a failed request the msal application is discarded and a new one is built for the next attempt:
 *   msal replays a 429/5xx answer from its throttling cache for 60 s (or `Retry-After`) without contacting the
 *   server, which would hide a recovered platform from our own retry schedule. The new application fetches the
 *   tenant's OpenID configuration once more (one extra request after a failure).
 * - msal takes no `AbortSignal`: a request is raced against the signal and a late result is dropped; the HTTP
 *   requests themselves go through our {@link FetchNetworkClient}, which the signal aborts.
 * - msal's `ServerError` drops the response headers: the network client records a 429/5xx answer's
 *   `Retry-After`, and the failure is rethrown as a {@link TokenRequestError} with `retryAfterMs` (the time left
 *   of it), so the token manager never retries sooner than the platform asked.
 */
export class ServicePrincipalIdentityProvider implements IdentityProvider {
  readonly name: string;
  readonly #settings: ServicePrincipalSettings;
  #app: { readonly msal: ConfidentialClientApplication; readonly network: FetchNetworkClient } | undefined;

  /** @param settings - validated settings (see `createFromServicePrincipal`). */
  constructor(settings: ServicePrincipalSettings) {
    this.#settings = settings;
    this.name = settings.credential.kind === 'secret' ? 'service-principal-secret' : 'service-principal-certificate';
  }

  async requestToken(request: TokenRequest): Promise<IdentityToken> {
    const app = (this.#app ??= this.#createApplication());
    app.network.setSignal(request.signal);
    app.network.takeRetryAfter();
    try {
      const result = await raceAbort(
        app.msal.acquireTokenByClientCredential({ scopes: [...this.#settings.scopes], skipCache: request.forceRefresh }),
        request.signal,
      );
      if (!result?.accessToken) {
        throw new TokenRequestError('msal-node returned no access token for the client-credentials request', {
          kind: 'invalid-response',
          retryable: true,
        });
      }
      return {
        token: result.accessToken,
        ...(result.expiresOn ? { expiresOnMs: result.expiresOn.getTime() } : {}),
        ...(result.refreshOn ? { refreshAfterMs: result.refreshOn.getTime() } : {}),
      };
    } catch (error) {
      // A fresh application next time: it has no throttling entry, so the next attempt reaches the server.
      if (this.#app === app) this.#app = undefined;
      throw withRetryAfter(error, app.network);
    } finally {
      app.network.setSignal(undefined);
    }
  }

  close(): void {
    this.#app = undefined;
  }

  #createApplication(): { msal: ConfidentialClientApplication; network: FetchNetworkClient } {
    const { clientId, tenantId, authorityHost, credential } = this.#settings;
    const auth: Configuration['auth'] = { clientId, ...msalAuthorityOptions(authorityHost, tenantId) };
    if (credential.kind === 'secret') {
      auth.clientSecret = credential.clientSecret;
    } else {
      auth.clientCertificate = {
        thumbprintSha256: credential.certificate.thumbprintSha256,
        privateKey: credential.certificate.privateKeyPem,
        ...(credential.sendCertificateChain ? { x5c: credential.certificate.chainPem } : {}),
      };
    }
    const network = new FetchNetworkClient();
    const msal = new ConfidentialClientApplication({ auth, system: { loggerOptions: msalLoggerOptions(), networkClient: network } });
    return { msal, network };
  }

  toJSON(): { name: string; clientId: string; tenantId: string; authorityHost: string } {
    const { clientId, tenantId, authorityHost } = this.#settings;
    return { name: this.name, clientId, tenantId, authorityHost };
  }
}

/**
 * `error` as a {@link TokenRequestError} carrying the `Retry-After` the network client recorded for this request,
 * when the failure was a throttled or server answer; otherwise `error` unchanged.
 */
function withRetryAfter(error: unknown, network: FetchNetworkClient): unknown {
  const record = network.takeRetryAfter();
  if (record === undefined || error instanceof TokenRequestError) return error;
  const classified = classifyTokenError(error);
  if (classified.kind !== 'throttled' && classified.kind !== 'server') return error;
  const { retryAfterMs } = record;
  return new TokenRequestError(
    classified.message,
    {
      kind: classified.kind,
      retryable: classified.retryable,
      status: classified.status ?? record.status,
      ...(classified.errorCode === undefined ? {} : { errorCode: classified.errorCode }),
      retryAfterMs,
    },
    { cause: error },
  );
}
