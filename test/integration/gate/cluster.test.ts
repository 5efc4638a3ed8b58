import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Cluster, Redis } from 'ioredis';
import { createClient, createCluster } from 'redis';
import { startGatedCluster, type GatedCluster } from '../../../src/emulator/gate/cluster.js';
import { startAzureRedis } from '../../../src/emulator/gate/azure-redis.js';
import type { RedisServerHandle } from '../../../src/emulator/redis/redis-server.js';
import { testCertificateAuthority } from '../../helpers/test-ca.js';
import { mintToken, verifier } from './fixtures.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Keys that together cover every node: key i lands in slot crc16(key) mod 16384. */
const KEYS = Array.from({ length: 300 }, (_, i) => `key:${i}`);

describe('gated cluster', () => {
  let cluster: GatedCluster;
  before(async () => {
    cluster = await startGatedCluster({ verifier, tls: { ca: testCertificateAuthority() } });
  });
  after(() => cluster.stop());

  it('announces gate ports: CLUSTER SLOTS and MOVED point at the gates', async (t) => {
    const { token, oid } = mintToken();
    const [first, second] = cluster.nodes;
    assert.ok(first && second);
    const client = createClient({
      socket: { host: first.host, port: first.port, tls: true, ca: testCertificateAuthority().certPem, reconnectStrategy: false },
      username: oid,
      password: token,
    });
    client.on('error', () => undefined);
    t.after(() => {
      if (client.isOpen) client.destroy();
    });
    await client.connect();
    const slots = (await client.sendCommand(['CLUSTER', 'SLOTS'])) as [number, number, [string, number, string]][];
    const announced = slots.map(([from, to, [host, port]]) => [from, to, host, port]).sort((a, b) => Number(a[0]) - Number(b[0]));
    assert.deepEqual(
      announced,
      cluster.nodes.map((n) => [n.slots[0], n.slots[1], '127.0.0.1', n.port]),
    );
    // Slot of "a" is 15495 (third node); of "b" 3300 (first node).
    assert.equal(await client.sendCommand(['CLUSTER', 'KEYSLOT', 'a']), 15495);
    const third = cluster.nodes[2];
    await assert.rejects(client.get('a'), { message: `MOVED 15495 127.0.0.1:${third?.port}` });
  });

  it('serves node-redis createCluster (TLS, RESP3) with keys across all slots', async (t) => {
    const { token, oid } = mintToken();
    const client = createCluster({
      rootNodes: cluster.rootNodes.map((n) => ({ socket: { host: n.host, port: n.port } })),
      RESP: 3,
      defaults: { username: oid, password: token, socket: { tls: true, ca: testCertificateAuthority().certPem, reconnectStrategy: false } },
    });
    client.on('error', () => undefined);
    t.after(() => client.destroy());
    await client.connect();
    for (const key of KEYS) await client.set(key, `v-${key}`);
    for (const key of KEYS) assert.equal(await client.get(key), `v-${key}`);
    const commands = new Set(cluster.nodes.flatMap((n) => n.gate.auths().filter((a) => a.oid === oid).map((a) => a.command)));
    assert.deepEqual([...commands], ['hello']);
    for (const node of cluster.nodes) {
      const admin = await node.server.admin();
      try {
        const count = Number(await admin.command(['DBSIZE']));
        assert.ok(count > 50, `node on gate ${node.port} holds ${count} keys`);
        assert.match(await admin.text(['ACL', 'LIST']), new RegExp(`user ${oid} on`));
      } finally {
        admin.close();
      }
    }
  });

  it('serves an ioredis Cluster (TLS) with keys across all slots', async (t) => {
    const { token, oid } = mintToken();
    const client = new Cluster(
      cluster.rootNodes.map((n) => ({ host: n.host, port: n.port })),
      {
        redisOptions: { username: oid, password: token, tls: { ca: testCertificateAuthority().certPem } },
        clusterRetryStrategy: () => null,
      },
    );
    client.on('error', () => undefined);
    t.after(() => client.disconnect());
    await Promise.all(KEYS.map((key) => client.incrby(`io:${key}`, 2)));
    const values = await Promise.all(KEYS.map((key) => client.get(`io:${key}`)));
    assert.deepEqual(values, KEYS.map(() => '2'));
    const rejected = cluster.nodes.reduce((sum, n) => sum + n.gate.stats().authRejected, 0);
    assert.equal(rejected, 0);
  });

  it('restartNode() brings a node back; clients reconnect through its gate', async (t) => {
    const node = cluster.nodes[1];
    assert.ok(node);
    const oldPid = node.server.pid;
    await cluster.restartNode(1);
    assert.notEqual(node.server.pid, oldPid);
    assert.equal(alive(oldPid), false);
    const { token, oid } = mintToken();
    const direct = new Redis({ host: node.host, port: node.port, username: oid, password: token, tls: { ca: testCertificateAuthority().certPem }, lazyConnect: true, retryStrategy: () => null });
    direct.on('error', () => undefined);
    t.after(() => direct.disconnect());
    await direct.connect();
    // The ACL user is created again on the restarted server.
    assert.equal(await direct.call('ACL', 'WHOAMI'), oid);
  });
});

/** INFO replication of `server`, read over its admin connection. */
async function replicationInfo(server: RedisServerHandle): Promise<string> {
  const admin = await server.admin();
  try {
    return await admin.text(['INFO', 'replication']);
  } finally {
    admin.close();
  }
}

