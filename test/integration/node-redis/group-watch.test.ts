// watchNodeRedisPool / watchNodeRedisCluster through the emulator's gates: node-redis 5.9 pool members and cluster
// nodes send one AUTH per connection per renewal however often they reconnected (node-redis leaks a listener per
// reconnect and, before 5.12, has no diagnostics channels), nothing stays subscribed after close(); and a re-AUTH the server
// refuses makes the watched member reconnect with the current token instead of waiting for expiry.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createClientPool, createCluster } from 'redis';
import { createClientPool as createClientPool59, createCluster as createCluster59 } from 'redis59';
import type { AzureRedis } from '../../../src/emulator/index.js';
import type { EntraIdCredentialsProvider } from '../../../src/provider/entra-id-credentials-provider.js';
import type { ReAuthenticationFailedEvent } from '../../../src/provider/types.js';
import { watchNodeRedisCluster } from '../../../src/provider/node-redis/watch-cluster.js';
import { watchNodeRedisPool } from '../../../src/provider/node-redis/watch-pool.js';
import {
  DEFAULT_SECRET_PRINCIPAL,
  assertOneAuthPerToken,
  assertOpenConnectionsRenewed,
  gateTotal,
  renewals,
  servicePrincipalProvider,
  until,
  useClusterAndStandalone,
  load,
  refuseAuth,
  dropConnections,
} from './fixtures.js';

const OID = DEFAULT_SECRET_PRINCIPAL.objectId;

