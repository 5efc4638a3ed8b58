// The factories that read process-wide state (the environment; msal's managed-identity source is static per
// process), each in a child process of its own, all children at once against one emulator in this process: two
// node-redis clients share the provider through the TLS gate for the first token + 5 renewals of 3-second tokens.
// The child reports what the clients and the provider saw; this process checks that and the gate's and the
// identity emulator's own records.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Emulator } from '../../../src/emulator/index.js';
import {
  DEFAULT_SECRET_PRINCIPAL,
  DEFAULT_SYSTEM_ASSIGNED_IDENTITY,
  DEFAULT_USER_ASSIGNED_IDENTITY,
} from '../../../src/emulator/idp/constants.js';
import { ManagedIdentityIdType, ManagedIdentityType } from '../../../src/identity/constants.js';
import { runInChild } from './child.js';
import type { ChildSpec } from './fixtures/factory-child.js';
import { TOKENS, type GateTarget } from './scenario.js';
import { startFactoryEmulator, verifyNothingElse, verifyRun, type Principal, type TokenEndpoint } from './verify.js';

const RESOURCE_GROUP = '/subscriptions/00000000-0000-4000-8000-00000000005b/resourceGroups/emulator-rg/providers/Microsoft.ManagedIdentity';

/** User-assigned identities of this file, so that each case has an object id (gate) and client id (IdP) of its own. */
const BY_OBJECT_ID_IDENTITY = Object.freeze({
  clientId: '77777777-7777-4777-8777-000000000071',
  objectId: 'a7777777-7777-4777-8777-0000000000c1',
  resourceId: `${RESOURCE_GROUP}/userAssignedIdentities/by-object-id`,
});
const BY_RESOURCE_ID_IDENTITY = Object.freeze({
  clientId: '77777777-7777-4777-8777-000000000072',
  objectId: 'a7777777-7777-4777-8777-0000000000c2',
  resourceId: `${RESOURCE_GROUP}/userAssignedIdentities/by-resource-id`,
});

interface Case {
  readonly name: string;
  readonly principal: Principal;
  readonly tokenEndpoint: TokenEndpoint;
  readonly factory: ChildSpec['factory'];
  readonly options: Record<string, unknown>;
  readonly env: (emulator: Emulator) => Record<string, string>;
}

const cases: readonly Case[] = [
  {
    name: 'createFromManagedIdentity system-assigned (IMDS)',
    principal: DEFAULT_SYSTEM_ASSIGNED_IDENTITY,
    tokenEndpoint: 'imds',
    factory: 'managed-identity',
    options: { identityType: ManagedIdentityType.SYSTEM_ASSIGNED },
    env: (emulator) => emulator.identity.env.imdsManagedIdentity(),
  },
  {
    name: 'createFromManagedIdentity user-assigned by CLIENT_ID (App Service)',
    principal: DEFAULT_USER_ASSIGNED_IDENTITY,
    tokenEndpoint: 'app-service',
    factory: 'managed-identity',
    options: { identityType: ManagedIdentityType.USER_ASSIGNED, idType: ManagedIdentityIdType.CLIENT_ID, id: DEFAULT_USER_ASSIGNED_IDENTITY.clientId },
    env: (emulator) => emulator.identity.env.appServiceManagedIdentity(),
  },
  {
    name: 'createFromManagedIdentity user-assigned by OBJECT_ID (IMDS)',
    principal: BY_OBJECT_ID_IDENTITY,
    tokenEndpoint: 'imds',
    factory: 'managed-identity',
    options: { identityType: ManagedIdentityType.USER_ASSIGNED, idType: ManagedIdentityIdType.OBJECT_ID, id: BY_OBJECT_ID_IDENTITY.objectId },
    env: (emulator) => emulator.identity.env.imdsManagedIdentity(),
  },
  {
    name: 'createFromManagedIdentity user-assigned by RESOURCE_ID (IMDS)',
    principal: BY_RESOURCE_ID_IDENTITY,
    tokenEndpoint: 'imds',
    factory: 'managed-identity',
    options: { identityType: ManagedIdentityType.USER_ASSIGNED, idType: ManagedIdentityIdType.RESOURCE_ID, id: BY_RESOURCE_ID_IDENTITY.resourceId },
    env: (emulator) => emulator.identity.env.imdsManagedIdentity(),
  },
  {
    name: 'createFromDefaultAzureCredential via environment variables (client secret)',
    principal: DEFAULT_SECRET_PRINCIPAL,
    tokenEndpoint: 'token',
    factory: 'default-azure-credential',
    options: {},
    env: (emulator) => emulator.identity.env.servicePrincipalSecret(),
  },
];

describe('factories in child processes: two node-redis clients through the TLS gate, 5 renewals of 3-second tokens', () => {
  let emulator: Emulator;
  let target: GateTarget;
  before(async () => {
    ({ emulator, target } = await startFactoryEmulator());
    for (const identity of [BY_OBJECT_ID_IDENTITY, BY_RESOURCE_ID_IDENTITY]) {
      emulator.identity.addManagedIdentity({ kind: 'user-assigned', ...identity });
    }
  });
  after(() => emulator.close());

  describe('each factory (child processes at once, one principal each)', { concurrency: true }, () => {
    for (const testCase of cases) {
      it(`${testCase.name}: no failed command, one AUTH per connection per token, one token request per renewal`, async () => {
        const label = testCase.name.replace(/\W+/g, '-');
        const result = await runInChild(
          { factory: testCase.factory, options: testCase.options, target, label, tokens: TOKENS },
          testCase.env(emulator),
        );
        await verifyRun(emulator, result, testCase.principal, testCase.tokenEndpoint);
      });
    }
  });

  it('the gate and the identity emulator saw nothing else (no expiry closure, only discovery besides tokens)', () => {
    assert.equal(cases.filter((c) => c.factory === 'default-azure-credential').length, 1);
    // DefaultAzureCredential's msal application fetches the OpenID configuration once; managed identity does not.
    verifyNothingElse(
      emulator,
      cases.map((c) => c.principal),
      1,
    );
  });
});
