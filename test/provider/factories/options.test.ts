import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigurationError } from '../../../src/errors.js';
import { ManagedIdentityIdType, ManagedIdentityType } from '../../../src/identity/constants.js';
import {
  resolveManagedIdentitySettings,
  type ManagedIdentityIdentityOptions,
} from '../../../src/provider/factories/managed-identity-options.js';
import {
  resolveServicePrincipalSettings,
  type ServicePrincipalIdentityOptions,
} from '../../../src/provider/factories/service-principal-options.js';
import { testCertificateAuthority } from '../../helpers/test-ca.js';

function assertField(fn: () => unknown, field: string, message: string): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof ConfigurationError, String(error));
    assert.equal(error.code, 'ERR_INVALID_CONFIG');
    assert.equal(error.field, field);
    assert.equal(error.message, `"${field}" ${message}`);
    return true;
  });
}

const sp = (extra: Record<string, unknown>): ServicePrincipalIdentityOptions =>
  ({ clientId: 'c', tenantId: 't', clientSecret: 's', ...extra }) as unknown as ServicePrincipalIdentityOptions;
const mi = (options: Record<string, unknown>): ManagedIdentityIdentityOptions => options as unknown as ManagedIdentityIdentityOptions;

describe('resolveServicePrincipalSettings', () => {
  it('resolves defaults and never mutates the caller object', () => {
    const options = Object.freeze({ clientId: 'c', tenantId: 't', clientSecret: 's' });
    const settings = resolveServicePrincipalSettings(options);
    assert.deepEqual(settings, {
      clientId: 'c',
      tenantId: 't',
      scopes: ['https://redis.azure.com/.default'],
      authorityHost: 'https://login.microsoftonline.com',
      credential: { kind: 'secret', clientSecret: 's' },
    });
    assert.ok(Object.isFrozen(settings));
    assert.deepEqual(options, { clientId: 'c', tenantId: 't', clientSecret: 's' });
  });

  it('normalises authorityHost and copies scopes', () => {
    const scopes = ['api://x/.default'];
    const settings = resolveServicePrincipalSettings(sp({ authorityHost: 'https://127.0.0.1:8443/', scopes }));
    assert.equal(settings.authorityHost, 'https://127.0.0.1:8443');
    assert.deepEqual(settings.scopes, scopes);
    assert.notEqual(settings.scopes, scopes);
  });

  it('names each missing or wrong field', () => {
    assertField(() => resolveServicePrincipalSettings(null as unknown as ServicePrincipalIdentityOptions), 'options', 'must be an object, got null');
    assertField(() => resolveServicePrincipalSettings(sp({ clientId: undefined })), 'clientId', 'is required');
    assertField(() => resolveServicePrincipalSettings(sp({ clientId: 5 })), 'clientId', 'must be a string, got number');
    assertField(() => resolveServicePrincipalSettings(sp({ tenantId: undefined })), 'tenantId', 'is required');
    assertField(() => resolveServicePrincipalSettings(sp({ tenantId: ' ' })), 'tenantId', 'must not be empty');
    assertField(
      () => resolveServicePrincipalSettings(sp({ clientSecret: undefined })),
      'clientSecret or certificate',
      'is required (or "certificatePath")',
    );
    assertField(() => resolveServicePrincipalSettings(sp({ clientSecret: '' })), 'clientSecret', 'must not be empty');
    assertField(
      () => resolveServicePrincipalSettings(sp({ certificatePath: '/x.pem' })),
      'clientSecret',
      'must not be combined with "certificatePath": give one credential',
    );
    assertField(
      () => resolveServicePrincipalSettings(sp({ sendCertificateChain: true })),
      'sendCertificateChain',
      'applies to certificate credentials only, not to "clientSecret"',
    );
    assertField(() => resolveServicePrincipalSettings(sp({ sendCertificateChain: 'yes' })), 'sendCertificateChain', 'must be a boolean, got string');
    assertField(() => resolveServicePrincipalSettings(sp({ scopes: [] })), 'scopes', 'must be a non-empty array of strings, got an empty array');
    assertField(() => resolveServicePrincipalSettings(sp({ scopes: 'x' })), 'scopes', 'must be a non-empty array of strings, got string');
    assertField(() => resolveServicePrincipalSettings(sp({ scopes: ['a', 1] })), 'scopes[1]', 'must be a string, got number');
    assertField(
      () => resolveServicePrincipalSettings(sp({ authorityHost: 'http://127.0.0.1:1' })),
      'authorityHost',
      'must be an https:// URL, got "http://127.0.0.1:1"',
    );
  });

  it('loads a certificate credential', () => {
    const client = testCertificateAuthority().issueClientCertificate('options-test');
    const settings = resolveServicePrincipalSettings(
      sp({ clientSecret: undefined, certificate: client.certPem + client.keyPem, sendCertificateChain: true }),
    );
    assert.equal(settings.credential.kind, 'certificate');
    if (settings.credential.kind !== 'certificate') return;
    assert.equal(Buffer.from(settings.credential.certificate.thumbprintSha256, 'hex').toString('base64url'), client.x5tS256);
    assert.equal(settings.credential.sendCertificateChain, true);
  });

  it('never puts the secret into an error message', () => {
    assert.throws(
      () => resolveServicePrincipalSettings(sp({ clientSecret: 'TOP-SECRET', certificate: 'x' })),
      (error: unknown) => error instanceof Error && !error.message.includes('TOP-SECRET'),
    );
  });
});

