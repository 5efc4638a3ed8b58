// node-redis standalone clients through the emulator's gate: re-authenticated before every expiry, exactly one
// AUTH per connection per renewal even after many reconnects (node-redis leaks a listener per reconnect), and
// nothing left subscribed after close()/destroy().
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createClient } from 'redis';
import { createClient as createClient5 } from 'redis5';
import { createClient as createClient59 } from 'redis59';
import { watchNodeRedisClient, type WatchableNodeRedisClient } from '../../../src/provider/node-redis/watch-client.js';
import {
  DEFAULT_SECRET_PRINCIPAL,
  assertOneAuthPerToken,
  assertOpenConnectionsRenewed,
  gateTotal,
  renewals,
  servicePrincipalProvider,
  useTestEmulator,
  until,
  load,
  dropConnections,
  standaloneCase,
} from './fixtures.js';

const OID = DEFAULT_SECRET_PRINCIPAL.objectId;

interface Client {
  readonly isReady: boolean;
  readonly isOpen: boolean;
  connect(): Promise<unknown>;
  set(key: string, value: string): Promise<unknown>;
  get(key: string): Promise<unknown>;
  close(): Promise<unknown>;
  destroy(): void;
}

describe('node-redis standalone: every connection stays authenticated', () => {
  const env = useTestEmulator();

  /** 6: node-redis 6.3; '5.12': the latest 5.x (diagnostics channels, like 6.3); '5.9': a 5.x without them. */
  const make = (library: 6 | '5.12' | '5.9', resp: 2 | 3, provider: ReturnType<typeof servicePrincipalProvider>): Client => {
    const redis = env.emulator.redis;
    assert.ok(redis);
    const socket = { host: redis.host, port: redis.port, tls: true as const, reconnectStrategy: () => 50 };
    const options = { socket, ...(resp === 3 ? { RESP: 3 as const } : {}), credentialsProvider: provider };
    const client =
      library === 6
        ? createClient({ socket, RESP: resp, credentialsProvider: provider })
        : library === '5.12'
          ? createClient5(options)
          : createClient59(options);
    client.on('error', () => undefined);
    return client;
  };

  /** Writes and reads continuously; counts every outcome. */
  const traffic = (client: Client) =>
    load(async (i) => {
      await client.set(`standalone:${i % 50}`, String(i));
      assert.equal(await client.get(`standalone:${i % 50}`), String(i));
    });

  for (const [library, resp] of [[6, 3], [6, 2], ['5.12', 3]] as const) {
    it(`redis@${library} RESP${resp}: 5 reconnects, 3 renewals: one AUTH per token per connection, no expiry closure, no failed command`, async (t) => {
      const { redis, gate, expiredBefore, provider } = standaloneCase(t, env.emulator);
      const client = make(library, resp, provider);
      // node-redis 5.x throws on destroy() after close().
      t.after(() => {
        if (client.isOpen) client.destroy();
      });
      await client.connect();
      // Five reconnects (the gate drops the connection, node-redis reconnects and subscribes again).
      await dropConnections([gate], 5, 1, () => client.get('x'));
      assert.equal(provider.subscriberCount, 6, 'node-redis leaked one subscription per reconnect (known)');
      const loop = traffic(client);
      await renewals(provider, 3);
      const { ok, failed } = await loop.stop();
      assert.deepEqual(failed, []);
      assert.ok(ok > 0);
      await assertOpenConnectionsRenewed(redis.gates, OID, 4);
      assertOneAuthPerToken(redis.gates, OID);
      assert.equal(gateTotal(redis.gates, 'expiryClosures'), expiredBefore);
      // The superseded listeners were disposed at the first renewal: one left, node-redis's own.
      assert.equal(provider.subscriberCount, 1);
      await client.close();
      assert.equal(provider.subscriberCount, 0, 'close() leaves nothing subscribed');
    });
  }

  it('redis@6: destroy() after reconnects and before any renewal leaves nothing subscribed', async (t) => {
    const redis = env.emulator.redis;
    assert.ok(redis);
    const gate = redis.gates[0];
    assert.ok(gate);
    const provider = servicePrincipalProvider(env.emulator);
    t.after(() => provider.close());
    const client = make(6, 3, provider);
    await client.connect();
    await dropConnections([gate], 3, 1, () => client.get('x'));
    assert.equal(provider.subscriberCount, 4);
    client.destroy();
    assert.equal(provider.subscriberCount, 0);
  });

  it('redis@6: two clients sharing the provider each keep their own listener (never drops the only one)', async (t) => {
    const { redis, expiredBefore, provider } = standaloneCase(t, env.emulator);
    const a = make(6, 3, provider);
    const b = make(6, 2, provider);
    t.after(() => a.destroy());
    t.after(() => b.destroy());
    await Promise.all([a.connect(), b.connect()]);
    await renewals(provider, 3);
    assert.equal(provider.subscriberCount, 2);
    await assertOpenConnectionsRenewed(redis.gates, OID, 4);
    assertOneAuthPerToken(redis.gates, OID);
    assert.equal(gateTotal(redis.gates, 'expiryClosures'), expiredBefore);
    assert.equal(await a.get('x'), null);
    assert.equal(await b.get('x'), null);
  });

  it('redis@5.9 (no diagnostics channels): no expiry closure; after k reconnects a renewal sends k+1 AUTHs (documented)', async (t) => {
    const { redis, gate, expiredBefore, provider } = standaloneCase(t, env.emulator);
    const client = make('5.9', 3, provider);
    t.after(() => client.destroy());
    await client.connect();
    await dropConnections([gate], 2, 1, () => client.get('x'));
    const live = gate.connections().find((c) => c.closedReason === undefined && c.oid === OID);
    assert.ok(live);
    await renewals(provider, 1);
    await until('the renewal AUTHs', () => (gate.connections().find((c) => c.id === live.id)?.authCount ?? 0) >= 4);
    const after = gate.connections().find((c) => c.id === live.id);
    assert.equal(after?.authCount, 1 + 3, 'handshake + 3 AUTHs for one renewal (node-redis 5.9 leak, no attribution)');
    assert.equal(gateTotal(redis.gates, 'expiryClosures'), expiredBefore);
    assert.equal(provider.subscriberCount, 3);
  });

  it('redis@5.9 watched with watchNodeRedisClient before connect(): one AUTH per renewal after k reconnects', async (t) => {
    const { redis, gate, expiredBefore, provider } = standaloneCase(t, env.emulator);
    const client = make('5.9', 3, provider);
    let closed = false;
    t.after(() => {
      if (!closed) client.destroy();
    });
    const watch = watchNodeRedisClient(client as unknown as WatchableNodeRedisClient, provider);
    t.after(() => watch.dispose());
    await client.connect();
    await dropConnections([gate], 2, 1, () => client.get('x'));
    assert.equal(provider.subscriberCount, 1, 'the listeners leaked by the two reconnects were dropped');
    const live = gate.connections().find((c) => c.closedReason === undefined && c.oid === OID);
    assert.ok(live);
    await renewals(provider, 2);
    await until('the renewal AUTHs', () => (gate.connections().find((c) => c.id === live.id)?.authCount ?? 0) >= 3);
    // Give any duplicate AUTH time to arrive before counting.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const after = gate.connections().find((c) => c.id === live.id);
    assert.equal(after?.authCount, 1 + 2, 'handshake + one AUTH per renewal');
    assert.equal(gateTotal(redis.gates, 'expiryClosures'), expiredBefore);
    await client.close();
    closed = true;
    assert.equal(provider.subscriberCount, 0);
  });
});
