// ioredis 6 Cluster through the emulator's 3 gated masters with the real provider, then a 4th gated master joins
// (CLUSTER MEET) and takes over the slot of a test key. After a renewal the client reads that key: MOVED sends it
// to the new node, whose first connection must AUTH with the newest token and then follow the next renewal with
// exactly one AUTH, while a background loop on the other masters sees no failed command.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Cluster } from 'ioredis';
import type { Emulator } from '../../../src/emulator/index.js';
import { slotRange } from '../../../src/emulator/gate/cluster.js';
import { startRedisGate, type RedisGate } from '../../../src/emulator/gate/redis-gate.js';
import type { AdminConnection } from '../../../src/emulator/redis/admin-connection.js';
import { findFreePort } from '../../../src/emulator/redis/free-port.js';
import { startRedisServer, type RedisServerHandle } from '../../../src/emulator/redis/redis-server.js';
import { withEntraId } from '../../../src/ioredis/index.js';
import type { AnyRedis } from './helpers/clients.js';
import {
  acceptedUtis,
  ClientTracker,
  eventually,
  gateConnectionOf,
  realProvider,
  staleHandshakes,
  startStack,
  sumStats,
  waitFor,
  waitForTokens,
} from './helpers/stack.js';

const MOVED_KEY = 'joiner:{moved}';
const LOOP_KEYS = Array.from({ length: 30 }, (_, i) => `loop:${i}`);

