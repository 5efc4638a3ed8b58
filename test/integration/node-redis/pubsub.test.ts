// Pub/sub across token rotations. RESP3 subscribers take AUTH in place and miss nothing. RESP2 subscribers cannot
// take AUTH (node-redis skips it silently): without help the gate closes them at expiry; with
// watchNodeRedisClient the skip is reported and the client reconnects with the fresh token right away.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createClient } from 'redis';
import type { ReAuthenticationSkippedEvent } from '../../../src/provider/types.js';
import { watchNodeRedisClient } from '../../../src/provider/node-redis/watch-client.js';
import { DEFAULT_SECRET_PRINCIPAL, assertOneAuthPerToken, gateTotal, renewals, servicePrincipalProvider, useTestEmulator, until } from './fixtures.js';

const OID = DEFAULT_SECRET_PRINCIPAL.objectId;

describe('node-redis pub/sub across token rotations', () => {
  const env = useTestEmulator();

  async function run(
    t: { after: (fn: () => unknown) => void },
    resp: 2 | 3 | undefined,
    watch: boolean,
    rotations: number,
  ): Promise<{ published: number; received: number[]; skipped: ReAuthenticationSkippedEvent[]; reconnects: number; expired: number }> {
    const redis = env.emulator.redis;
    assert.ok(redis);
    const expiredBefore = gateTotal(redis.gates, 'expiryClosures');
    const provider = servicePrincipalProvider(env.emulator);
    t.after(() => provider.close());
    const socket = { host: redis.host, port: redis.port, tls: true as const, reconnectStrategy: () => 20 };
    const publisher = createClient({ socket, RESP: 3, credentialsProvider: provider });
    // RESP undefined: node-redis's default (RESP3 in 6.x).
    const subscriber = createClient({ socket, ...(resp === undefined ? {} : { RESP: resp }), credentialsProvider: provider });
    publisher.on('error', () => undefined);
    subscriber.on('error', () => undefined);
    t.after(() => publisher.destroy());
    t.after(() => subscriber.destroy());
    await Promise.all([publisher.connect(), subscriber.connect()]);
    const skipped: ReAuthenticationSkippedEvent[] = [];
    provider.on('reAuthenticationSkipped', (event) => skipped.push(event));
    const watcher = watch ? watchNodeRedisClient(subscriber, provider) : undefined;
    t.after(() => watcher?.dispose());
    const received: number[] = [];
    const channel = `pubsub:${String(resp)}:${String(watch)}`;
    await subscriber.subscribe(channel, (message) => received.push(Number(message)));
    let published = 0;
    let running = true;
    const loop = (async () => {
      while (running) {
        await publisher.publish(channel, String(published));
        published++;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    await renewals(provider, rotations);
    running = false;
    await loop;
    await until('the last messages', () => received.length >= published || !subscriber.isReady, 3_000).catch(() => undefined);
    return { published, received, skipped, reconnects: watcher?.reconnects ?? 0, expired: gateTotal(redis.gates, 'expiryClosures') - expiredBefore };
  }

  it('RESP3 subscriber: re-authenticated in place, every message received, in order', async (t) => {
    const result = await run(t, 3, false, 3);
    assert.ok(result.published > 50);
    assert.deepEqual(result.received, Array.from({ length: result.published }, (_, i) => i));
    assert.equal(result.expired, 0);
    assert.deepEqual(result.skipped, []);
    const redis = env.emulator.redis;
    assert.ok(redis);
    assertOneAuthPerToken(redis.gates, OID);
  });

  it('default-protocol subscriber (node-redis 6: RESP3) watched: no skip reported, no reconnect, nothing missed', async (t) => {
    const result = await run(t, undefined, true, 3);
    assert.deepEqual(result.skipped, [], 'node-redis 6 re-authenticates its default-protocol subscriber in place');
    assert.equal(result.reconnects, 0);
    assert.equal(result.expired, 0);
    assert.deepEqual(result.received, Array.from({ length: result.published }, (_, i) => i));
  });

  it('RESP2 subscriber without help: node-redis skips AUTH silently and the gate closes it at expiry', async (t) => {
    const result = await run(t, 2, false, 2);
    assert.ok(result.expired >= 1, `expected an expiry closure, got ${result.expired}`);
    assert.deepEqual(result.skipped, []);
  });

  it('RESP2 subscriber with watchNodeRedisClient: skip reported, reconnect with the fresh token, no expiry closure', async (t) => {
    const result = await run(t, 2, true, 3);
    const redis = env.emulator.redis;
    assert.ok(redis);
    assert.equal(result.expired, 0);
    assert.ok(result.skipped.length >= 3, `skipped events: ${result.skipped.length}`);
    assert.deepEqual(result.skipped[0], { address: `${redis.host}:${redis.port}`, reason: 'resp2-subscriber', action: 'reconnect' });
    assert.equal(result.reconnects, result.skipped.length);
    const missed = result.published - new Set(result.received).size;
    // Each reconnect loses the messages published while the subscriber was away (a few ms at 200 msg/s).
    t.diagnostic(`RESP2 subscriber: published ${result.published}, missed ${missed} over ${result.reconnects} reconnects`);
    assert.ok(missed <= result.reconnects * 10, `missed ${missed}`);
    assert.ok(result.received.length > 0);
  });
});
