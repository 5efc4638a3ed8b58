// Load while tokens rotate every second: 100,000 pipelined INCRs from several node-redis and ioredis clients
// through the TLS gate end with the counter at exactly 100,000; a RESP3 subscriber receives every message,
// in order, across rotations.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createClient } from 'redis';
import { Redis } from 'ioredis';
import type { Emulator } from '../../src/emulator/index.js';
import { withEntraId } from '../../src/ioredis/with-entra-id.js';
import type { EntraIdCredentialsProvider } from '../../src/provider/entra-id-credentials-provider.js';
import { EventLog, gateTotal, secretProvider, startReliabilityEmulator, until } from './helpers.js';

/** 2 s tokens renewed at half their life: a new token every second. */
const ROTATE_EVERY_SECOND = Object.freeze({
  expirationRefreshRatio: 0.5,
  lowerRefreshBoundMillis: 0,
  minRefreshIntervalMs: 200,
  retryPolicy: { maxAttempts: 4, delayInMs: 100, jitterRatio: 0 },
  failedRenewalRetryIntervalMs: 200,
});

describe('load across token rotations', () => {
  let emulator: Emulator;
  let provider: EntraIdCredentialsProvider;

  before(async () => {
    emulator = await startReliabilityEmulator(2);
    provider = secretProvider(emulator, ROTATE_EVERY_SECOND);
  });
  after(async () => {
    await provider.close();
    await emulator.close();
  });

  it('100,000 pipelined INCRs from 4 node-redis and 2 ioredis clients: counter exactly 100,000', async () => {
    const redis = emulator.redis;
    assert.ok(redis);
    const tls = { host: redis.host, port: redis.port, tls: true as const, ca: emulator.ca.certPem };
    const nodeClients = [2, 3, 2, 3].map((resp) => createClient({ socket: tls, RESP: resp as 2 | 3, credentialsProvider: provider }));
    const ioClients: Redis[] = [];
    try {
      for (const client of nodeClients) await client.connect();
      for (let i = 0; i < 2; i++) {
        ioClients.push(await withEntraId(provider, (creds) => new Redis({ host: redis.host, port: redis.port, tls: { ca: emulator.ca.certPem }, ...creds }), { reAuthJitterMs: 100 }));
      }
      const log = new EventLog(provider);
      const total = 100_000;
      const batch = 500;
      const workers = nodeClients.length + ioClients.length;
      const perWorker = total / workers; // not an integer for 6 workers: the remainder goes to the first
      const shares = Array.from({ length: workers }, (_, i) => Math.floor(perWorker) + (i < total % workers ? 1 : 0));
      assert.equal(shares.reduce((a, b) => a + b, 0), total);
      const key = 'reliability:load';
      // Pace the batches so the run spans several rotations even on a fast machine (>= 4 s).
      const started = Date.now();
      const run = async (share: number, send: (n: number) => Promise<unknown>): Promise<void> => {
        for (let sent = 0, round = 0; sent < share; round++) {
          const n = Math.min(batch, share - sent);
          await send(n);
          sent += n;
          const due = started + ((round + 1) * 4_000 * batch * workers) / total;
          if (Date.now() < due) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
        }
      };
      await Promise.all([
        ...nodeClients.map((client, i) => run(shares[i] ?? 0, (n) => Promise.all(Array.from({ length: n }, () => client.incr(key))))),
        ...ioClients.map((client, i) =>
          run(shares[nodeClients.length + i] ?? 0, async (n) => {
            const pipeline = client.pipeline();
            for (let k = 0; k < n; k++) pipeline.incr(key);
            const results = await pipeline.exec();
            for (const [error] of results ?? []) if (error) throw error;
          }),
        ),
      ]);
      log.stop();
      assert.equal(await nodeClients[0]?.get(key), String(total));
      assert.ok(log.renewals >= 3, `only ${log.renewals} rotations during the load`);
      assert.deepEqual(log.failures.map((f) => f.error.message), []);
      assert.equal(gateTotal(redis.gates, 'expiryClosures'), 0);
      assert.equal(gateTotal(redis.gates, 'authRejected'), 0);
    } finally {
      for (const client of ioClients) client.disconnect();
      for (const client of nodeClients) client.destroy();
    }
  });

  it('RESP3 pub/sub: every message arrives, in order, across rotations', async () => {
    const redis = emulator.redis;
    assert.ok(redis);
    const socket = { host: redis.host, port: redis.port, tls: true as const, ca: emulator.ca.certPem };
    const subscriber = createClient({ socket, RESP: 3, credentialsProvider: provider });
    const publisher = createClient({ socket, RESP: 3, credentialsProvider: provider });
    try {
      await subscriber.connect();
      await publisher.connect();
      const received: number[] = [];
      await subscriber.subscribe('reliability:events', (message) => received.push(Number(message)));
      const log = new EventLog(provider);
      const count = 2_000;
      for (let i = 0; i < count; i++) {
        assert.equal(await publisher.publish('reliability:events', String(i)), 1, `message ${i} had no subscriber`);
        if (i % 50 === 49) await new Promise((resolve) => setTimeout(resolve, 100)); // ~4 s in all
      }
      await until('every message', () => received.length >= count, 10_000);
      log.stop();
      assert.deepEqual(received, Array.from({ length: count }, (_, i) => i));
      assert.ok(log.renewals >= 3, `only ${log.renewals} rotations`);
      // The subscriber's connection stayed up and was re-authenticated (RESP3 takes AUTH in subscribe mode).
      assert.equal(gateTotal(redis.gates, 'expiryClosures'), 0);
    } finally {
      subscriber.destroy();
      publisher.destroy();
    }
  });
});
