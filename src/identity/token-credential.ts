import type { TokenCredential } from '@azure/core-auth';
import { TokenRequestError } from '../errors.js';
import { raceAbort } from './abort.js';
import type { IdentityProvider, IdentityToken, TokenRequest } from './identity-provider.js';

/**
 * Tokens from any `@azure/core-auth` `TokenCredential` (`DefaultAzureCredential`, `ClientSecretCredential`,
 * `ManagedIdentityCredential`, a custom one).
 *
 * `TokenCredential` has no "force refresh": `@azure/identity` credentials return their cached token until it is
 * close to expiry (msal's window: 5 minutes before expiry). A scheduled renewal may therefore get the same token
 * back; the token manager then does not re-authenticate and tries again later. The signal is passed as
 * `abortSignal` and also raced, for credentials that ignore it.
 */
export class TokenCredentialIdentityProvider implements IdentityProvider {
  readonly name: string;
  readonly #credential: TokenCredential;
  readonly #scopes: string[];

  /**
   * @param credential - the credential; its `getToken` is called with `scopes`.
   * @param scopes - the scopes to request.
   * @param name - the provider's name for diagnostics; default `token-credential`.
   */
  constructor(credential: TokenCredential, scopes: readonly string[], name = 'token-credential') {
    this.#credential = credential;
    this.#scopes = [...scopes];
    this.name = name;
  }

  async requestToken(request: TokenRequest): Promise<IdentityToken> {
    const result = await raceAbort(
      Promise.resolve(this.#credential.getToken([...this.#scopes], { abortSignal: request.signal })),
      request.signal,
    );
    if (result === null || result === undefined) {
      throw new TokenRequestError('the TokenCredential returned null instead of an access token', {
        kind: 'invalid-response',
        retryable: true,
      });
    }
    if (typeof result.token !== 'string' || result.token.length === 0) {
      throw new TokenRequestError(`the TokenCredential returned an AccessToken whose "token" is not a non-empty string (${typeof result.token})`, {
        kind: 'invalid-response',
        retryable: true,
      });
    }
    return {
      token: result.token,
      ...(isTimestamp(result.expiresOnTimestamp) ? { expiresOnMs: result.expiresOnTimestamp } : {}),
      ...(isTimestamp(result.refreshAfterTimestamp) ? { refreshAfterMs: result.refreshAfterTimestamp } : {}),
    };
  }
}

function isTimestamp(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0;
}
