import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ClientSecretCredential } from '@azure/identity';
import type { AccessToken as AzureAccessToken, TokenCredential } from '@azure/core-auth';
import { DEFAULT_SECRET_PRINCIPAL, DEFAULT_USER_ASSIGNED_IDENTITY } from '../../../src/emulator/idp/constants.js';
import { startIdentityEmulator, type IdentityEmulator } from '../../../src/emulator/idp/identity-emulator.js';
import { createFromCredential } from '../../../src/provider/factories/credential.js';
import { testCertificateAuthority } from '../../helpers/test-ca.js';
import { FAST_RENEWAL, observeRenewals, recordOutgoingHosts } from './observe.js';

const TOKENS = 6;

describe('createFromCredential against the identity emulator', () => {
  let emulator: IdentityEmulator;
  before(async () => {
    emulator = await startIdentityEmulator({ ca: testCertificateAuthority(), tokenLifetimeSeconds: 3 });
  });
  after(() => emulator.close());

  it('@azure/identity ClientSecretCredential: a fresh token per renewal, one token request per renewal', async () => {
    const start = emulator.requests.length;
    const recorder = recordOutgoingHosts();
    const credential = new ClientSecretCredential(emulator.tenantId, DEFAULT_SECRET_PRINCIPAL.clientId, DEFAULT_SECRET_PRINCIPAL.clientSecret, {
      authorityHost: emulator.authorityHost,
      disableInstanceDiscovery: true,
    });
    const seen = await observeRenewals(createFromCredential(credential, { tokenManagerConfig: FAST_RENEWAL }), {
      tokens: TOKENS,
      subscribers: 3,
      timeoutMs: 20_000,
    });
    recorder.stop();
    assert.equal(seen.error, undefined);
    assert.equal(new Set(seen.utis).size, TOKENS);
    assert.deepEqual(seen.usernames, [DEFAULT_SECRET_PRINCIPAL.objectId]);
    assert.deepEqual(seen.distinctPasswordsPerSubscriber, [TOKENS, TOKENS, TOKENS]);
    assert.equal(emulator.requests.slice(start).filter((entry) => entry.endpoint === 'token').length, TOKENS);
    assert.deepEqual([...recorder.hosts], [new URL(emulator.authorityHost).host]);
  });

  it('a hand-written credential: custom token source, scopes passed through', async () => {
    const scopesSeen: string[][] = [];
    const credential: TokenCredential = {
      getToken: async (scopes): Promise<AzureAccessToken> => {
        scopesSeen.push(Array.isArray(scopes) ? scopes : [scopes]);
        const token = emulator.issueAccessToken(DEFAULT_USER_ASSIGNED_IDENTITY.clientId);
        return { token, expiresOnTimestamp: Date.now() + 3_000 };
      },
    };
    const seen = await observeRenewals(createFromCredential(credential, { tokenManagerConfig: FAST_RENEWAL }), {
      tokens: TOKENS,
      subscribers: 2,
      timeoutMs: 20_000,
    });
    assert.equal(seen.error, undefined);
    assert.equal(new Set(seen.utis).size, TOKENS);
    assert.deepEqual(seen.usernames, [DEFAULT_USER_ASSIGNED_IDENTITY.objectId]);
    assert.equal(scopesSeen.length, TOKENS);
    assert.deepEqual(scopesSeen[0], ['https://redis.azure.com/.default']);
  });
});
