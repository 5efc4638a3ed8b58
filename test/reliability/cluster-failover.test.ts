// A cluster node failover under load (issue #7): a 3-master gated cluster with one replica per master, short tokens
// renewed every ~2 s, node-redis and ioredis cluster clients running SET/GET/INCR across every shard. A replica is
// promoted with CLUSTER FAILOVER (over its redis-server's admin connection, not through a gate); the clients follow
// MOVED to the promoted node's gate. Must hold: no authentication error ever, at most a few connection-class errors
// during the switch, no lost or doubled INCR, the promoted node's connections carry the current token, renewals go on
// afterwards with commands succeeding, and no gate ever closes a connection for an expired token.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Cluster } from 'ioredis';
import { createCluster } from 'redis';
import type { Emulator } from '../../src/emulator/index.js';
import type { GatedCluster, GatedClusterReplica } from '../../src/emulator/gate/cluster.js';
import type { RedisGate } from '../../src/emulator/gate/redis-gate.js';
import type { RedisServerHandle } from '../../src/emulator/redis/redis-server.js';
import { withEntraId } from '../../src/ioredis/index.js';
import type { EntraIdCredentialsProvider } from '../../src/provider/entra-id-credentials-provider.js';
import { CommandLoop, EventLog, gateTotal, secretProvider, startReliabilityEmulator, until } from './helpers.js';

/** Token lifetime, in s: renewed at half of it, every ~2 s. */
const TOKEN_SECONDS = 4;
const RENEWAL = Object.freeze({
  expirationRefreshRatio: 0.5,
  lowerRefreshBoundMillis: 0,
  minRefreshIntervalMs: 200,
  retryPolicy: { maxAttempts: 3, delayInMs: 200, jitterRatio: 0 },
  failedRenewalRetryIntervalMs: 300,
  maxFailedRenewalRetryIntervalMs: 1_000,
});
/** Failed commands allowed during the switch, each a connection-class error the client itself surfaced. */
const MAX_SWITCH_ERRORS = 5;
const CONNECTION_ERROR = /Socket closed|connection|ECONNRESET|ECONNREFUSED|EPIPE|closed|Connection is closed|CLUSTERDOWN|TRYAGAIN/i;
const AUTH_ERROR = /WRONGPASS|NOAUTH|NOPERM|invalid password|auth/i;

/** The minimal client surface the loop needs (both node-redis and ioredis clusters have it). */
interface KeyValue {
  set(key: string, value: string): Promise<unknown>;
  get(key: string): Promise<string | null>;
  incr(key: string): Promise<number>;
}

/**
 * SET, GET (must read the value just written) and INCR, key after key across every shard. Counts the INCRs
 * that succeeded and the ones that failed (those may or may not have been applied).
 */
class KeyspaceLoop {
  readonly loop: CommandLoop;
  readonly incrOk = new Map<string, number>();
  readonly incrFailed = new Map<string, number>();

  constructor(client: KeyValue, readonly keys: readonly string[]) {
    let turn = 0;
    this.loop = new CommandLoop(async () => {
      const i = turn++;
      const key = keys[Math.floor(i / 3) % keys.length] as string;
      if (i % 3 === 0) return client.set(`${key}:v`, String(i));
      if (i % 3 === 1) {
        const value = await client.get(`${key}:v`);
        if (value !== String(i - 1)) throw new Error(`inconsistent read of ${key}:v: ${value}, wrote ${i - 1}`);
        return value;
      }
      try {
        await client.incr(`${key}:n`);
        this.incrOk.set(key, (this.incrOk.get(key) ?? 0) + 1);
      } catch (error) {
        this.incrFailed.set(key, (this.incrFailed.get(key) ?? 0) + 1);
        throw error;
      }
    }, 5);
  }
}

/** INFO replication of `server`, over its admin connection. */
async function replication(server: RedisServerHandle): Promise<string> {
  const admin = await server.admin();
  try {
    return await admin.text(['INFO', 'replication']);
  } finally {
    admin.close();
  }
}

