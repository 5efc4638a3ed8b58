// Faults on the Redis side: a connection reset in the middle of a re-AUTH (node-redis), and a master of a 3-master
// cluster (no replicas) going down and coming back. See docs/reliability.md.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createClient, createCluster } from 'redis';
import { RedisEntraIdError } from '../../src/errors.js';
import type { RedisGate } from '../../src/emulator/gate/redis-gate.js';
import type { RedisServerHandle } from '../../src/emulator/redis/redis-server.js';
import {
  assertOnlyConnectionErrors,
  AUTH_ERROR,
  CommandLoop,
  CONNECTION_ERROR,
  EventLog,
  FAST_RENEWAL,
  gateTotal,
  secretProvider,
  startReliabilityEmulator,
  until,
} from './helpers.js';
import { resetConnectionsOnReAuth } from '../helpers/gate-faults.js';

async function clusterReady(servers: readonly RedisServerHandle[]): Promise<boolean> {
  for (const server of servers) {
    const admin = await server.admin();
    try {
      const info = await admin.text(['CLUSTER', 'INFO']);
      if (!info.includes('cluster_state:ok')) return false;
    } finally {
      admin.close();
    }
  }
  return true;
}

/** Waits until every open, authenticated gate connection holds a token expiring at `expiresAtMs`. */
async function allOpenConnectionsOn(gates: readonly RedisGate[], expiresAtMs: number): Promise<void> {
  const open = (): { id: number; expiresAtMs: number | undefined }[] =>
    gates.flatMap((gate) => gate.connections().filter((c) => c.closedReason === undefined && c.oid !== undefined));
  await until('the renewal AUTHs to reach the gates', () => open().every((c) => c.expiresAtMs === expiresAtMs), 5_000).catch(() => undefined);
  const connections = open();
  assert.ok(connections.length > 0, 'no open authenticated connection');
  assert.deepEqual(
    connections.filter((c) => c.expiresAtMs !== expiresAtMs).map((c) => c.id),
    [],
    'open connections not re-authenticated with the current token',
  );
}

describe('Redis-side faults (reset mid re-AUTH, cluster master restart)', () => {
  it('connection reset in the middle of a re-AUTH: the client reconnects with the current token', { timeout: 60_000 }, async () => {
    const emulator = await startReliabilityEmulator(6);
    const redis = emulator.redis;
    const gate = redis?.gates[0];
    assert.ok(redis && gate);
    const provider = secretProvider(emulator, FAST_RENEWAL);
    const client = createClient({ socket: { host: redis.host, port: redis.port, tls: true, ca: emulator.ca.certPem, reconnectStrategy: () => 50 }, credentialsProvider: provider });
    client.on('error', () => undefined);
    try {
      await client.connect();
      const loop = new CommandLoop(() => client.incr('reliability:reset'));
      // Drop every connection the moment the gate has read a re-AUTH, before the reply is written: twice.
      const fault = resetConnectionsOnReAuth(gate, 2);
      await until('two resets mid re-AUTH', () => fault.resets >= 2, 20_000);
      fault.stop();
      const log = new EventLog(provider);
      await log.renewalsReach(2, 20_000);
      const errorsBefore = loop.errors.length;
      await log.renewalsReach(3, 20_000);
      log.stop();
      await loop.stop();
      assertOnlyConnectionErrors(loop, 2);
      assert.equal(loop.errors.length, errorsBefore, 'no failure after the resets');
      assert.equal(gateTotal(redis.gates, 'authRejected'), 0);
      assert.equal(gateTotal(redis.gates, 'expiryClosures'), 0);
      const current = provider.getTokenInfo();
      assert.ok(current);
      await allOpenConnectionsOn(redis.gates, current.expiresAtMs);
      assert.equal(gate.stats().connectionsOpen, 1);
      assert.equal(provider.subscriberCount, 1, "only node-redis's own listener is left");
    } finally {
      client.destroy();
      await provider.close();
      await emulator.close();
    }
  });

  // A master without replicas going down is a cluster outage: with `cluster-require-full-coverage yes` (the
  // Redis default) every node answers CLUSTERDOWN until the node is back and the cluster state is `ok` again.
  // Those failures are Redis's and node-redis's, not ours; what must hold is asserted here.
  it('cluster: a master goes down and comes back; failures only while it is down, then fresh tokens everywhere', { timeout: 60_000 }, async () => {
    const emulator = await startReliabilityEmulator(6, { cluster: true, tls: true });
    const redis = emulator.redis;
    assert.ok(redis);
    const provider = secretProvider(emulator, FAST_RENEWAL);
    const cluster = createCluster({
      rootNodes: redis.rootNodes.map((n) => ({ socket: { host: n.host, port: n.port, tls: true as const, ca: emulator.ca.certPem } })),
      defaults: { credentialsProvider: provider, socket: { tls: true as const, ca: emulator.ca.certPem, reconnectStrategy: () => 100 } },
    });
    cluster.on('error', () => undefined);
    try {
      await cluster.connect();
      const keys = ['{a}x', '{b}x', '{c}x', '{d}x', '{e}x', '{f}x'];
      let turn = 0;
      const loop = new CommandLoop(() => cluster.incr(keys[turn++ % keys.length] as string));
      await until('traffic', () => loop.ok > 30);
      assert.equal(loop.errors.length, 0, 'no failure before the restart');
      const server = redis.servers[1];
      assert.ok(server);
      const downFromMs = Date.now();
      await server.restart();
      await until('cluster_state:ok on every node', () => clusterReady(redis.servers), 20_000);
      const upAtMs = Date.now();
      const okAfter = loop.ok;
      await until('traffic on every shard again', () => loop.ok > okAfter + 60, 20_000);
      const errorsWhenBack = loop.errors.length;
      const log = new EventLog(provider);
      await log.renewalsReach(2, 20_000);
      log.stop();
      await loop.stop();
      assert.equal(loop.errors.length, errorsWhenBack, 'no failure once the node is back');
      // Failures only in the window the node was down (plus node-redis's reconnect delay and slot refresh,
      // generous on a shared machine), each a Redis/node-redis connection or CLUSTERDOWN error, never ours.
      const WINDOW_MARGIN_MS = 5_000;
      for (const { atMs, message, error } of loop.errors) {
        assert.ok(atMs >= downFromMs && atMs <= upAtMs + WINDOW_MARGIN_MS, `failure outside the down window: ${message}`);
        assert.doesNotMatch(message, AUTH_ERROR);
        assert.match(message, CONNECTION_ERROR);
        assert.ok(!(error instanceof RedisEntraIdError), `a redis-entraid error: ${message}`);
      }
      // While the node is down the gate cannot create the principal's ACL user for a new connection: it closes that
      // connection like the server would (a refused token would be an AUTH error here, and is not what happens).
      assert.equal(gateTotal(redis.gates, 'authRejected'), 0);
      assert.equal(gateTotal(redis.gates, 'expiryClosures'), 0);
      const current = provider.getTokenInfo();
      assert.ok(current);
      await allOpenConnectionsOn(redis.gates, current.expiresAtMs);
    } finally {
      cluster.destroy();
      await provider.close();
      await emulator.close();
    }
  });
});
