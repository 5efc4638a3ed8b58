import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_SYSTEM_ASSIGNED_IDENTITY, DEFAULT_USER_ASSIGNED_IDENTITY } from '../../../src/emulator/idp/constants.js';
import { startIdentityEmulator } from '../../../src/emulator/idp/identity-emulator.js';
import { ManagedIdentityIdType, ManagedIdentityType } from '../../../src/identity/constants.js';
import { testCertificateAuthority } from '../../helpers/test-ca.js';
import { observeInChild } from './child.js';

const TOKENS = 6; // the first token + 5 renewals

const cases = [
  { name: 'system-assigned (IMDS)', style: 'imds', options: { identityType: ManagedIdentityType.SYSTEM_ASSIGNED }, identity: DEFAULT_SYSTEM_ASSIGNED_IDENTITY },
  { name: 'system-assigned (App Service)', style: 'app-service', options: { identityType: ManagedIdentityType.SYSTEM_ASSIGNED }, identity: DEFAULT_SYSTEM_ASSIGNED_IDENTITY },
  {
    name: 'user-assigned by client id (App Service)',
    style: 'app-service',
    options: { identityType: ManagedIdentityType.USER_ASSIGNED, idType: ManagedIdentityIdType.CLIENT_ID, id: DEFAULT_USER_ASSIGNED_IDENTITY.clientId },
    identity: DEFAULT_USER_ASSIGNED_IDENTITY,
  },
  {
    name: 'user-assigned by object id (IMDS)',
    style: 'imds',
    options: { identityType: ManagedIdentityType.USER_ASSIGNED, idType: ManagedIdentityIdType.OBJECT_ID, id: DEFAULT_USER_ASSIGNED_IDENTITY.objectId },
    identity: DEFAULT_USER_ASSIGNED_IDENTITY,
  },
  {
    name: 'user-assigned by resource id (IMDS)',
    style: 'imds',
    options: { identityType: ManagedIdentityType.USER_ASSIGNED, idType: ManagedIdentityIdType.RESOURCE_ID, id: DEFAULT_USER_ASSIGNED_IDENTITY.resourceId },
    identity: DEFAULT_USER_ASSIGNED_IDENTITY,
  },
] as const;

describe('createFromManagedIdentity against the identity emulator (child processes)', { concurrency: true }, () => {
  for (const testCase of cases) {
    it(`${testCase.name}: the right oid, a fresh token per renewal, one request per renewal`, async (t) => {
      const emulator = await startIdentityEmulator({ ca: testCertificateAuthority(), tokenLifetimeSeconds: 3 });
      t.after(() => emulator.close());
      const env = testCase.style === 'imds' ? emulator.env.imdsManagedIdentity() : emulator.env.appServiceManagedIdentity();
      const seen = await observeInChild({ factory: 'managed-identity', options: testCase.options, tokens: TOKENS, subscribers: 3 }, env);

      assert.equal(seen.error, undefined);
      assert.equal(seen.tokens, TOKENS);
      assert.equal(new Set(seen.utis).size, TOKENS, 'distinct uti per renewal');
      assert.deepEqual(seen.usernames, [testCase.identity.objectId]);
      assert.deepEqual(seen.distinctPasswordsPerSubscriber, [TOKENS, TOKENS, TOKENS]);
      assert.deepEqual(seen.failures, []);
      const endpoint = testCase.style === 'imds' ? 'imds' : 'app-service';
      assert.deepEqual(
        emulator.requests.map((entry) => `${entry.endpoint} ${entry.status} ${entry.principal ?? '-'}`),
        Array<string>(TOKENS).fill(`${endpoint} 200 ${testCase.identity.clientId}`),
      );
      assert.deepEqual(seen.hosts, [new URL(emulator.managedIdentityEndpoint.imdsBaseUrl).host]);
    });
  }
});
