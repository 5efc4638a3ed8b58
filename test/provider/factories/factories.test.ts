import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TokenCredential } from '@azure/core-auth';
import { ConfigurationError } from '../../../src/errors.js';
import { EntraIdCredentialsProvider } from '../../../src/provider/entra-id-credentials-provider.js';
import { createFromCredential } from '../../../src/provider/factories/credential.js';
import { createFromDefaultAzureCredential } from '../../../src/provider/factories/default-azure-credential.js';
import { createFromManagedIdentity } from '../../../src/provider/factories/managed-identity.js';
import { createFromServicePrincipal } from '../../../src/provider/factories/service-principal.js';

const isField = (field: string) => (error: unknown): boolean => error instanceof ConfigurationError && error.field === field;

describe('createFrom* factories', () => {
  it('createFromCredential rejects a value without getToken, naming "credential"', () => {
    assert.throws(() => createFromCredential({} as TokenCredential), isField('credential'));
    assert.throws(() => createFromCredential(null as unknown as TokenCredential), isField('credential'));
    assert.throws(() => createFromCredential({ getToken: async () => null }, { scopes: [] }), isField('scopes'));
  });

  it('validate eagerly and return an EntraIdCredentialsProvider', async () => {
    assert.throws(() => createFromServicePrincipal({ clientId: 'c', tenantId: '' }), isField('tenantId'));
    assert.throws(() => createFromManagedIdentity({ identityType: 'user-assigned', idType: 'client-id' }), isField('id'));
    const provider = createFromCredential({ getToken: async () => null });
    assert.ok(provider instanceof EntraIdCredentialsProvider);
    await provider.close();
  });

  it('createFromDefaultAzureCredential copies credentialOptions instead of mutating them', async () => {
    const credentialOptions = Object.freeze({ tenantId: 't' });
    const provider = createFromDefaultAzureCredential({ credentialOptions, authorityHost: 'https://127.0.0.1:1' });
    assert.deepEqual(credentialOptions, { tenantId: 't' });
    await provider.close();
    assert.throws(() => createFromDefaultAzureCredential({ authorityHost: 'ftp://x' }), isField('authorityHost'));
  });
});
