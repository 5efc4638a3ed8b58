import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { createServer } from 'node:net';
import { inspect } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_SECRET_PRINCIPAL, DEFAULT_USER_ASSIGNED_IDENTITY } from '../../../src/emulator/idp/constants.js';
import { startIdentityEmulator, type IdentityEmulator } from '../../../src/emulator/idp/identity-emulator.js';
import { createSelfSignedCertificate } from '../../../src/emulator/pki/certificate-authority.js';
import { testCertificateAuthority } from '../../helpers/test-ca.js';
import { decodeParts, getJson, postToken, secretForm } from './helpers.js';

describe('identity emulator: discovery, keys, verification, lifecycle', () => {
  let emu: IdentityEmulator;
  before(async () => {
    emu = await startIdentityEmulator({ ca: testCertificateAuthority() });
  });
  after(() => emu.close());

  it('serves the OpenID configuration built from the Host header', async () => {
    const res = await getJson(`${emu.authorityHost}/${emu.tenantId}/v2.0/.well-known/openid-configuration`);
    assert.equal(res.status, 200);
    assert.equal(res.body['issuer'], `${emu.authorityHost}/${emu.tenantId}/v2.0`);
    assert.equal(res.body['token_endpoint'], emu.tokenEndpoint);
    assert.equal(res.body['jwks_uri'], `${emu.authorityHost}/${emu.tenantId}/discovery/v2.0/keys`);
    assert.equal(typeof res.body['authorization_endpoint'], 'string');
    const viaLocalhost = await getJson(`${emu.authorityHost.replace('127.0.0.1', 'localhost')}/${emu.tenantId}/v2.0/.well-known/openid-configuration`);
    assert.equal(viaLocalhost.body['issuer'], `${emu.authorityHost.replace('127.0.0.1', 'localhost')}/${emu.tenantId}/v2.0`);
    const unknown = await getJson(`${emu.authorityHost}/other-tenant/v2.0/.well-known/openid-configuration`);
    assert.deepEqual([unknown.status, unknown.body['error_codes']], [400, [90002]]);
  });

  it('serves instance discovery pointing at itself', async () => {
    const authority = encodeURIComponent(`${emu.authorityHost}/${emu.tenantId}/oauth2/v2.0/authorize`);
    const res = await getJson(`${emu.authorityHost}/common/discovery/instance?api-version=1.1&authorization_endpoint=${authority}`);
    assert.equal(res.status, 200);
    const host = new URL(emu.authorityHost).host;
    assert.equal(res.body['tenant_discovery_endpoint'], `${emu.authorityHost}/${emu.tenantId}/v2.0/.well-known/openid-configuration`);
    assert.deepEqual(res.body['metadata'], [{ preferred_network: host, preferred_cache: host, aliases: [host] }]);
  });

  it('serves a JWKS whose keys verify the issued tokens, also after a key rotation', async () => {
    const first = String((await postToken(emu, secretForm())).body['access_token']);
    emu.rotateSigningKey();
    const second = String((await postToken(emu, secretForm())).body['access_token']);
    const res = await getJson(`${emu.authorityHost}/${emu.tenantId}/discovery/v2.0/keys`);
    const keys = res.body['keys'] as Array<Record<string, unknown>>;
    assert.equal(keys.length, 2);
    for (const token of [first, second]) {
      const kid = decodeParts(token).header['kid'];
      const jwk = keys.find((k) => k['kid'] === kid);
      assert.ok(jwk, 'kid is published');
      assert.equal(jwk['x5t'], kid);
      assert.equal(jwk['kty'], 'RSA');
      assert.equal((jwk['x5c'] as string[]).length, 1);
      const key = createPublicKey({ key: { kty: 'RSA', n: String(jwk['n']), e: String(jwk['e']) }, format: 'jwk' });
      assert.equal(key.export({ format: 'pem', type: 'spki' }), emu.publicKeys.find((k) => k.equals(key))?.export({ format: 'pem', type: 'spki' }));
      assert.equal(emu.verifyAccessToken(token).ok, true);
    }
    assert.notEqual(decodeParts(first).header['kid'], decodeParts(second).header['kid']);
  });

  it('verifyAccessToken rejects another key, a wrong aud, an expired token, and accepts at a given time', () => {
    const other = createSelfSignedCertificate('other-signer');
    assert.deepEqual(emu.verifyAccessToken(emu.issueAccessToken(DEFAULT_SECRET_PRINCIPAL.clientId, { privateKey: createPrivateKey(other.keyPem) })), { ok: false, reason: 'bad-signature' });
    assert.deepEqual(emu.verifyAccessToken(emu.issueAccessToken(DEFAULT_SECRET_PRINCIPAL.clientId, { audience: 'https://vault.azure.net' })), { ok: false, reason: 'wrong-audience' });
    assert.deepEqual(emu.verifyAccessToken(emu.issueAccessToken(DEFAULT_SECRET_PRINCIPAL.clientId, { lifetimeSeconds: -1 })), { ok: false, reason: 'expired' });
    assert.deepEqual(emu.verifyAccessToken(emu.issueAccessToken(DEFAULT_SECRET_PRINCIPAL.clientId, { claims: { iss: 'https://evil/' } })), { ok: false, reason: 'wrong-issuer' });
    const token = emu.issueAccessToken(DEFAULT_USER_ASSIGNED_IDENTITY.objectId, { lifetimeSeconds: 2 });
    const exp = decodeParts(token).claims['exp'] as number;
    assert.equal(emu.verifyAccessToken(token, exp * 1000 - 1).ok, true);
    assert.deepEqual(emu.verifyAccessToken(token, exp * 1000), { ok: false, reason: 'expired' });
    const withoutOid = emu.issueAccessToken(DEFAULT_SECRET_PRINCIPAL.clientId, { omitClaims: ['oid'] });
    assert.equal('oid' in decodeParts(withoutOid).claims, false);
    assert.throws(() => emu.issueAccessToken('nobody'), { code: 'ERR_INVALID_CONFIG' });
  });

  it('validates its options', async () => {
    await assert.rejects(startIdentityEmulator({ tokenLifetimeSeconds: 0 }), { code: 'ERR_INVALID_CONFIG', field: 'tokenLifetimeSeconds' });
    await assert.rejects(startIdentityEmulator({ host: '0.0.0.0' }), { code: 'ERR_INVALID_CONFIG', field: 'host' });
    await assert.rejects(startIdentityEmulator({ port: 70000 }), { code: 'ERR_INVALID_CONFIG', field: 'port' });
    await assert.rejects(startIdentityEmulator({ audience: 'https://redis.azure.com/' }), { code: 'ERR_INVALID_CONFIG', field: 'audience' });
    await assert.rejects(startIdentityEmulator({ clockSkewToleranceSeconds: -1 }), { code: 'ERR_INVALID_CONFIG', field: 'clockSkewToleranceSeconds' });
  });

  it('never shows its secrets in util.inspect or JSON', () => {
    const text = inspect(emu, { depth: 5 }) + JSON.stringify(emu);
    assert.ok(!text.includes('PRIVATE KEY'));
    assert.ok(!text.includes(emu.managedIdentityEndpoint.identityHeader));
  });

  it('close() is idempotent, frees both ports and removes its temp files', async () => {
    const { existsSync } = await import('node:fs');
    const temp = await startIdentityEmulator({ ca: testCertificateAuthority() });
    const certFile = temp.env.servicePrincipalCertificate()['AZURE_CLIENT_CERTIFICATE_PATH'] ?? '';
    assert.equal(existsSync(certFile), true);
    const ports = [Number(new URL(temp.authorityHost).port), Number(new URL(temp.managedIdentityEndpoint.imdsBaseUrl).port)];
    await Promise.all([temp.close(), temp.close()]);
    await temp.close();
    assert.equal(existsSync(certFile), false);
    for (const port of ports) {
      const server = createServer();
      await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    assert.throws(() => temp.issueAccessToken(DEFAULT_SECRET_PRINCIPAL.clientId), { code: 'ERR_PROVIDER_CLOSED' });
  });
});

