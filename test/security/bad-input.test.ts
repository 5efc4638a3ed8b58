// Public functions called with wrong types, missing fields and out-of-range numbers: each throws a
// ConfigurationError naming the field, synchronously, at the call — never a TypeError, never a crash later.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigurationError } from '../../src/errors.js';
import { createFromIdentityProvider } from '../../src/provider/create-from-identity-provider.js';
import { createFromCredential } from '../../src/provider/factories/credential.js';
import { createFromManagedIdentity } from '../../src/provider/factories/managed-identity.js';
import { createFromServicePrincipal } from '../../src/provider/factories/service-principal.js';
import { ManagedIdentityType } from '../../src/identity/constants.js';
import { FakeIdentityProvider } from '../helpers/fake-identity.js';

const sp = { clientId: 'c', tenantId: 't', clientSecret: 's' };
const identity = new FakeIdentityProvider();
const credential = { getToken: async () => null };

const CASES: [string, () => unknown, string][] = [
  ['service principal: no options', () => createFromServicePrincipal(undefined as never), 'options'],
  ['service principal: options is a string', () => createFromServicePrincipal('x' as never), 'options'],
  ['service principal: missing clientId', () => createFromServicePrincipal({ ...sp, clientId: undefined } as never), 'clientId'],
  ['service principal: numeric tenantId', () => createFromServicePrincipal({ ...sp, tenantId: 42 } as never), 'tenantId'],
  ['service principal: empty secret', () => createFromServicePrincipal({ ...sp, clientSecret: '  ' }), 'clientSecret'],
  ['service principal: no credential', () => createFromServicePrincipal({ clientId: 'c', tenantId: 't' }), 'clientSecret or certificate'],
  ['service principal: http authority', () => createFromServicePrincipal({ ...sp, authorityHost: 'http://login.example' }), 'authorityHost'],
  ['service principal: scopes not an array', () => createFromServicePrincipal({ ...sp, scopes: 'x' } as never), 'scopes'],
  ['service principal: a non-string scope', () => createFromServicePrincipal({ ...sp, scopes: ['a', 7] } as never), 'scopes[1]'],
  ['service principal: sendCertificateChain not boolean', () => createFromServicePrincipal({ ...sp, sendCertificateChain: 'yes' } as never), 'sendCertificateChain'],
  ['service principal: ratio out of range', () => createFromServicePrincipal({ ...sp, tokenManagerConfig: { expirationRefreshRatio: 1.5 } }), 'tokenManagerConfig.expirationRefreshRatio'],
  ['service principal: NaN timeout', () => createFromServicePrincipal({ ...sp, tokenManagerConfig: { tokenRequestExecutionTimeoutInMs: NaN } }), 'tokenManagerConfig.tokenRequestExecutionTimeoutInMs'],
  ['service principal: negative attempts', () => createFromServicePrincipal({ ...sp, tokenManagerConfig: { retryPolicy: { maxAttempts: -1 } } }), 'tokenManagerConfig.retryPolicy.maxAttempts'],
  ['service principal: clock without setTimeout', () => createFromServicePrincipal({ ...sp, clock: { now: () => 0 } } as never), 'clock'],
  ['service principal: mapper not a function', () => createFromServicePrincipal({ ...sp, credentialsMapper: 'oid' } as never), 'credentialsMapper'],
  ['managed identity: no identityType', () => createFromManagedIdentity({} as never), 'identityType'],
  ['managed identity: unknown identityType', () => createFromManagedIdentity({ identityType: 'both' } as never), 'identityType'],
  ['managed identity: bigint identityType', () => createFromManagedIdentity({ identityType: 1n } as never), 'identityType'],
  ['managed identity: user-assigned without idType', () => createFromManagedIdentity({ identityType: ManagedIdentityType.USER_ASSIGNED }), 'idType'],
  ['managed identity: two scopes', () => createFromManagedIdentity({ identityType: ManagedIdentityType.SYSTEM_ASSIGNED, scopes: ['a', 'b'] }), 'scopes'],
  ['credential: null', () => createFromCredential(null as never), 'credential'],
  ['credential: no getToken', () => createFromCredential({} as never), 'credential'],
  ['credential: options null', () => createFromCredential(credential as never, null as never), 'options'],
  ['identity provider: no requestToken', () => createFromIdentityProvider({ name: 'x' } as never), 'identityProvider'],
  ['identity provider: options null', () => createFromIdentityProvider(identity, null as never), 'options'],
  ['identity provider: config is an array', () => createFromIdentityProvider(identity, { tokenManagerConfig: [] as never }), 'tokenManagerConfig'],
  ['identity provider: unknown config key', () => createFromIdentityProvider(identity, { tokenManagerConfig: { refreshRatio: 0.5 } as never }), 'tokenManagerConfig.refreshRatio'],
  ['identity provider: random not a function', () => createFromIdentityProvider(identity, { random: 0.5 } as never), 'random'],
];

describe('bad input to public functions', () => {
  for (const [name, call, field] of CASES) {
    it(`${name} → ConfigurationError naming "${field}"`, () => {
      assert.throws(call, (error: unknown) => {
        assert.ok(error instanceof ConfigurationError, `got ${String(error)}`);
        assert.equal(error.code, 'ERR_INVALID_CONFIG');
        assert.equal(error.field, field);
        assert.ok(error.message.startsWith(`"${field}" `), error.message);
        return true;
      });
    });
  }

  it('subscribe() with a listener that is not one → ConfigurationError naming "listener"; provider still usable', async () => {
    const provider = createFromIdentityProvider(new FakeIdentityProvider());
    try {
      await assert.rejects(provider.subscribe(null as never), { code: 'ERR_INVALID_CONFIG', field: 'listener' });
      await assert.rejects(provider.subscribe({ onNext: 1 } as never), { code: 'ERR_INVALID_CONFIG', field: 'listener' });
      const [credentials] = await provider.subscribe({ onNext: () => undefined, onError: () => undefined });
      assert.equal(credentials.username, '00000000-0000-4000-8000-000000000001');
    } finally {
      await provider.close();
    }
  });
});
