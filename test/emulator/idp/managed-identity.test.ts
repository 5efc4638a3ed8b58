import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_SYSTEM_ASSIGNED_IDENTITY, DEFAULT_USER_ASSIGNED_IDENTITY } from '../../../src/emulator/idp/constants.js';
import { startIdentityEmulator, type IdentityEmulator } from '../../../src/emulator/idp/identity-emulator.js';
import { testCertificateAuthority } from '../../helpers/test-ca.js';
import { decodeParts, getJson } from './helpers.js';

const RESOURCE = encodeURIComponent('https://redis.azure.com');

describe('identity emulator: managed identity endpoints', () => {
  let emu: IdentityEmulator;
  let imds: string;
  let appService: string;
  before(async () => {
    emu = await startIdentityEmulator({ ca: testCertificateAuthority(), tokenLifetimeSeconds: 86400 });
    imds = `${emu.managedIdentityEndpoint.imdsTokenUrl}?api-version=2018-02-01&resource=${RESOURCE}`;
    appService = `${emu.managedIdentityEndpoint.identityEndpoint}?api-version=2019-08-01&resource=${RESOURCE}`;
  });
  after(() => emu.close());
  const metadata = { Metadata: 'true' };

  it('IMDS: issues a system-assigned token (with and without trailing slash)', async () => {
    for (const url of [imds, imds.replace('/token?', '/token/?')]) {
      const before = Math.floor(Date.now() / 1000);
      const res = await getJson(url, metadata);
      assert.equal(res.status, 200);
      assert.equal(res.body['token_type'], 'Bearer');
      assert.equal(res.body['client_id'], DEFAULT_SYSTEM_ASSIGNED_IDENTITY.clientId);
      assert.equal(res.body['resource'], 'https://redis.azure.com');
      assert.equal(res.body['expires_in'], '86400');
      const expiresOn = Number(res.body['expires_on']);
      assert.equal(typeof res.body['expires_on'], 'string');
      assert.ok(expiresOn >= before + 86400 && expiresOn <= before + 86405);
      const { claims } = decodeParts(String(res.body['access_token']));
      assert.equal(claims['oid'], DEFAULT_SYSTEM_ASSIGNED_IDENTITY.objectId);
      assert.equal(claims['exp'], expiresOn);
      assert.equal(emu.verifyAccessToken(String(res.body['access_token'])).ok, true);
    }
  });

  it('IMDS: selects the user-assigned identity by client_id, object_id, msi_res_id and mi_res_id', async () => {
    const { clientId, objectId, resourceId } = DEFAULT_USER_ASSIGNED_IDENTITY;
    for (const query of [`client_id=${clientId}`, `object_id=${objectId}`, `msi_res_id=${encodeURIComponent(resourceId)}`, `mi_res_id=${encodeURIComponent(resourceId)}`]) {
      const res = await getJson(`${imds}&${query}`, metadata);
      assert.equal(res.status, 200, query);
      const { claims } = decodeParts(String(res.body['access_token']));
      assert.equal(claims['oid'], objectId, query);
      assert.equal(claims['appid'], clientId, query);
      assert.equal(claims['xms_mirid'], resourceId, query);
    }
  });

  it('IMDS: accepts the resource forms clients send', async () => {
    for (const resource of ['https://redis.azure.com/', 'https://redis.azure.com/.default', 'acca5fbb-b7e4-4009-81f1-37e38fd66d78']) {
      const res = await getJson(`${emu.managedIdentityEndpoint.imdsTokenUrl}?api-version=2018-02-01&resource=${encodeURIComponent(resource)}`, metadata);
      assert.equal(res.status, 200, resource);
    }
  });

  it('IMDS: refuses a request without Metadata: true, without api-version, for an unknown identity or resource', async () => {
    const noHeader = await getJson(imds);
    assert.deepEqual([noHeader.status, noHeader.body], [400, { error: 'invalid_request', error_description: 'Required metadata header not specified' }]);
    const noVersion = await getJson(`${emu.managedIdentityEndpoint.imdsTokenUrl}?resource=${RESOURCE}`, metadata);
    assert.deepEqual([noVersion.status, noVersion.body['error_description']], [400, "Required query variable 'api-version' is missing"]);
    const unknown = await getJson(`${imds}&client_id=00000000-0000-0000-0000-000000000000`, metadata);
    assert.deepEqual([unknown.status, unknown.body], [400, { error: 'invalid_request', error_description: 'Identity not found' }]);
    const resource = await getJson(`${emu.managedIdentityEndpoint.imdsTokenUrl}?api-version=2018-02-01&resource=https%3A%2F%2Fvault.azure.net`, metadata);
    assert.equal(resource.status, 400);
    assert.equal(resource.body['error'], 'invalid_resource');
  });

  it('App Service: requires X-IDENTITY-HEADER and selects identities by client_id, principal_id, object_id, mi_res_id', async () => {
    const header = { 'X-IDENTITY-HEADER': emu.managedIdentityEndpoint.identityHeader };
    const system = await getJson(appService, header);
    assert.equal(system.status, 200);
    assert.equal(decodeParts(String(system.body['access_token'])).claims['oid'], DEFAULT_SYSTEM_ASSIGNED_IDENTITY.objectId);
    const { clientId, objectId, resourceId } = DEFAULT_USER_ASSIGNED_IDENTITY;
    for (const query of [`client_id=${clientId}`, `principal_id=${objectId}`, `object_id=${objectId}`, `mi_res_id=${encodeURIComponent(resourceId)}`]) {
      const res = await getJson(`${appService}&${query}`, header);
      assert.equal(res.status, 200, query);
      assert.equal(res.body['client_id'], clientId);
      assert.equal(decodeParts(String(res.body['access_token'])).claims['oid'], objectId, query);
    }
    const wrong = await getJson(appService, { 'X-IDENTITY-HEADER': 'wrong' });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body['statusCode'], 401);
    const missing = await getJson(appService);
    assert.equal(missing.status, 401);
    const unknown = await getJson(`${appService}&client_id=nobody`, header);
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body['statusCode'], 400);
  });

  it('serves managed identities added at run time; without a system-assigned identity it says so', async () => {
    const other = await startIdentityEmulator({
      ca: testCertificateAuthority(),
      principals: { managedIdentities: [{ kind: 'user-assigned', clientId: 'mi-client', objectId: 'mi-object', tokenLifetimeSeconds: 5 }] },
    });
    try {
      const url = `${other.managedIdentityEndpoint.imdsTokenUrl}?api-version=2018-02-01&resource=${RESOURCE}`;
      const none = await getJson(url, metadata);
      assert.deepEqual([none.status, none.body['error_description']], [400, 'No system-assigned identity is assigned to this resource']);
      const user = await getJson(`${url}&client_id=mi-client`, metadata);
      assert.equal(user.body['expires_in'], '5');
      other.addManagedIdentity({ kind: 'system-assigned', clientId: 'sys-client', objectId: 'sys-object' });
      const sys = await getJson(url, metadata);
      assert.equal(decodeParts(String(sys.body['access_token'])).claims['oid'], 'sys-object');
    } finally {
      await other.close();
    }
  });
});
