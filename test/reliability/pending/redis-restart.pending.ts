// PENDING (not run by `npm test`): Redis-side faults that fail today; see docs/reliability.md.
// Run with: cp this file to test/reliability/redis-restart.test.ts && npm test -- test/reliability/redis-restart.test.ts
// Faults on the Redis side, with real node-redis / ioredis clients, the gate and real redis-servers: a server
// restart, a connection reset in the middle of a re-AUTH, the gate closing connections at expiry, and a
// cluster node going down and coming back. Clients recover on their own with the current token; no command
// fails for an authentication reason.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createClient, createCluster } from 'redis';
import type { RedisServerHandle } from '../../../src/emulator/redis/redis-server.js';
import { CommandLoop, EventLog, gateTotal, secretProvider, startReliabilityEmulator, until } from '../helpers.js';

const FAST_RENEWAL = Object.freeze({
  expirationRefreshRatio: 0.5,
  lowerRefreshBoundMillis: 0,
  minRefreshIntervalMs: 200,
  retryPolicy: { maxAttempts: 3, delayInMs: 200, jitterRatio: 0 },
  failedRenewalRetryIntervalMs: 300,
  maxFailedRenewalRetryIntervalMs: 1_000,
});

/** Errors a command may meet when its socket closes under it (never an authentication error). */
const CONNECTION_ERROR = /Socket closed|connection|ECONNRESET|ECONNREFUSED|EPIPE|closed|Connection is closed|CLUSTERDOWN|TRYAGAIN/i;
const AUTH_ERROR = /WRONGPASS|NOAUTH|NOPERM|invalid password/i;

function assertOnlyConnectionErrors(loop: CommandLoop, max: number): void {
  assert.ok(loop.errors.length <= max, `${loop.errors.length} failed commands (at most ${max} expected):\n${loop.describeErrors()}`);
  for (const { message } of loop.errors) {
    assert.doesNotMatch(message, AUTH_ERROR);
    assert.match(message, CONNECTION_ERROR);
  }
}

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

describe('Redis-side faults', () => {
  // Observed intermittently: after a reset mid re-AUTH the reconnected node-redis connection misses a later
  // renewal's AUTH and the gate closes it at expiry (2 expiry closures). Under investigation.
  it('connection reset in the middle of a re-AUTH: the client reconnects with the current token', { todo: 'intermittent missed re-AUTH after reconnect, see docs/reliability.md', timeout: 60_000 }, async () => {
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
      // Drop every connection the moment the gate has read a re-AUTH (a plain AUTH on a connection already
      // authenticated), before the reply is written: twice.
      let resets = 0;
      const onAuth = (record: { command: string; connectionId: number }): void => {
        const connection = gate.connections().find((c) => c.id === record.connectionId);
        if (resets < 2 && record.command === 'auth' && (connection?.acceptedAuthCount ?? 0) >= 1) {
          resets++;
          gate.closeAll();
        }
      };
      gate.on('auth', onAuth);
      await until('two resets mid re-AUTH', () => resets >= 2, 20_000);
      gate.off('auth', onAuth);
      const log = new EventLog(provider);
      await log.renewalsReach(2, 20_000);
      const errorsBefore = loop.errors.length;
      await log.renewalsReach(3, 20_000);
      log.stop();
      await loop.stop();
      assertOnlyConnectionErrors(loop, 2);
      assert.equal(loop.errors.length, errorsBefore);
      assert.equal(gateTotal(redis.gates, 'authRejected'), 0);
      assert.equal(gateTotal(redis.gates, 'expiryClosures'), 0);
      assert.equal(gate.stats().connectionsOpen, 1);
    } finally {
      client.destroy();
      await provider.close();
      await emulator.close();
    }
  });

  // Observed: after one master restarts, node-redis's cluster client gets NOAUTH on that shard (67 failures).
  it('cluster: a master goes down and comes back; the cluster client keeps working with fresh tokens', { todo: 'NOAUTH on the restarted shard, see docs/reliability.md', timeout: 60_000 }, async () => {
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
      const server = redis.servers[1];
      assert.ok(server);
      await server.restart();
      await until('cluster_state:ok on every node', () => clusterReady(redis.servers), 20_000);
      const okAfter = loop.ok;
      await until('traffic on every shard again', () => loop.ok > okAfter + 60, 20_000);
      const log = new EventLog(provider);
      await log.renewalsReach(1, 20_000);
      const errorsBefore = loop.errors.length;
      await log.renewalsReach(2, 20_000);
      log.stop();
      await loop.stop();
      assertOnlyConnectionErrors(loop, 10);
      assert.equal(loop.errors.length, errorsBefore, 'no failure once the node is back');
      assert.equal(gateTotal(redis.gates, 'authRejected'), 0);
    } finally {
      cluster.destroy();
      await provider.close();
      await emulator.close();
    }
  });
});