/** Keys whose slots cover every shard (checked against the cluster's slot ranges). */
async function keysOnEveryShard(cluster: GatedCluster, prefix: string): Promise<string[]> {
  const admin = await (cluster.nodes[0] as GatedCluster['nodes'][number]).server.admin();
  try {
    const keys = Array.from({ length: 9 }, (_, i) => `${prefix}:{${i}}`);
    const slots = await Promise.all(keys.map(async (key) => Number(await admin.command(['CLUSTER', 'KEYSLOT', key]))));
    for (const node of cluster.nodes) {
      assert.ok(slots.some((slot) => slot >= node.slots[0] && slot <= node.slots[1]), `no loop key on the shard of gate ${node.port}`);
    }
    return keys;
  } finally {
    admin.close();
  }
}

/** Promotes `replica` with CLUSTER FAILOVER and waits until it is master and its old master replicates from it. */
async function failover(cluster: GatedCluster, replica: GatedClusterReplica): Promise<void> {
  const admin = await replica.server.admin();
  try {
    await admin.command(['CLUSTER', 'FAILOVER']);
  } finally {
    admin.close();
  }
  const old = (cluster.nodes[replica.masterIndex] as GatedCluster['nodes'][number]).server;
  await until(
    'the replica to be master and its old master to replicate from it',
    async () => (await replication(replica.server)).includes('role:master') && /role:slave[\s\S]*master_link_status:up/.test(await replication(old)),
    20_000,
  );
}

/** Open gate connections of `oid` that authenticated. */
function openAuthenticated(gates: readonly RedisGate[], oid: string): { gate: number; id: number; expiresAtMs: number | undefined }[] {
  return gates.flatMap((gate) =>
    gate
      .connections()
      .filter((c) => c.closedReason === undefined && c.oid === oid && c.acceptedAuthCount > 0)
      .map((c) => ({ gate: gate.port, id: c.id, expiresAtMs: c.expiresAtMs })),
  );
}

/** Waits until every open authenticated connection of `oid` holds the provider's current token (renewals move it). */
async function everyConnectionOnCurrentToken(gates: readonly RedisGate[], oid: string, provider: EntraIdCredentialsProvider): Promise<void> {
  let stale: unknown[] = [];
  await until(
    'every open connection to carry the current token',
    () => {
      const current = provider.getTokenInfo()?.expiresAtMs;
      stale = openAuthenticated(gates, oid).filter((c) => c.expiresAtMs !== current);
      return current !== undefined && stale.length === 0;
    },
    10_000,
  ).catch((error: unknown) => {
    throw new Error(`${(error as Error).message}; stale: ${JSON.stringify(stale)}`);
  });
}

