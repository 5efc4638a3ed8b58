import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createClient } from 'redis';
import { startRedisGate, type RedisGate } from '../../../src/emulator/gate/redis-gate.js';
import { startRedisServer, type RedisServerHandle } from '../../../src/emulator/redis/redis-server.js';
import { mintToken, verifier } from './fixtures.js';

describe('gate across a redis-server restart', () => {
  let server: RedisServerHandle;
  let gate: RedisGate;
  before(async () => {
    server = await startRedisServer();
    gate = await startRedisGate({ target: server, admin: { username: server.adminUser, password: server.adminPassword }, verifier });
  });
  after(async () => {
    await gate.close();
    await server.stop();
  });

  async function whoami(oid: string, token: string): Promise<unknown> {
    const c = createClient({ socket: { host: gate.host, port: gate.port, reconnectStrategy: false }, username: oid, password: token });
    c.on('error', () => undefined);
    await c.connect();
    try {
      return await c.sendCommand(['ACL', 'WHOAMI']);
    } finally {
      c.destroy();
    }
  }

  it('creates the principal ACL user again once the restarted server has lost it', async () => {
    const { token, oid } = mintToken();
    assert.equal(await whoami(oid, token), oid);
    const created = gate.stats().aclUsersCreated;
    await server.restart();
    // The same principal, same token, after the restart: the gate must not trust its stale cache.
    assert.equal(await whoami(oid, token), oid);
    assert.equal(gate.stats().aclUsersCreated, created + 1);
  });
});
