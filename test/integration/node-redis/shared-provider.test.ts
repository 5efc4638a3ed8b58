// One provider for a whole application: two standalone clients, a createClientPool, a 3-master createCluster
// (TLS, nodeAddressMap, defaults.credentialsProvider) and a RESP3 subscriber. Exactly one token request per
// renewal, one AUTH per connection per token, no expiry closure, no failed command.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createClient, createClientPool, createCluster } from 'redis';
import {
  DEFAULT_SECRET_PRINCIPAL,
  assertOneAuthPerToken,
  assertOpenConnectionsRenewed,
  gateTotal,
  renewals,
  servicePrincipalProvider,
  tokenRequestsSince,
  until,
  useClusterAndStandalone,
} from './fixtures.js';

const OID = DEFAULT_SECRET_PRINCIPAL.objectId;
const RENEWALS = 3;

describe('node-redis: one provider shared by clients, a pool, a cluster and a subscriber', () => {
  const env = useClusterAndStandalone();

  it(`${RENEWALS} renewals: one token request each, one AUTH per connection per token, nothing lost`, async (t) => {
    const cluster = env.emulator.redis;
    assert.ok(cluster);
    const provider = servicePrincipalProvider(env.emulator);
    t.after(() => provider.close());
    const socket = { host: env.single.host, port: env.single.port, tls: true as const, reconnectStrategy: () => 50 };

    const a = createClient({ socket, RESP: 3, credentialsProvider: provider });
    const b = createClient({ socket, RESP: 2, credentialsProvider: provider });
    const subscriber = createClient({ socket, RESP: 3, credentialsProvider: provider });
    const pool = createClientPool({ socket, RESP: 3, credentialsProvider: provider }, { minimum: 3, maximum: 3 });
    const nodeAddressMap = Object.fromEntries(
      cluster.rootNodes.map((n) => [`${n.host}:${n.port}`, { host: 'localhost', port: n.port }]),
    );
    const redisCluster = createCluster({
      rootNodes: cluster.rootNodes.map((n) => ({ socket: { host: 'localhost', port: n.port } })),
      nodeAddressMap,
      RESP: 3,
      defaults: { credentialsProvider: provider, socket: { tls: true, servername: 'localhost', reconnectStrategy: () => 50 } },
    });
    for (const emitter of [a, b, subscriber, pool, redisCluster]) emitter.on('error', () => undefined);
    t.after(() => {
      a.destroy();
      b.destroy();
      subscriber.destroy();
      pool.destroy();
      redisCluster.destroy();
    });
    const requestsBefore = tokenRequestsSince(env.emulator, 0);
    await Promise.all([a.connect(), b.connect(), subscriber.connect(), pool.connect(), redisCluster.connect()]);
    const received: number[] = [];
    await subscriber.subscribe('shared:channel', (message) => received.push(Number(message)));

    let ok = 0;
    let failed = 0;
    let published = 0;
    let running = true;
    const worker = async (run: (i: number) => Promise<unknown>): Promise<void> => {
      for (let i = 0; running; i++) {
        try {
          await run(i);
          ok++;
        } catch {
          failed++;
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };
    const workers = [
      worker((i) => a.set(`a:${i % 20}`, String(i))),
      worker((i) => b.incr(`b:${i % 20}`)),
      worker((i) => pool.set(`pool:${i % 20}`, String(i))),
      worker((i) => redisCluster.set(`cluster:${i % 100}`, String(i))),
      worker(async () => {
        await a.publish('shared:channel', String(published));
        published++;
      }),
    ];
    await renewals(provider, RENEWALS);
    running = false;
    await Promise.all(workers);
    await until('every published message', () => received.length === published, 5_000);

    assert.equal(failed, 0);
    assert.ok(ok > 100, `only ${ok} commands`);
    assert.deepEqual(received, Array.from({ length: published }, (_, i) => i));
    // Token requests: the first token plus one per renewal, for every connection together.
    assert.equal(tokenRequestsSince(env.emulator, 0) - requestsBefore, 1 + RENEWALS);
    // 2 clients + subscriber + 3 pool members on the standalone; one client per master for the cluster.
    assert.equal(env.single.gates[0]?.stats().connectionsOpen, 6);
    assert.equal(provider.subscriberCount, 6 + 3);
    for (const gates of [env.single.gates, cluster.gates]) {
      await assertOpenConnectionsRenewed(gates, OID, 1 + RENEWALS);
      assertOneAuthPerToken(gates, OID);
      assert.equal(gateTotal(gates, 'expiryClosures'), 0);
      assert.equal(gateTotal(gates, 'authRejected'), 0);
    }

    await Promise.all([a.close(), b.close(), subscriber.close(), pool.close(), redisCluster.close()]);
    assert.equal(provider.subscriberCount, 0);
  });
});
