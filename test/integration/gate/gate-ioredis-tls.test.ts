import assert from 'node:assert/strict';
import { after, before, describe, it, type TestContext } from 'node:test';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { startRedisGate, type RedisGate, type RedisGateOptions } from '../../../src/emulator/gate/redis-gate.js';
import { startRedisServer, type RedisServerHandle } from '../../../src/emulator/redis/redis-server.js';
import { testCertificateAuthority } from '../../helpers/test-ca.js';
import { mintToken, verifier } from './fixtures.js';

const WRONGPASS = 'WRONGPASS invalid username-password pair or user is disabled.';

describe('gate with ioredis, and over TLS', () => {
  let server: RedisServerHandle;
  before(async () => {
    server = await startRedisServer();
  });
  after(() => server.stop());

  async function newGate(t: TestContext, extra: Partial<RedisGateOptions> = {}): Promise<RedisGate> {
    const gate = await startRedisGate({
      target: server,
      admin: { username: server.adminUser, password: server.adminPassword },
      verifier,
      ...extra,
    });
    t.after(() => gate.close());
    return gate;
  }

  function ioredis(
    t: TestContext,
    gate: RedisGate,
    username: string | undefined,
    password: string | undefined,
    options: { tls?: boolean; protocol?: 2 | 3; errors?: Error[] } = {},
  ): Redis {
    const client = new Redis({
      protocol: options.protocol ?? 3,
      // The ready check (INFO) of an unauthenticated client gets NOAUTH and ioredis drops the connection.
      enableReadyCheck: password !== undefined,
      host: gate.host,
      port: gate.port,
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      ...(username === undefined ? {} : { username }),
      ...(password === undefined ? {} : { password }),
      ...(options.tls ? { tls: { ca: testCertificateAuthority().certPem } } : {}),
    });
    client.on('error', (error: Error) => options.errors?.push(error));
    t.after(() => client.disconnect());
    return client;
  }

  for (const protocol of [2, 3] as const) {
    it(`ioredis (protocol ${protocol}): a valid token works, pipelines included`, async (t) => {
    const gate = await newGate(t);
    const { token, oid } = mintToken();
    const client = ioredis(t, gate, oid, token, { protocol });
    await client.connect();
    assert.equal(await client.call('ACL', 'WHOAMI'), oid);
    await client.del('io-pipe');
    const pipeline = client.pipeline();
    for (let i = 0; i < 10_000; i++) pipeline.incr('io-pipe');
    const results = await pipeline.exec();
    assert.equal(results?.length, 10_000);
    assert.equal(await client.get('io-pipe'), '10000');
    assert.deepEqual(gate.auths().map((a) => [a.command, a.ok, a.oid]), [[protocol === 2 ? 'auth' : 'hello', true, oid]]);
    });
  }

  it('ioredis: a wrong token gets WRONGPASS, no credentials get NOAUTH', async (t) => {
    const gate = await newGate(t);
    const bad = mintToken({ signWith: 'wrong' });
    const errors: Error[] = [];
    // ioredis rejects connect() with "Connection is closed." and reports the server's answer as an 'error' event.
    await assert.rejects(ioredis(t, gate, bad.oid, bad.token, { errors }).connect());
    assert.ok(errors.some((e) => e.message.includes(WRONGPASS)), errors.map((e) => e.message).join('; '));
    // Protocol 2: with 3, ioredis's bare HELLO 3 already gets NOAUTH and the connection is dropped.
    const anonymous = ioredis(t, gate, undefined, undefined, { protocol: 2 });
    await anonymous.connect();
    await assert.rejects(anonymous.get('x'), { message: 'NOAUTH Authentication required.' });
    assert.deepEqual(gate.auths().map((a) => a.reason), ['bad-signature']);
  });

  it('TLS gate with a CA-issued certificate serves node-redis (RESP3) and ioredis', async (t) => {
    const cert = testCertificateAuthority().issueServerCertificate(['127.0.0.1', 'localhost']);
    const gate = await newGate(t, { tls: { cert: cert.certPem, key: cert.keyPem } });
    assert.equal(gate.tls, true);
    const { token, oid } = mintToken();
    const nodeRedis = createClient({
      socket: { host: gate.host, port: gate.port, tls: true, ca: testCertificateAuthority().certPem, reconnectStrategy: false },
      username: oid,
      password: token,
      RESP: 3,
    });
    nodeRedis.on('error', () => undefined);
    t.after(() => {
      if (nodeRedis.isOpen) nodeRedis.destroy();
    });
    await nodeRedis.connect();
    assert.equal(await nodeRedis.set('tls', 'yes'), 'OK');
    const io = ioredis(t, gate, oid, token, { tls: true, protocol: 2 });
    await io.connect();
    assert.equal(await io.get('tls'), 'yes');
    assert.deepEqual(gate.auths().map((a) => [a.command, a.ok]), [['hello', true], ['auth', true]]);
  });

  it('TLS gate refuses a client that does not trust the CA', async (t) => {
    const cert = testCertificateAuthority().issueServerCertificate(['127.0.0.1']);
    const gate = await newGate(t, { tls: { cert: cert.certPem, key: cert.keyPem } });
    const { token, oid } = mintToken();
    const client = new Redis({
      host: gate.host,
      port: gate.port,
      username: oid,
      password: token,
      lazyConnect: true,
      retryStrategy: () => null,
      maxRetriesPerRequest: 0,
      // A CA the client trusts instead of the system/extra ones: not the gate's issuer.
      tls: { ca: testCertificateAuthority().issueServerCertificate(['other']).certPem },
    });
    const errors: Error[] = [];
    client.on('error', (error: Error) => errors.push(error));
    t.after(() => client.disconnect());
    await assert.rejects(client.connect());
    assert.ok(errors.some((e) => /certificate/i.test(e.message)), errors.map((e) => e.message).join('; '));
    assert.equal(gate.stats().connectionsTotal, 0);
  });
});