describe('gated cluster with one replica per master', () => {
  let cluster: GatedCluster;
  before(async () => {
    cluster = await startGatedCluster({ verifier, tls: { ca: testCertificateAuthority() }, replicasPerMaster: 1 });
  });
  after(() => cluster.stop());

  it('rejects a bad replicasPerMaster, and replicas without a cluster', async () => {
    await assert.rejects(startGatedCluster({ verifier, replicasPerMaster: 1.5 }), { name: 'RangeError', message: '"replicasPerMaster" must be an integer >= 0, got 1.5' });
    await assert.rejects(startAzureRedis({ verifier, replicasPerMaster: 1 }), { name: 'RangeError', message: '"replicasPerMaster" needs "cluster: true"' });
  });

  it('starts a replica per master behind its own gate, in sync, announcing gate ports', async (t) => {
    assert.equal(cluster.replicas.length, 3);
    assert.deepEqual(cluster.replicas.map((r) => r.masterIndex), [0, 1, 2]);
    assert.deepEqual(cluster.gates, [...cluster.nodes.map((n) => n.gate), ...cluster.replicas.map((r) => r.gate)]);
    for (const replica of cluster.replicas) {
      const info = await replicationInfo(replica.server);
      assert.match(info, /role:slave/);
      assert.match(info, /master_link_status:up/);
      // Replication goes straight to the master's redis-server (its TLS port), never through a gate.
      assert.match(info, new RegExp(`master_port:${cluster.nodes[replica.masterIndex]?.server.tlsPort}\\r\\n`));
    }
    const { token, oid } = mintToken();
    const replica = cluster.replicas[2];
    assert.ok(replica);
    const client = new Redis({ host: replica.host, port: replica.port, username: oid, password: token, tls: { ca: testCertificateAuthority().certPem }, lazyConnect: true, retryStrategy: () => null });
    client.on('error', () => undefined);
    t.after(() => client.disconnect());
    await client.connect();
    // The replica's gate created the ACL user on the replica's own server (ACL is not replicated).
    assert.equal(await client.call('ACL', 'WHOAMI'), oid);
    const slots = (await client.call('CLUSTER', 'SLOTS')) as [number, number, ...[string, number, string][]][];
    const gatePorts = new Set(cluster.gates.map((g) => g.port));
    const announced = slots.map(([from, , ...nodes]) => [from, nodes.map(([, port]) => port)] as const).sort((a, b) => a[0] - b[0]);
    assert.deepEqual(
      announced,
      cluster.nodes.map((n, i) => [n.slots[0], [n.port, cluster.replicas[i]?.port]]),
    );
    assert.ok(announced.every(([, ports]) => ports.every((port) => gatePorts.has(port as number))));
    assert.equal(cluster.nodes.map((n) => n.gate.stats().aclUsersCreated).reduce((a, b) => a + b, 0), 0);
    assert.equal(replica.gate.stats().aclUsersCreated, 1);
  });

  it('after CLUSTER FAILOVER the promoted replica serves its slots through its gate', async (t) => {
    const replica = cluster.replicas[0];
    const master = cluster.nodes[0];
    assert.ok(replica && master);
    const admin = await replica.server.admin();
    try {
      await admin.command(['CLUSTER', 'FAILOVER']);
    } finally {
      admin.close();
    }
    const deadline = Date.now() + 20_000;
    while (!(await replicationInfo(replica.server)).includes('role:master') || !(await replicationInfo(master.server)).includes('master_link_status:up')) {
      assert.ok(Date.now() < deadline, 'the replica was not promoted within 20 s');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const { token, oid } = mintToken();
    const client = createCluster({
      rootNodes: cluster.rootNodes.map((n) => ({ socket: { host: n.host, port: n.port } })),
      defaults: { username: oid, password: token, socket: { tls: true, ca: testCertificateAuthority().certPem, reconnectStrategy: false } },
    });
    client.on('error', () => undefined);
    t.after(() => client.destroy());
    await client.connect();
    // "b" hashes to slot 3300: the first shard, now served by the promoted replica.
    await client.set('b', 'after-failover');
    assert.equal(await client.get('b'), 'after-failover');
    const accepted = replica.gate.auths().filter((a) => a.oid === oid && a.ok);
    assert.ok(accepted.length > 0, "the client authenticated at the promoted node's gate");
    assert.equal(
      cluster.gates.reduce((sum, g) => sum + g.stats().authRejected, 0),
      0,
      JSON.stringify(cluster.gates.map((g) => [g.port, g.auths().filter((x) => !x.ok)])),
    );
  });
});

describe('cluster and startAzureRedis shutdown', () => {
  it('stop() leaves no redis-server process behind', async () => {
    const azure = await startAzureRedis({ verifier, cluster: true });
    const pids = azure.servers.map((s) => s.pid);
    assert.equal(pids.length, 3);
    assert.ok(pids.every(alive));
    await Promise.all([azure.close(), azure.close()]);
    assert.deepEqual(pids.map(alive), [false, false, false]);
  });

  it('startAzureRedis standalone with TLS serves a client and closes cleanly', async (t) => {
    const azure = await startAzureRedis({ verifier, ca: testCertificateAuthority() });
    t.after(() => azure.close());
    assert.equal(azure.tls, true);
    const { token, oid } = mintToken();
    const client = createClient({ socket: { host: azure.host, port: azure.port, tls: true, ca: azure.caPem, reconnectStrategy: false }, username: oid, password: token });
    client.on('error', () => undefined);
    await client.connect();
    assert.equal(await client.ping(), 'PONG');
    client.destroy();
    const pid = azure.servers[0]?.pid ?? -1;
    await azure.close();
    assert.equal(alive(pid), false);
  });
});
