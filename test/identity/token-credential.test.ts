import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AccessToken as AzureAccessToken, GetTokenOptions, TokenCredential } from '@azure/core-auth';
import { TokenRequestError } from '../../src/errors.js';
import { raceAbort } from '../../src/identity/abort.js';
import { TokenCredentialIdentityProvider } from '../../src/identity/token-credential.js';

class ScriptedCredential implements TokenCredential {
  readonly calls: { scopes: string[]; options: GetTokenOptions | undefined }[] = [];
  constructor(private readonly answer: (call: number, options: GetTokenOptions | undefined) => Promise<AzureAccessToken | null>) {}
  getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AzureAccessToken | null> {
    this.calls.push({ scopes: Array.isArray(scopes) ? scopes : [scopes], options });
    return this.answer(this.calls.length, options);
  }
}

const request = (signal = new AbortController().signal, forceRefresh = true) => ({ signal, forceRefresh });

describe('TokenCredentialIdentityProvider', () => {
  it('passes scopes and the abort signal, maps expiresOnTimestamp and refreshAfterTimestamp', async () => {
    const credential = new ScriptedCredential(async () => ({ token: 'tok-1', expiresOnTimestamp: 2_000_000, refreshAfterTimestamp: 1_500_000 }));
    const provider = new TokenCredentialIdentityProvider(credential, ['https://redis.azure.com/.default']);
    const signal = new AbortController().signal;
    assert.deepEqual(await provider.requestToken(request(signal)), { token: 'tok-1', expiresOnMs: 2_000_000, refreshAfterMs: 1_500_000 });
    assert.equal(credential.calls.length, 1);
    assert.deepEqual(credential.calls[0]?.scopes, ['https://redis.azure.com/.default']);
    assert.equal(credential.calls[0]?.options?.abortSignal, signal);
    assert.equal(provider.name, 'token-credential');
  });

  it('returns the same token twice when the credential does (the token manager detects it)', async () => {
    const credential = new ScriptedCredential(async () => ({ token: 'same', expiresOnTimestamp: 5_000 }));
    const provider = new TokenCredentialIdentityProvider(credential, ['s']);
    const first = await provider.requestToken(request());
    const second = await provider.requestToken(request());
    assert.equal(first.token, 'same');
    assert.equal(second.token, 'same');
    assert.equal(credential.calls.length, 2);
  });

  it('omits a missing or invalid refreshAfterTimestamp', async () => {
    const credential = new ScriptedCredential(async () => ({ token: 't', expiresOnTimestamp: 5_000, refreshAfterTimestamp: Number.NaN }));
    assert.deepEqual(await new TokenCredentialIdentityProvider(credential, ['s']).requestToken(request()), { token: 't', expiresOnMs: 5_000 });
  });

  it('turns null into a typed, retryable TokenRequestError', async () => {
    const provider = new TokenCredentialIdentityProvider(new ScriptedCredential(async () => null), ['s']);
    await assert.rejects(provider.requestToken(request()), (error: unknown) => {
      assert.ok(error instanceof TokenRequestError);
      assert.equal(error.code, 'ERR_TOKEN_REQUEST_FAILED');
      assert.equal(error.kind, 'invalid-response');
      assert.equal(error.retryable, true);
      assert.equal(error.message, 'the TokenCredential returned null instead of an access token');
      return true;
    });
  });

  it('rejects an AccessToken without a string token', async () => {
    const provider = new TokenCredentialIdentityProvider(
      new ScriptedCredential(async () => ({ token: 42 as unknown as string, expiresOnTimestamp: 1 })),
      ['s'],
    );
    await assert.rejects(provider.requestToken(request()), /"token" is not a non-empty string \(number\)/);
  });

  it('passes the credential error through unchanged for the token manager to classify', async () => {
    const failure = Object.assign(new Error('AADSTS7000215: Invalid client secret provided.'), { name: 'AuthenticationError', statusCode: 401 });
    const provider = new TokenCredentialIdentityProvider(new ScriptedCredential(async () => { throw failure; }), ['s']);
    await assert.rejects(provider.requestToken(request()), (error: unknown) => error === failure);
  });

  it('settles on abort even when the credential ignores the signal, and drops the late result', async () => {
    let release: (token: AzureAccessToken) => void = () => undefined;
    const credential = new ScriptedCredential(() => new Promise((resolve) => { release = resolve; }));
    const provider = new TokenCredentialIdentityProvider(credential, ['s']);
    const controller = new AbortController();
    const pending = provider.requestToken(request(controller.signal));
    const reason = new Error('timed out');
    controller.abort(reason);
    await assert.rejects(pending, (error: unknown) => error === reason);
    release({ token: 'late', expiresOnTimestamp: 1 });
  });
});

describe('raceAbort', () => {
  it('rejects at once for an already aborted signal and swallows the late rejection', async () => {
    const controller = new AbortController();
    controller.abort();
    let rejectLate: (error: Error) => void = () => undefined;
    const late = new Promise<number>((_resolve, reject) => { rejectLate = reject; });
    await assert.rejects(raceAbort(late, controller.signal), { name: 'AbortError' });
    rejectLate(new Error('late failure')); // must not become an unhandled rejection
    await new Promise((resolve) => setImmediate(resolve));
  });

  it('resolves with the value and removes its abort listener', async () => {
    const controller = new AbortController();
    assert.equal(await raceAbort(Promise.resolve(7), controller.signal), 7);
    controller.abort(); // no effect, no error
  });
});
