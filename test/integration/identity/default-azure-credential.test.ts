import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_SECRET_PRINCIPAL, DEFAULT_WORKLOAD_PRINCIPAL } from '../../../src/emulator/idp/constants.js';
import { startIdentityEmulator, type IdentityEmulator } from '../../../src/emulator/idp/identity-emulator.js';
import { testCertificateAuthority } from '../../helpers/test-ca.js';
import { observeInChild } from './child.js';

const TOKENS = 6; // the first token + 5 renewals

const cases: { name: string; env: (emulator: IdentityEmulator) => Record<string, string>; principal: { clientId: string; objectId: string } }[] = [
  { name: 'environment (client secret)', env: (emulator) => emulator.env.servicePrincipalSecret(), principal: DEFAULT_SECRET_PRINCIPAL },
  { name: 'workload identity (federated token file)', env: (emulator) => emulator.env.workloadIdentity(), principal: DEFAULT_WORKLOAD_PRINCIPAL },
];

describe('createFromDefaultAzureCredential against the identity emulator (child processes)', { concurrency: true }, () => {
  for (const testCase of cases) {
    it(`${testCase.name}: the right oid, a fresh token per renewal, no public-cloud request`, async (t) => {
      const emulator = await startIdentityEmulator({ ca: testCertificateAuthority(), tokenLifetimeSeconds: 3 });
      t.after(() => emulator.close());
      const seen = await observeInChild(
        { factory: 'default-azure-credential', options: {}, tokens: TOKENS, subscribers: 3 },
        testCase.env(emulator),
      );

      assert.equal(seen.error, undefined);
      assert.equal(seen.tokens, TOKENS);
      assert.equal(new Set(seen.utis).size, TOKENS, 'distinct uti per renewal');
      assert.deepEqual(seen.usernames, [testCase.principal.objectId]);
      assert.deepEqual(seen.distinctPasswordsPerSubscriber, [TOKENS, TOKENS, TOKENS]);
      assert.deepEqual(seen.failures, []);
      const tokenRequests = emulator.requests.filter((entry) => entry.endpoint === 'token');
      assert.deepEqual(
        tokenRequests.map((entry) => `${entry.status} ${entry.principal ?? '-'}`),
        Array<string>(TOKENS).fill(`200 ${testCase.principal.clientId}`),
      );
      assert.deepEqual(
        emulator.requests.filter((entry) => entry.endpoint !== 'token').map((entry) => entry.endpoint),
        ['openid-configuration'],
      );
      assert.deepEqual(seen.hosts, [new URL(emulator.authorityHost).host]);
    });
  }
});
