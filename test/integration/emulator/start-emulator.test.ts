import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createClient } from 'redis';
import { Redis } from 'ioredis';
import { ClientSecretCredential } from '@azure/identity';
import { decodeJwtClaims } from '../../../src/token/jwt.js';
import { startEmulator, type Emulator } from '../../../src/emulator/index.js';
import { DEFAULT_SECRET_PRINCIPAL } from '../../../src/emulator/idp/constants.js';
import { testCertificateAuthority } from '../../helpers/test-ca.js';

describe('startEmulator: identity + Azure-like Redis in one call', () => {
  let emulator: Emulator;
  before(async () => {
    emulator = await startEmulator({ ca: testCertificateAuthority(), tokenLifetimeSeconds: 60 });
  });
  after(() => emulator.close());

  async function tokenFromAzureIdentity(): Promise<{ token: string; oid: string }> {
    const credential = new ClientSecretCredential(
      emulator.identity.tenantId,
      DEFAULT_SECRET_PRINCIPAL.clientId,
      DEFAULT_SECRET_PRINCIPAL.clientSecret,
      { authorityHost: emulator.identity.authorityHost, disableInstanceDiscovery: true },
    );
    const result = await credential.getToken('https://redis.azure.com/.default');
    const oid = decodeJwtClaims(result.token).oid;
    assert.equal(oid, DEFAULT_SECRET_PRINCIPAL.objectId);
    return { token: result.token, oid: oid as string };
  }

  it('serves TLS Redis that accepts a token from the real @azure/identity, with node-redis', async () => {
    const redis = emulator.redis;
    assert.ok(redis && redis.tls);
    const { token, oid } = await tokenFromAzureIdentity();
    const client = createClient({
      socket: { host: redis.host, port: redis.port, tls: true, ca: emulator.ca.certPem },
      username: oid,
      password: token,
    });
    await client.connect();
    try {
      assert.equal(await client.set('emulator:key', 'v'), 'OK');
      assert.equal(await client.get('emulator:key'), 'v');
      assert.equal(await client.aclWhoAmI(), oid);
    } finally {
      client.destroy();
    }
  });

  it('serves the same Redis to ioredis, and refuses a token for the wrong user', async () => {
    const redis = emulator.redis;
    assert.ok(redis);
    const { token, oid } = await tokenFromAzureIdentity();
    const good = new Redis({ host: redis.host, port: redis.port, tls: { ca: emulator.ca.certPem }, username: oid, password: token, lazyConnect: true });
    await good.connect();
    assert.equal(await good.get('emulator:key'), 'v');
    good.disconnect();
    const bad = new Redis({
      host: redis.host,
      port: redis.port,
      tls: { ca: emulator.ca.certPem },
      username: 'not-the-oid',
      password: token,
      lazyConnect: true,
      retryStrategy: () => null,
    });
    const errors: Error[] = [];
    bad.on('error', (error: Error) => errors.push(error));
    await assert.rejects(bad.connect());
    bad.disconnect();
    assert.match(errors.map((e) => e.message).join('\n'), /WRONGPASS/);
    assert.equal(redis.gates[0]?.stats().authRejected, 1);
  });

  it('close() is idempotent and stops the redis-server', async () => {
    const local = await startEmulator({ ca: testCertificateAuthority() });
    const pid = local.redis?.servers[0]?.pid;
    assert.ok(pid);
    await Promise.all([local.close(), local.close()]);
    await local.close();
    assert.throws(() => process.kill(pid, 0), { code: 'ESRCH' });
  });
});
