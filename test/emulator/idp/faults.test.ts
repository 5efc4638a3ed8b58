import assert from 'node:assert/strict';
import { request } from 'node:https';
import { after, before, beforeEach, describe, it } from 'node:test';
import { DEFAULT_SECRET_PRINCIPAL, DEFAULT_SYSTEM_ASSIGNED_IDENTITY } from '../../../src/emulator/idp/constants.js';
import { startIdentityEmulator, type IdentityEmulator } from '../../../src/emulator/idp/identity-emulator.js';
import type { RequestLogEntry } from '../../../src/emulator/idp/request-log.js';
import { testCertificateAuthority } from '../../helpers/test-ca.js';
import { decodeParts, getJson, postToken, secretForm } from './helpers.js';

describe('identity emulator: fault injection and counters', () => {
  let emu: IdentityEmulator;
  let imds: string;
  const logged: RequestLogEntry[] = [];
  before(async () => {
    emu = await startIdentityEmulator({ ca: testCertificateAuthority(), log: (entry) => logged.push(entry) });
    imds = `${emu.managedIdentityEndpoint.imdsTokenUrl}?api-version=2018-02-01&resource=https%3A%2F%2Fredis.azure.com`;
  });
  after(() => emu.close());
  beforeEach(() => emu.faults.clear());

  const rawTokenRequest = (timeoutMs: number): Promise<{ kind: 'response'; status: number } | { kind: 'error'; code: string } | { kind: 'timeout' }> =>
    new Promise((resolve) => {
      const req = request(emu.tokenEndpoint, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' } }, (res) => {
        res.resume();
        resolve({ kind: 'response', status: res.statusCode ?? 0 });
      });
      req.setTimeout(timeoutMs, () => {
        resolve({ kind: 'timeout' });
        req.destroy();
      });
      req.on('error', (err: NodeJS.ErrnoException) => resolve({ kind: 'error', code: err.code ?? err.message }));
      req.end(new URLSearchParams(secretForm()).toString());
    });

  it('status: fails the next n token requests, then recovers', async () => {
    emu.faults.failNext(2, { kind: 'status', status: 503 });
    assert.equal(emu.faults.pending, 2);
    for (let i = 0; i < 2; i++) {
      const res = await postToken(emu, secretForm());
      assert.equal(res.status, 503);
      assert.equal(res.body['error'], 'temporarily_unavailable');
    }
    assert.equal((await postToken(emu, secretForm())).status, 200);
    assert.equal(emu.faults.pending, 0);
  });

  it('429 carries Retry-After', async () => {
    emu.faults.failNext(1, { kind: '429', retryAfterSeconds: 7 });
    const res = await postToken(emu, secretForm());
    assert.equal(res.status, 429);
    assert.equal(res.headers.get('retry-after'), '7');
  });

  it('malformed-json answers 200 with a body that does not parse', async () => {
    emu.faults.failNext(1, { kind: 'malformed-json' });
    const res = await fetch(emu.tokenEndpoint, { method: 'POST', body: new URLSearchParams(secretForm()) });
    assert.equal(res.status, 200);
    await assert.rejects(res.json(), SyntaxError);
  });

  it('token-without-oid and expired-token alter the token only', async () => {
    emu.faults.failNext(1, { kind: 'token-without-oid' });
    const noOid = await postToken(emu, secretForm());
    assert.equal(noOid.status, 200);
    assert.equal('oid' in decodeParts(String(noOid.body['access_token'])).claims, false);
    emu.faults.failNext(1, { kind: 'expired-token' });
    const expired = await postToken(emu, secretForm());
    assert.equal(expired.status, 200);
    assert.equal(expired.body['expires_in'], 3600);
    const exp = decodeParts(String(expired.body['access_token'])).claims['exp'] as number;
    assert.ok(exp * 1000 < Date.now());
    assert.deepEqual(emu.verifyAccessToken(String(expired.body['access_token'])), { ok: false, reason: 'expired' });
  });

  it('reset destroys the socket; hang never answers', async () => {
    emu.faults.failNext(1, { kind: 'reset' });
    const reset = await rawTokenRequest(5000);
    assert.equal(reset.kind, 'error');
    emu.faults.failNext(1, { kind: 'hang' });
    assert.deepEqual(await rawTokenRequest(300), { kind: 'timeout' });
  });

  it('latency delays answers; outage fails every token request until turned off', async () => {
    emu.faults.setLatency(150);
    const started = Date.now();
    assert.equal((await postToken(emu, secretForm())).status, 200);
    assert.ok(Date.now() - started >= 140);
    emu.faults.setLatency(0);
    emu.faults.setOutage(true);
    for (let i = 0; i < 3; i++) assert.equal((await postToken(emu, secretForm())).status, 503);
    assert.equal((await getJson(imds, { Metadata: 'true' })).status, 503);
    emu.faults.setOutage(false);
    assert.equal((await postToken(emu, secretForm())).status, 200);
  });

  it('faults can target one endpoint kind; discovery is never faulted', async () => {
    emu.faults.failNext(1, { kind: 'status', status: 500 }, { endpoint: 'managed-identity' });
    assert.equal((await getJson(`${emu.authorityHost}/${emu.tenantId}/v2.0/.well-known/openid-configuration`)).status, 200);
    assert.equal((await postToken(emu, secretForm())).status, 200);
    const mi = await getJson(imds, { Metadata: 'true' });
    assert.deepEqual([mi.status, mi.body['error']], [500, 'service_unavailable']);
    emu.faults.failNext(1, { kind: 'status', status: 502 }, { endpoint: 'token' });
    assert.equal((await getJson(imds, { Metadata: 'true' })).status, 200);
    assert.equal((await postToken(emu, secretForm())).status, 502);
  });

  it('validates fault arguments', () => {
    assert.throws(() => emu.faults.failNext(0, { kind: 'hang' }), { code: 'ERR_INVALID_CONFIG', field: 'faults.failNext.count' });
    assert.throws(() => emu.faults.failNext(1, { kind: 'status', status: 200 }), { code: 'ERR_INVALID_CONFIG' });
    assert.throws(() => emu.faults.setLatency(-1), { code: 'ERR_INVALID_CONFIG' });
    assert.throws(() => emu.faults.setOutage(true, { endpoint: 'nope' as 'any' }), { code: 'ERR_INVALID_CONFIG' });
  });

  it('counts requests per endpoint and principal, tokens and faults, and logs every request', async () => {
    const other = await startIdentityEmulator({ ca: testCertificateAuthority() });
    try {
      const imdsOther = `${other.managedIdentityEndpoint.imdsTokenUrl}?api-version=2018-02-01&resource=https%3A%2F%2Fredis.azure.com`;
      await postToken(other, secretForm());
      await postToken(other, secretForm({ client_secret: 'bad' }));
      other.faults.failNext(1, { kind: 'status', status: 503 });
      await postToken(other, secretForm());
      await getJson(imdsOther, { Metadata: 'true' });
      await getJson(`${other.authorityHost}/nowhere`);
      const stats = other.stats();
      assert.equal(stats.requests, 5);
      assert.deepEqual(stats.requestsByEndpoint, { token: 3, imds: 1, 'not-found': 1 });
      assert.deepEqual(stats.requestsByPrincipal, { [DEFAULT_SECRET_PRINCIPAL.clientId]: 3, [DEFAULT_SYSTEM_ASSIGNED_IDENTITY.clientId]: 1 });
      assert.equal(stats.tokensIssued, 2);
      assert.deepEqual(stats.tokensIssuedByPrincipal, { [DEFAULT_SECRET_PRINCIPAL.clientId]: 1, [DEFAULT_SYSTEM_ASSIGNED_IDENTITY.clientId]: 1 });
      assert.deepEqual(stats.faultsInjected, { status: 1 });
      assert.deepEqual(
        other.requests.map((r) => [r.method, r.endpoint, r.status, r.principal, r.fault]),
        [
          ['POST', 'token', 200, DEFAULT_SECRET_PRINCIPAL.clientId, undefined],
          ['POST', 'token', 401, DEFAULT_SECRET_PRINCIPAL.clientId, undefined],
          ['POST', 'token', 503, DEFAULT_SECRET_PRINCIPAL.clientId, 'status'],
          ['GET', 'imds', 200, DEFAULT_SYSTEM_ASSIGNED_IDENTITY.clientId, undefined],
          ['GET', 'not-found', 404, undefined, undefined],
        ],
      );
      assert.equal(other.requests[0]?.path, `/${other.tenantId}/oauth2/v2.0/token`);
    } finally {
      await other.close();
    }
    assert.ok(logged.length > 0);
    assert.deepEqual(logged, [...emu.requests]);
  });
});
