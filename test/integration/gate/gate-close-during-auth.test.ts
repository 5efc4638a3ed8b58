import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createClient } from 'redis';
import { startRedisGate, type RedisGate } from '../../../src/emulator/gate/redis-gate.js';
import { startRedisServer, type RedisServerHandle } from '../../../src/emulator/redis/redis-server.js';
import { mintToken, verifier } from './fixtures.js';

describe('gate: a connection closed while its AUTH is being accepted', () => {
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

  it('is not counted as an expiry closure when its token later expires', async () => {
    const { token, oid, expMs } = mintToken({ lifetimeSec: 1.5 });
    gate.once('auth', () => gate.closeAll());
    const c = createClient({ socket: { host: gate.host, port: gate.port, reconnectStrategy: false }, username: oid, password: token });
    c.on('error', () => undefined);
    await c.connect().catch(() => undefined);
    if (c.isOpen) c.destroy();
    // Wait past the token's expiry: a stale expiry timer would fire by then.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, expMs - Date.now()) + 500));
    assert.equal(gate.stats().expiryClosures, 0);
    const [info] = gate.connections();
    assert.equal(info?.closedReason, 'gate');
  });
});