describe('resolveManagedIdentitySettings', () => {
  it('system-assigned: resource https://redis.azure.com by default', () => {
    assert.deepEqual(resolveManagedIdentitySettings({ identityType: ManagedIdentityType.SYSTEM_ASSIGNED }), {
      identityType: 'system-assigned',
      resource: 'https://redis.azure.com',
    });
  });

  it('user-assigned by each id type; the resource follows the scope', () => {
    for (const idType of Object.values(ManagedIdentityIdType)) {
      assert.deepEqual(
        resolveManagedIdentitySettings({ identityType: ManagedIdentityType.USER_ASSIGNED, idType, id: 'abc', scopes: ['api://x/.default'] }),
        { identityType: 'user-assigned', idType, id: 'abc', resource: 'api://x' },
      );
    }
  });

  it('names each missing or wrong field', () => {
    assertField(
      () => resolveManagedIdentitySettings(mi({})),
      'identityType',
      'is required: one of "system-assigned", "user-assigned" (ManagedIdentityType)',
    );
    assertField(
      () => resolveManagedIdentitySettings(mi({ identityType: 'SYSTEM_ASSIGNED' })),
      'identityType',
      'must be one of "system-assigned", "user-assigned" (ManagedIdentityType), got "SYSTEM_ASSIGNED"',
    );
    assertField(
      () => resolveManagedIdentitySettings(mi({ identityType: 'user-assigned' })),
      'idType',
      'is required for a user-assigned identity: one of "client-id", "object-id", "resource-id" (ManagedIdentityIdType)',
    );
    assertField(
      () => resolveManagedIdentitySettings(mi({ identityType: 'user-assigned', idType: 'name' })),
      'idType',
      'must be one of "client-id", "object-id", "resource-id" (ManagedIdentityIdType), got "name"',
    );
    assertField(() => resolveManagedIdentitySettings(mi({ identityType: 'user-assigned', idType: 'client-id' })), 'id', 'is required');
    assertField(() => resolveManagedIdentitySettings(mi({ identityType: 'user-assigned', idType: 'client-id', id: '' })), 'id', 'must not be empty');
    assertField(
      () => resolveManagedIdentitySettings(mi({ identityType: 'system-assigned', id: 'x' })),
      'id',
      'applies to ManagedIdentityType.USER_ASSIGNED only; a system-assigned identity is not named',
    );
    assertField(
      () => resolveManagedIdentitySettings(mi({ identityType: 'system-assigned', scopes: ['a', 'b'] })),
      'scopes',
      'must hold exactly one scope for a managed identity, got 2',
    );
  });
});