describe('node-redis pools and clusters watched as a group', () => {
  const env = useClusterAndStandalone();

  const socketOf = (redis: AzureRedis) =>
    ({ host: redis.host, port: redis.port, tls: true as const, reconnectStrategy: () => 50 }) as const;

  function clusterOf(library: '5.9' | 6, provider: EntraIdCredentialsProvider) {
    const redis = env.emulator.redis;
    assert.ok(redis);
    const options = {
      rootNodes: redis.rootNodes.map((n) => ({ socket: { host: 'localhost', port: n.port } })),
      nodeAddressMap: Object.fromEntries(redis.rootNodes.map((n) => [`${n.host}:${n.port}`, { host: 'localhost', port: n.port }])),
      RESP: 3 as const,
      defaults: { credentialsProvider: provider, socket: { tls: true as const, servername: 'localhost', reconnectStrategy: () => 50 } },
    };
    const cluster = library === '5.9' ? createCluster59(options) : createCluster(options);
    cluster.on('error', () => undefined);
    return cluster;
  }

  for (const library of ['5.9', 6] as const) {
    it(`redis@${library} pool: after two reconnects of every member, one AUTH per member per renewal; close() leaves nothing`, async (t) => {
      const gate = env.single.gates[0];
      assert.ok(gate);
      const expiredBefore = gateTotal(env.single.gates, 'expiryClosures');
      const provider = servicePrincipalProvider(env.emulator);
      t.after(() => provider.close());
      const options = { socket: socketOf(env.single), RESP: 3 as const, credentialsProvider: provider };
      const sizes = { minimum: 3, maximum: 3 };
      const pool = library === '5.9' ? createClientPool59(options, sizes) : createClientPool(options, sizes);
      pool.on('error', () => undefined);
      let closed = false;
      t.after(() => {
        if (!closed) pool.destroy();
      });
      const watch = watchNodeRedisPool(pool, provider);
      t.after(() => watch.dispose());
      await pool.connect();
      await dropConnections([gate], 2, 3, () => Promise.all([pool.ping(), pool.ping(), pool.ping()]));
      assert.ok(provider.subscriberCount > 3, 'node-redis leaked listeners on reconnect (what the watch fixes on 5.9)');

      const traffic = load((i) => pool.set(`pool${library}:${i % 20}`, String(i)));
      await renewals(provider, 2);
      const { ok, failed } = await traffic.stop();
      assert.deepEqual(failed, []);
      assert.ok(ok > 0);
      assert.equal(watch.members, 3);
      await assertOpenConnectionsRenewed([gate], OID, 2);
      assertOneAuthPerToken([gate], OID);
      assert.equal(provider.subscriberCount, 3, 'the leaked listeners were dropped: one per member');
      assert.equal(gateTotal(env.single.gates, 'expiryClosures'), expiredBefore);
      await pool.close();
      closed = true;
      // node-redis 5.9 disposes only each client's newest listener; the watch drops the rest at once or, for a
      // listener it had not seen yet, at the next renewal.
      await until('nothing subscribed after close()', () => provider.subscriberCount === 0, 10_000);
    });

    it(`redis@${library} cluster: after two reconnects of every node, one AUTH per connection per renewal; close() leaves nothing`, async (t) => {
      const redis = env.emulator.redis;
      assert.ok(redis);
      const expiredBefore = gateTotal(redis.gates, 'expiryClosures');
      const provider = servicePrincipalProvider(env.emulator);
      t.after(() => provider.close());
      const cluster = clusterOf(library, provider);
      let closed = false;
      t.after(() => {
        if (!closed) cluster.destroy();
      });
      const watch = watchNodeRedisCluster(cluster, provider);
      t.after(() => watch.dispose());
      await cluster.connect();
      const probe = () => Promise.all([0, 1, 2, 3, 4, 5].map((i) => cluster.set(`probe:${i}`, 'x')));
      await probe();
      await dropConnections(redis.gates, 2, redis.gates.length, probe);

      const traffic = load((i) => cluster.set(`cluster${library}:${i % 100}`, String(i)));
      await renewals(provider, 2);
      const { ok, failed } = await traffic.stop();
      assert.deepEqual(failed, []);
      assert.ok(ok > 0);
      assert.ok(watch.members >= redis.gates.length, `${watch.members} node clients watched`);
      await assertOpenConnectionsRenewed(redis.gates, OID, 2);
      assertOneAuthPerToken(redis.gates, OID);
      const open = redis.gates.reduce((sum, gate) => sum + gate.stats().connectionsOpen, 0);
      assert.equal(provider.subscriberCount, open, 'one listener per open connection');
      assert.equal(gateTotal(redis.gates, 'expiryClosures'), expiredBefore);
      await cluster.close();
      closed = true;
      // node-redis 5.9 disposes only each client's newest listener; the watch drops the rest at once or, for a
      // listener it had not seen yet, at the next renewal.
      await until('nothing subscribed after close()', () => provider.subscriberCount === 0, 10_000);
    });
  }

  it('redis@6 pool: a refused re-AUTH is reported and makes each member reconnect with the current token', async (t) => {
    const gate = env.single.gates[0];
    const server = env.single.servers[0];
    assert.ok(gate && server);
    const expiredBefore = gateTotal(env.single.gates, 'expiryClosures');
    const provider = servicePrincipalProvider(env.emulator);
    t.after(() => provider.close());
    const pool = createClientPool({ socket: socketOf(env.single), RESP: 3, credentialsProvider: provider }, { minimum: 2, maximum: 2 });
    pool.on('error', () => undefined);
    t.after(() => pool.destroy());
    const watch = watchNodeRedisPool(pool, provider);
    t.after(() => watch.dispose());
    await pool.connect();
    const failures: ReAuthenticationFailedEvent[] = [];
    provider.on('reAuthenticationFailed', (event) => failures.push(event));
    const acl = await refuseAuth(server);
    t.after(() => acl.close());
    await until('two refused re-AUTHs', () => failures.length >= 2);
    await acl.restore();
    assert.equal(failures[0]?.error.code, 'ERR_REAUTH_FAILED');
    await until('both members reconnected', () => watch.reconnects === 2);
    await until('a working pool', async () => (await pool.ping().catch(() => 'no')) === 'PONG');
    await renewals(provider, 2);
    assert.equal(await pool.ping(), 'PONG');
    assert.equal(gateTotal(env.single.gates, 'expiryClosures'), expiredBefore);
    assert.equal(gate.connections().filter((c) => c.closedReason === undefined && c.oid === OID).length, 2);
  });

  it('redis@5.9 cluster: a refused re-AUTH on one node makes that node reconnect; the others are untouched', async (t) => {
    const redis = env.emulator.redis;
    assert.ok(redis);
    const server = redis.servers[0];
    assert.ok(server);
    const expiredBefore = gateTotal(redis.gates, 'expiryClosures');
    const provider = servicePrincipalProvider(env.emulator);
    t.after(() => provider.close());
    const cluster = clusterOf('5.9', provider);
    t.after(() => cluster.destroy());
    const watch = watchNodeRedisCluster(cluster, provider);
    t.after(() => watch.dispose());
    await cluster.connect();
    await Promise.all([0, 1, 2, 3, 4, 5].map((i) => cluster.set(`probe:${i}`, 'x')));
    const failures: ReAuthenticationFailedEvent[] = [];
    provider.on('reAuthenticationFailed', (event) => failures.push(event));
    const acl = await refuseAuth(server);
    t.after(() => acl.close());
    await until('a refused re-AUTH', () => failures.length >= 1);
    await acl.restore();
    assert.equal(failures[0]?.error.code, 'ERR_REAUTH_FAILED');
    assert.equal(failures[0]?.error.address, `localhost:${redis.gates[0]?.port}`, 'node-redis 5.9: the address comes from the watch');
    await until('the node reconnected', () => watch.reconnects === 1);
    const traffic = load((i) => cluster.set(`cluster5r:${i % 100}`, String(i)));
    await renewals(provider, 2);
    const { failed } = await traffic.stop();
    assert.deepEqual(failed, []);
    assert.equal(watch.reconnects, 1, 'only the refused node reconnected');
    assert.equal(gateTotal(redis.gates, 'expiryClosures'), expiredBefore);
  });
});