/** The common scenario: traffic, failover of `replica`, routing to it, renewals after, then every assertion. */
async function survivesFailover(
  emulator: Emulator,
  provider: EntraIdCredentialsProvider,
  client: KeyValue,
  replica: GatedClusterReplica,
  prefix: string,
): Promise<string> {
  const redis = emulator.redis;
  const cluster = redis?.gatedCluster;
  assert.ok(redis && cluster);
  const keys = await keysOnEveryShard(cluster, prefix);
  const work = new KeyspaceLoop(client, keys);
  const { loop } = work;
  const log = new EventLog(provider);
  try {
    await until('traffic on every shard', () => loop.ok > 60, 20_000);
    await log.renewalsReach(1, 20_000);
    assert.equal(loop.errors.length, 0, `no failure before the failover:\n${loop.describeErrors()}`);

    await failover(cluster, replica);
    const oid = provider.getTokenInfo()?.oid;
    assert.ok(oid);
    // The clients follow MOVED to the promoted node's gate and keep working there.
    await until('an authenticated client connection at the promoted gate', () => openAuthenticated([replica.gate], oid).length > 0, 20_000);
    const forwardedAtSwitch = replica.gate.stats().commandsForwarded;
    const okAtSwitch = loop.ok;
    await until('traffic through the promoted gate', () => replica.gate.stats().commandsForwarded > forwardedAtSwitch + 20 && loop.ok > okAtSwitch + 60, 20_000);
    const errorsAfterSwitch = loop.errors.length;

    // Renewals go on: two more, with commands succeeding through them.
    const renewed = log.renewals;
    const okBefore = loop.ok;
    await log.renewalsReach(renewed + 2, 20_000);
    await until('commands after the renewals', () => loop.ok > okBefore + 60, 20_000);
    await loop.stop();

    assert.equal(loop.errors.length, errorsAfterSwitch, `no failure once the clients use the promoted node:\n${loop.describeErrors()}`);
    assert.ok(loop.errors.length <= MAX_SWITCH_ERRORS, `${loop.errors.length} failed commands (at most ${MAX_SWITCH_ERRORS}):\n${loop.describeErrors()}`);
    for (const { message } of loop.errors) {
      assert.doesNotMatch(message, AUTH_ERROR);
      assert.match(message, CONNECTION_ERROR);
    }
    assert.deepEqual(log.failures, [], 'no failed renewal');

    // Every INCR acknowledged is there once; one that failed may or may not have been applied.
    for (const key of keys) {
      const value = Number(await client.get(`${key}:n`));
      const ok = work.incrOk.get(key) ?? 0;
      const failed = work.incrFailed.get(key) ?? 0;
      assert.ok(value >= ok && value <= ok + failed, `${key}:n is ${value}; ${ok} INCRs acknowledged, ${failed} failed`);
    }

    // The promoted node's connections authenticated with a token that was current, and follow renewals.
    const accepted = replica.gate.auths().filter((a) => a.oid === oid && a.ok);
    assert.ok(accepted.length > 0, 'AUTHs at the promoted gate');
    for (const auth of accepted) assert.ok((auth.expiresAtMs ?? 0) > auth.atMs, 'every AUTH at the promoted gate carried an unexpired token');
    await everyConnectionOnCurrentToken(cluster.gates, oid, provider);
    assert.equal(gateTotal(cluster.gates, 'authRejected'), 0, 'no AUTH refused by any gate');
    assert.equal(gateTotal(cluster.gates, 'expiryClosures'), 0, 'no gate closed a connection for an expired token');
    return `${loop.ok} commands, ${loop.errors.length} failed during the switch, ${log.renewals} renewals, ${accepted.length} AUTHs at the promoted gate`;
  } finally {
    log.stop();
    await loop.stop();
  }
}

describe('cluster failover (1 replica per master) under load with renewing tokens', { timeout: 90_000 }, () => {
  let emulator: Emulator;
  before(async () => {
    emulator = await startReliabilityEmulator(TOKEN_SECONDS, { cluster: true, tls: true, replicasPerMaster: 1 });
  });
  after(() => emulator.close());

  it('node-redis cluster: commands keep succeeding through the promotion, with current tokens', { timeout: 30_000 }, async (t) => {
    const redis = emulator.redis;
    const replica = redis?.gatedCluster?.replicas[0];
    assert.ok(redis && replica);
    const provider = secretProvider(emulator, RENEWAL);
    const client = createCluster({
      rootNodes: redis.rootNodes.map((n) => ({ socket: { host: n.host, port: n.port, tls: true as const, ca: emulator.ca.certPem } })),
      defaults: { credentialsProvider: provider, socket: { tls: true as const, ca: emulator.ca.certPem, reconnectStrategy: () => 100 } },
    });
    client.on('error', () => undefined);
    try {
      await client.connect();
      t.diagnostic(await survivesFailover(emulator, provider, client, replica, 'nr'));
    } finally {
      client.destroy();
      await provider.close();
    }
  });

  it('ioredis Cluster (withEntraId): commands keep succeeding through the promotion, with current tokens', { timeout: 30_000 }, async (t) => {
    const redis = emulator.redis;
    const replica = redis?.gatedCluster?.replicas[1];
    assert.ok(redis && replica);
    const provider = secretProvider(emulator, RENEWAL);
    let client: Cluster | undefined;
    try {
      client = await withEntraId(
        provider,
        (credentials) => {
          const cluster = new Cluster([...redis.rootNodes], { redisOptions: { tls: { ca: emulator.ca.certPem }, ...credentials }, clusterRetryStrategy: () => 100 });
          cluster.on('error', () => undefined);
          return cluster;
        },
        { reAuthJitterMs: 200 },
      );
      t.diagnostic(await survivesFailover(emulator, provider, client, replica, 'io'));
    } finally {
      client?.disconnect();
      await provider.close();
    }
  });
});
