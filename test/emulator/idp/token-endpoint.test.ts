import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { inspect } from 'node:util';
import {
  DEFAULT_CERTIFICATE_PRINCIPAL,
  DEFAULT_EMULATOR_TENANT_ID,
  DEFAULT_SECRET_PRINCIPAL,
  DEFAULT_WORKLOAD_PRINCIPAL,
} from '../../../src/emulator/idp/constants.js';
import { startIdentityEmulator, type IdentityEmulator } from '../../../src/emulator/idp/identity-emulator.js';
import { createSelfSignedCertificate } from '../../../src/emulator/pki/certificate-authority.js';
import { testCertificateAuthority } from '../../helpers/test-ca.js';
import { certificateAssertion, decodeParts, postToken, secretForm } from './helpers.js';

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

describe('identity emulator: token endpoint', () => {
  let emu: IdentityEmulator;
  before(async () => {
    emu = await startIdentityEmulator({ ca: testCertificateAuthority(), tokenLifetimeSeconds: 120 });
  });
  after(() => emu.close());
  beforeEach(() => emu.faults.clear());

  it('issues an Entra-like token for a client secret', async () => {
    const startSeconds = Math.floor(Date.now() / 1000);
    const res = await postToken(emu, secretForm({ scope: 'https://redis.azure.com/.default openid profile offline_access' }));
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'no-store, no-cache');
    assert.deepEqual(Object.keys(res.body).sort(), ['access_token', 'expires_in', 'ext_expires_in', 'token_type']);
    assert.equal(res.body['token_type'], 'Bearer');
    assert.equal(res.body['expires_in'], 120);
    const { header, claims } = decodeParts(String(res.body['access_token']));
    assert.equal(header['alg'], 'RS256');
    assert.equal(typeof header['kid'], 'string');
    assert.equal(header['x5t'], header['kid']);
    assert.equal(claims['aud'], 'https://redis.azure.com');
    assert.equal(claims['iss'], `https://sts.windows.net/${DEFAULT_EMULATOR_TENANT_ID}/`);
    assert.equal(claims['iss'], emu.issuer);
    assert.equal(claims['tid'], DEFAULT_EMULATOR_TENANT_ID);
    assert.equal(claims['oid'], DEFAULT_SECRET_PRINCIPAL.objectId);
    assert.equal(claims['sub'], DEFAULT_SECRET_PRINCIPAL.objectId);
    assert.equal(claims['appid'], DEFAULT_SECRET_PRINCIPAL.clientId);
    assert.equal(claims['azp'], DEFAULT_SECRET_PRINCIPAL.clientId);
    assert.equal(claims['idtyp'], 'app');
    assert.equal(claims['ver'], '1.0');
    const iat = claims['iat'] as number;
    assert.ok(iat >= startSeconds && iat <= startSeconds + 5);
    assert.equal(claims['nbf'], iat);
    assert.equal(claims['exp'], iat + 120);
    const again = await postToken(emu, secretForm({ scope: 'acca5fbb-b7e4-4009-81f1-37e38fd66d78/.default' }));
    assert.equal(again.status, 200);
    assert.notEqual(decodeParts(String(again.body['access_token'])).claims['uti'], claims['uti']);
    assert.equal(emu.verifyAccessToken(String(res.body['access_token'])).ok, true);
  });

  const errorCases: Array<[string, Record<string, string>, number, string, number, string?]> = [
    ['a wrong secret', secretForm({ client_secret: 'nope' }), 401, 'invalid_client', 7000215],
    ['an unknown client', secretForm({ client_id: '99999999-9999-4999-8999-999999999999' }), 400, 'unauthorized_client', 700016],
    ['a bad scope', secretForm({ scope: 'https://storage.azure.com/.default' }), 400, 'invalid_scope', 70011],
    ['two resource scopes', secretForm({ scope: 'https://redis.azure.com/.default https://vault.azure.net/.default' }), 400, 'invalid_scope', 70011],
    ['an unsupported grant', secretForm({ grant_type: 'password' }), 400, 'unsupported_grant_type', 70003],
    ['no credential', { grant_type: 'client_credentials', client_id: DEFAULT_SECRET_PRINCIPAL.clientId, scope: 'https://redis.azure.com/.default' }, 401, 'invalid_client', 7000218],
    ['an unknown tenant', secretForm(), 400, 'invalid_request', 90002, '/00000000-0000-0000-0000-000000000000/oauth2/v2.0/token'],
  ];
  for (const [name, form, status, error, code, path] of errorCases) {
    it(`answers ${name} with ${status} ${error} AADSTS${code}`, async () => {
      const res = await postToken(emu, form, path);
      assert.equal(res.status, status);
      assert.equal(res.body['error'], error);
      assert.deepEqual(res.body['error_codes'], [code]);
      assert.match(String(res.body['error_description']), new RegExp(`^AADSTS${code}: `));
      for (const field of ['timestamp', 'trace_id', 'correlation_id']) assert.equal(typeof res.body[field], 'string');
      assert.ok(!JSON.stringify(res.body).includes(DEFAULT_SECRET_PRINCIPAL.clientSecret));
    });
  }

  describe('client assertions', () => {
    const certForm = (assertion: string): Record<string, string> => ({
      grant_type: 'client_credentials',
      client_id: DEFAULT_CERTIFICATE_PRINCIPAL.clientId,
      client_assertion_type: JWT_BEARER,
      client_assertion: assertion,
      scope: 'https://redis.azure.com/.default',
    });
    const expectRejected = async (assertion: string, reason: RegExp): Promise<void> => {
      const res = await postToken(emu, certForm(assertion));
      assert.equal(res.status, 401);
      assert.equal(res.body['error'], 'invalid_client');
      assert.deepEqual(res.body['error_codes'], [700027]);
      assert.match(String(res.body['error_description']), reason);
    };

    it('accepts a good certificate assertion (x5t, x5t#S256, x5c, host case)', async () => {
      const cert = emu.clientCertificate;
      const x5c = [cert.certPem.replace(/-----[A-Z ]+-----|\s/g, '')];
      const variants = [
        certificateAssertion(emu, DEFAULT_CERTIFICATE_PRINCIPAL.clientId, cert),
        certificateAssertion(emu, DEFAULT_CERTIFICATE_PRINCIPAL.clientId, cert, { header: { x5t: undefined, 'x5t#S256': cert.x5tS256 } }),
        certificateAssertion(emu, DEFAULT_CERTIFICATE_PRINCIPAL.clientId, cert, { header: { x5c } }),
        certificateAssertion(emu, DEFAULT_CERTIFICATE_PRINCIPAL.clientId, cert, { claims: { aud: emu.tokenEndpoint.toUpperCase() } }),
      ];
      for (const assertion of variants) {
        const res = await postToken(emu, certForm(assertion));
        assert.equal(res.status, 200, JSON.stringify(res.body));
        assert.equal(decodeParts(String(res.body['access_token'])).claims['oid'], DEFAULT_CERTIFICATE_PRINCIPAL.objectId);
      }
    });

    it('rejects an assertion signed by another key', async () => {
      const other = createSelfSignedCertificate('intruder');
      await expectRejected(certificateAssertion(emu, DEFAULT_CERTIFICATE_PRINCIPAL.clientId, emu.clientCertificate, { keyPem: other.keyPem }), /signature is not valid/);
    });
    it('rejects a wrong x5t', async () => {
      const other = createSelfSignedCertificate('intruder');
      await expectRejected(certificateAssertion(emu, DEFAULT_CERTIFICATE_PRINCIPAL.clientId, other), /thumbprint does not match/);
    });
    it('rejects an x5c that is not the registered certificate', async () => {
      const other = createSelfSignedCertificate('intruder');
      const x5c = [other.certPem.replace(/-----[A-Z ]+-----|\s/g, '')];
      await expectRejected(certificateAssertion(emu, DEFAULT_CERTIFICATE_PRINCIPAL.clientId, emu.clientCertificate, { header: { x5c } }), /x5c certificate does not match/);
    });
    it('rejects an expired assertion (beyond the clock skew tolerance)', async () => {
      const now = Math.floor(Date.now() / 1000);
      const assertion = certificateAssertion(emu, DEFAULT_CERTIFICATE_PRINCIPAL.clientId, emu.clientCertificate, { claims: { nbf: now - 1000, exp: now - 301 } });
      await expectRejected(assertion, /expired/);
      const tolerated = certificateAssertion(emu, DEFAULT_CERTIFICATE_PRINCIPAL.clientId, emu.clientCertificate, { claims: { nbf: now - 1000, exp: now - 200 } });
      assert.equal((await postToken(emu, certForm(tolerated))).status, 200);
    });
    it('rejects a wrong aud', async () => {
      const assertion = certificateAssertion(emu, DEFAULT_CERTIFICATE_PRINCIPAL.clientId, emu.clientCertificate, { claims: { aud: 'https://login.microsoftonline.com/x/oauth2/v2.0/token' } });
      await expectRejected(assertion, /audience is not the token endpoint/);
    });
    it('rejects iss/sub other than the client id', async () => {
      const assertion = certificateAssertion(emu, DEFAULT_CERTIFICATE_PRINCIPAL.clientId, emu.clientCertificate, { claims: { sub: 'someone' } });
      await expectRejected(assertion, /iss and sub must both be the client id/);
    });
    it('rejects an assertion that is not a JWS', async () => {
      await expectRejected('not-a-jwt', /not a compact JWS/);
    });

    it('records every assertion it received, shown only by receivedClientAssertions()', async () => {
      const logged: unknown[] = [];
      const own = await startIdentityEmulator({ ca: testCertificateAuthority(), log: (entry) => logged.push(entry) });
      try {
        const good = certificateAssertion(own, DEFAULT_CERTIFICATE_PRINCIPAL.clientId, own.clientCertificate);
        const bad = certificateAssertion(own, DEFAULT_CERTIFICATE_PRINCIPAL.clientId, own.clientCertificate, { claims: { sub: 'someone' } });
        const federated = own.issueFederatedToken();
        assert.equal((await postToken(own, certForm(good))).status, 200);
        assert.equal((await postToken(own, certForm(bad))).status, 401);
        own.faults.failNext(1, { kind: 'status', status: 500 }, { endpoint: 'token' });
        assert.equal((await postToken(own, { ...certForm(federated), client_id: DEFAULT_WORKLOAD_PRINCIPAL.clientId })).status, 500);
        assert.equal((await postToken(own, secretForm())).status, 200);
        const received = own.receivedClientAssertions();
        assert.deepEqual(received, [good, bad, federated]);
        received.pop();
        assert.equal(own.receivedClientAssertions().length, 3, 'a copy');
        const shown = [inspect(own, { depth: 8, showHidden: true }), JSON.stringify(own), inspect(own.requests, { depth: 8 }), JSON.stringify(own.requests), inspect(logged, { depth: 8 }), JSON.stringify(own.stats())].join('\n');
        for (const assertion of [good, bad, federated]) {
          assert.ok(!shown.includes(assertion.split('.')[2] ?? assertion), 'an assertion signature is shown');
          assert.ok(!shown.includes(assertion.split('.')[1] ?? assertion), 'an assertion payload is shown');
        }
      } finally {
        await own.close();
      }
    });

    it('accepts a federated token it issued for a registered federated credential', async () => {
      const form = (assertion: string): Record<string, string> => ({ ...certForm(assertion), client_id: DEFAULT_WORKLOAD_PRINCIPAL.clientId });
      const ok = await postToken(emu, form(emu.issueFederatedToken()));
      assert.equal(ok.status, 200);
      assert.equal(decodeParts(String(ok.body['access_token'])).claims['oid'], DEFAULT_WORKLOAD_PRINCIPAL.objectId);
      const wrongSubject = await postToken(emu, form(emu.issueFederatedToken({ subject: 'system:serviceaccount:other:app' })));
      assert.deepEqual([wrongSubject.status, wrongSubject.body['error_codes']], [401, [700027]]);
      const expired = await postToken(emu, form(emu.issueFederatedToken({ lifetimeSeconds: -400 })));
      assert.deepEqual([expired.status, expired.body['error_codes']], [401, [700027]]);
      const wrongAudience = await postToken(emu, form(emu.issueFederatedToken({ audience: 'api://other' })));
      assert.deepEqual([wrongAudience.status, wrongAudience.body['error_codes']], [401, [700027]]);
    });
  });

  it('serves principals added at run time, with their own token lifetime', async () => {
    emu.addServicePrincipal({ clientId: 'runtime-app', objectId: 'runtime-oid', clientSecret: 's3cret', tokenLifetimeSeconds: 2 });
    const res = await postToken(emu, secretForm({ client_id: 'runtime-app', client_secret: 's3cret' }));
    assert.equal(res.status, 200);
    assert.equal(res.body['expires_in'], 2);
    const { claims } = decodeParts(String(res.body['access_token']));
    assert.equal(claims['oid'], 'runtime-oid');
    assert.equal((claims['exp'] as number) - (claims['iat'] as number), 2);
  });
});
