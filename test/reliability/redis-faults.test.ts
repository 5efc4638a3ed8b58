// Faults on the Redis side with real node-redis / ioredis clients, the gate and a real redis-server: a server
// restart, and the gate closing connections at expiry when a renewal is late. Clients recover on their own
// with the current token. (Reset mid re-AUTH and cluster master restart: redis-reset-cluster.test.ts.)
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createClient } from 'redis';
import { Redis } from 'ioredis';
import { withEntraId } from '../../src/ioredis/with-entra-id.js';
import {
  assertOnlyConnectionErrors,
  CommandLoop,
  EventLog,
  FAST_RENEWAL,
  gateTotal,
  secretProvider,
  startReliabilityEmulator,
  until,
} from './helpers.js';

describe('Redis-side faults', () => {
  it('server restart: node-redis and ioredis reconnect with the current token and keep working', async () => {
    const emulator = await startReliabilityEmulator(6);
    const redis = emulator.redis;
    assert.ok(redis);
    const provider = secretProvider(emulator, FAST_RENEWAL);
    const nodeRedis = createClient({ socket: { host: redis.host, port: redis.port, tls: true, ca: emulator.ca.certPem, reconnectStrategy: () => 100 }, credentialsProvider: provider });
    nodeRedis.on('error', () => undefined); // reconnect errors during the restart are expected
    let ioredis: Redis | undefined;
    try {
      await nodeRedis.connect();
      ioredis = await withEntraId(provider, (creds) => new Redis({ host: redis.host, port: redis.port, tls: { ca: emulator.ca.certPem }, ...creds, retryStrategy: () => 100 }), { reAuthJitterMs: 0 });
      ioredis.on('error', () => undefined);
      const io = ioredis;
      const loops = [new CommandLoop(() => nodeRedis.incr('reliability:restart')), new CommandLoop(() => io.incr('reliability:restart'))];
      await until('traffic', () => loops.every((l) => l.ok > 10));
      const server = redis.servers[0];
      assert.ok(server);
      await server.restart();
      const okAfterRestart = loops.map((l) => l.ok);
      await until('both clients to work again', () => loops.every((l, i) => l.ok > (okAfterRestart[i] ?? 0) + 20), 20_000).catch((error: unknown) => {
        throw new Error(`${String(error)}; ok ${loops.map((l) => l.ok).join('/')}, errors: ${loops.map((l) => l.describeErrors()).join(' | ')}`);
      });
      // And keep working across renewals after the restart.
      const log = new EventLog(provider);
      await log.renewalsReach(2, 20_000);
      const errorsBefore = loops.map((l) => l.errors.length);
      const okBefore = loops.map((l) => l.ok);
      await log.renewalsReach(3, 20_000);
      log.stop();
      await Promise.all(loops.map((l) => l.stop()));
      for (const [i, loop] of loops.entries()) {
        assertOnlyConnectionErrors(loop, 3); // at most the commands in flight when the server went away
        assert.equal(loop.errors.length, errorsBefore[i], 'no failure once reconnected');
        assert.ok(loop.ok > (okBefore[i] ?? 0));
      }
      assert.equal(gateTotal(redis.gates, 'authRejected'), 0);
    } finally {
      ioredis?.disconnect();
      nodeRedis.destroy();
      await provider.close();
      await emulator.close();
    }
  });

  it('the gate closes connections at expiry when renewal is late: clients reconnect, offline queue keeps every command', async () => {
    const emulator = await startReliabilityEmulator(4);
    const redis = emulator.redis;
    assert.ok(redis);
    // Renew at 95 % of 4 s with a 700 ms slow token endpoint: the re-AUTH lands after exp.
    const provider = secretProvider(emulator, { ...FAST_RENEWAL, expirationRefreshRatio: 0.95 });
    const client = createClient({ socket: { host: redis.host, port: redis.port, tls: true, ca: emulator.ca.certPem, reconnectStrategy: () => 50 }, credentialsProvider: provider });
    client.on('error', () => undefined);
    try {
      await client.connect();
      emulator.identity.faults.setLatency(700, { endpoint: 'token' });
      const loop = new CommandLoop(() => client.incr('reliability:expiry'));
      await until('two expiry closures', () => gateTotal(redis.gates, 'expiryClosures') >= 2, 20_000);
      emulator.identity.faults.clear();
      const okBefore = loop.ok;
      await until('traffic after the closures', () => loop.ok > okBefore + 20, 10_000);
      await loop.stop();
      assertOnlyConnectionErrors(loop, gateTotal(redis.gates, 'expiryClosures'));
      assert.equal(await client.get('reliability:expiry'), String(loop.ok));
      assert.equal(gateTotal(redis.gates, 'authRejected'), 0);
    } finally {
      client.destroy();
      await provider.close();
      await emulator.close();
    }
  });
});