/** A master started like each of `startGatedCluster`'s nodes: announces its gate's port and a fixed bus port. */
async function startJoiningNode(emulator: Emulator): Promise<{ server: RedisServerHandle; gate: RedisGate; busPort: number }> {
  const gatePort = await findFreePort();
  let busPort = await findFreePort();
  while (busPort === gatePort) busPort = await findFreePort();
  const server = await startRedisServer({
    cluster: { announcePort: gatePort, announceIp: '127.0.0.1' },
    extraConfig: [`cluster-port ${busPort}`, `cluster-announce-bus-port ${busPort}`],
  });
  try {
    const cert = emulator.ca.issueServerCertificate(['127.0.0.1', 'localhost']);
    const gate = await startRedisGate({
      target: { host: server.host, port: server.port },
      admin: { username: server.adminUser, password: server.adminPassword },
      verifier: emulator.identity,
      port: gatePort,
      tls: { cert: cert.certPem, key: cert.keyPem },
    });
    return { server, gate, busPort };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

/** Runs `use` with an admin connection to every server, closing them all afterwards. */
async function withAdmins<T>(servers: readonly RedisServerHandle[], use: (admins: AdminConnection[]) => Promise<T>): Promise<T> {
  const admins = await Promise.all(servers.map((server) => server.admin()));
  try {
    return await use(admins);
  } finally {
    for (const admin of admins) admin.close();
  }
}

test('a master that joins later and takes a slot is authenticated with the newest token (ioredis 6)', async (t) => {
  const cleanups: (() => Promise<void>)[] = [];
  t.after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });
  const emulator = await startStack({ cluster: true });
  cleanups.push(() => emulator.close());
  const azure = emulator.redis;
  assert.ok(azure);
  const { provider, log } = realProvider(emulator);
  cleanups.push(() => provider.close());
  const joining = await startJoiningNode(emulator);
  cleanups.push(async () => {
    await joining.gate.close();
    await joining.server.stop();
  });
  const gates = [...azure.gates, joining.gate];

  const since = Date.now();
  const clients = new ClientTracker<Cluster>();
  cleanups.push(() => clients.closeAll());
  const cluster = await withEntraId(
    provider,
    (credentials) => {
      const client = new Cluster([...azure.rootNodes], { redisOptions: { tls: { ca: emulator.ca.certPem }, ...credentials } });
      client.on('error', () => undefined);
      clients.add(client);
      return client;
    },
    { reAuthJitterMs: 200 },
  );
  const initialUti = log.latest();
  assert.equal(await cluster.set(MOVED_KEY, 'moved'), 'OK');

  // the slot that moves and who serves it now; the background loop stays off that slot
  const [slot, loopSlots] = await withAdmins([azure.servers[0] as RedisServerHandle], async ([admin]) => {
    assert.ok(admin);
    const keyslot = async (key: string): Promise<number> => Number(await admin.command(['CLUSTER', 'KEYSLOT', key]));
    return [await keyslot(MOVED_KEY), await Promise.all(LOOP_KEYS.map(keyslot))] as const;
  });
  assert.ok(!loopSlots.includes(slot), 'the loop keys do not share the moved slot');
  const sourceIndex = azure.servers.findIndex((_, i) => {
    const [first, last] = slotRange(i, azure.servers.length);
    return slot >= first && slot <= last;
  });
  const source = azure.servers[sourceIndex];
  assert.ok(source);

  // background traffic during the whole test: every failure is counted
  const failures: string[] = [];
  let commands = 0;
  let looping = true;
  const loop = (async () => {
    for (let i = 0; looping; i++) {
      const key = LOOP_KEYS[i % LOOP_KEYS.length] as string;
      try {
        assert.equal(await (i % 2 === 0 ? cluster.set(key, key) : cluster.get(key).then(() => 'OK')), 'OK');
        commands++;
      } catch (error) {
        failures.push(`${key}: ${(error as Error).message}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  cleanups.push(async () => {
    looping = false;
    await loop;
  });

  // the 4th master joins, every node learns it, then it takes the slot (admin connections only)
  const everyServer = [...azure.servers, joining.server];
  await withAdmins(everyServer, async (admins) => {
    const ids = await Promise.all(admins.map((admin) => admin.text(['CLUSTER', 'MYID'])));
    const [sourceAdmin, targetAdmin] = [admins[sourceIndex], admins.at(-1)];
    const [sourceId, targetId] = [ids[sourceIndex], ids.at(-1)];
    assert.ok(sourceAdmin && targetAdmin && sourceId && targetId);
    await admins[0]?.command(['CLUSTER', 'MEET', joining.server.host, String(joining.gate.port), String(joining.busPort)]);
    await waitFor(
      'every node to know the new master and report cluster_state:ok',
      async () => {
        const infos = await Promise.all(admins.map((admin) => admin.text(['CLUSTER', 'INFO'])));
        const views = await Promise.all(admins.map((admin) => admin.text(['CLUSTER', 'NODES'])));
        const ready = infos.every((info) => info.includes('cluster_state:ok') && info.includes(`cluster_known_nodes:${ids.length}`));
        return ready && views.every((view) => ids.every((id) => new RegExp(`^${id} \\S+ (myself,)?master `, 'm').test(view)));
      },
      20_000,
    );
    await targetAdmin.command(['CLUSTER', 'SETSLOT', String(slot), 'IMPORTING', sourceId]);
    await sourceAdmin.command(['CLUSTER', 'SETSLOT', String(slot), 'MIGRATING', targetId]);
    const keys = (await sourceAdmin.command(['CLUSTER', 'GETKEYSINSLOT', String(slot), '100'])) as Buffer[];
    assert.deepEqual(keys.map(String), [MOVED_KEY]);
    const target = joining.server;
    await sourceAdmin.command(['MIGRATE', target.host, String(target.port), '', '0', '5000', 'AUTH2', target.adminUser, target.adminPassword, 'KEYS', MOVED_KEY]);
    await targetAdmin.command(['CLUSTER', 'SETSLOT', String(slot), 'NODE', targetId]);
    await sourceAdmin.command(['CLUSTER', 'SETSLOT', String(slot), 'NODE', targetId]);
    for (const admin of admins) {
      if (admin !== sourceAdmin && admin !== targetAdmin) await admin.command(['CLUSTER', 'SETSLOT', String(slot), 'NODE', targetId]);
    }
  });
  const known = (): AnyRedis[] => cluster.nodes('all').filter((node) => node.options.port === joining.gate.port);
  assert.deepEqual(known(), [], 'the client has not heard of the new master yet (no periodic slot refresh)');

  // right after a renewal (so the next one is ~2 s away), once the binding has it (the provider hands renewals
  // to subscribers after its re-authentication jitter; the old masters' re-AUTH shows it arrived), read the
  // key: MOVED → slot refresh → a connection to the new master
  await waitForTokens(log, log.tokens.length + 1);
  const current = provider.getTokenInfo();
  assert.ok(current);
  assert.notEqual(current.uti, initialUti, 'at least one renewal since the client started');
  await eventually(() => {
    for (const node of cluster.nodes('master')) assert.equal(acceptedUtis(gateConnectionOf(azure.gates, node)).at(-1), current.uti);
  });
  assert.equal(await cluster.get(MOVED_KEY), 'moved');
  const [newNode] = known();
  assert.ok(newNode, 'the client now has a connection to the new master');
  const connection = gateConnectionOf([joining.gate], newNode);
  assert.ok(connection, "the new master's gate carries the client's connection");
  const handshake = connection.auths[0];
  assert.ok(handshake?.ok);
  assert.deepEqual(
    { uti: handshake.uti, expiresAtMs: handshake.expiresAtMs },
    { uti: current.uti, expiresAtMs: current.expiresAtMs },
    'the first AUTH on the new master carries the newest token',
  );
  assert.equal(provider.getTokenInfo()?.uti, current.uti, 'no renewal landed during the read');

  // the next renewal: exactly one more AUTH on that connection, with that token
  await waitForTokens(log, log.tokens.length + 1);
  const next = provider.getTokenInfo();
  assert.ok(next);
  await eventually(() => assert.deepEqual(acceptedUtis(gateConnectionOf([joining.gate], newNode)), [current.uti, next.uti]));
  await new Promise((resolve) => setTimeout(resolve, 500)); // past the re-AUTH jitter: no second AUTH follows
  const after = gateConnectionOf([joining.gate], newNode);
  assert.equal(after?.id, connection.id, 'the same connection');
  assert.deepEqual(
    after?.auths.map((record) => ({ ok: record.ok, uti: record.uti, expiresAtMs: record.expiresAtMs })),
    [
      { ok: true, uti: current.uti, expiresAtMs: current.expiresAtMs },
      { ok: true, uti: next.uti, expiresAtMs: next.expiresAtMs },
    ],
  );
  assert.equal(await cluster.get(MOVED_KEY), 'moved');

  looping = false;
  await loop;
  t.diagnostic(`background loop: ${commands} commands, ${failures.length} failed; ${log.tokens.length} tokens`);
  assert.ok(commands > 0);
  assert.deepEqual(failures, [], 'no command failed');
  assert.deepEqual(staleHandshakes(gates, log, since), [], 'every handshake carried the newest token');
  assert.equal(sumStats(gates, 'expiryClosures'), 0);
  assert.equal(sumStats(gates, 'authRejected'), 0);
});
