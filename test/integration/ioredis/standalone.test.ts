// Standalone ioredis 6, ioredis 5 and iovalkey through the emulator's TLS gate with the real service-principal
// provider (msal-node): each live connection is re-AUTHed exactly once per renewal, before its token expires;
// duplicate() copies are bound; an AUTH never lands inside MULTI; a BLPOP longer than a token's life loses nothing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Emulator } from '../../../src/emulator/index.js';
import { withEntraId } from '../../../src/ioredis/index.js';
import type { EntraIdCredentialsProvider } from '../../../src/provider/entra-id-credentials-provider.js';
import { IOREDIS5, IOREDIS6, IOVALKEY, type AnyRedis, type Flavour } from './helpers/clients.js';
import {
  acceptedUtis,
  ClientTracker,
  eventually,
  gateConnectionOf,
  realProvider,
  startStack,
  sumStats,
  waitFor,
  waitForTokens,
  type TokenLog,
} from './helpers/stack.js';

let emulator: Emulator;
before(async () => {
  emulator = await startStack();
});
after(async () => {
  await emulator.close();
});

function gates(): NonNullable<Emulator['redis']>['gates'] {
  const redis = emulator.redis;
  assert.ok(redis);
  return redis.gates;
}

for (const flavour of [IOREDIS6, IOREDIS5, IOVALKEY] satisfies Flavour[]) {
  describe(`standalone ${flavour.name} through the gate`, { concurrency: true }, () => {
    let provider: EntraIdCredentialsProvider;
    let log: TokenLog;
    const clients = new ClientTracker<AnyRedis>();
    const open = (credentials: object, extra: object = {}): AnyRedis => {
      const redis = emulator.redis;
      assert.ok(redis);
      const client = flavour.create({
        host: redis.host,
        port: redis.port,
        tls: { ca: emulator.ca.certPem },
        retryStrategy: () => 50,
        ...extra,
        ...credentials,
      });
      client.on('error', () => undefined);
      clients.add(client);
      return client;
    };

    before(() => {
      ({ provider, log } = realProvider(emulator));
    });
    after(async () => {
      try {
        await clients.closeAll();
        assert.equal(provider.subscriberCount, 0, 'every binding released its subscription');
      } finally {
        await provider.close();
      }
      assert.equal(sumStats(gates(), 'expiryClosures'), 0, 'no connection outlived its token');
    });

    test('the live connection is re-AUTHed exactly once per renewal, on the same connection', async () => {
      const redis = await withEntraId(provider, (credentials) => open(credentials), { reAuthJitterMs: 200 });
      const first = gateConnectionOf(gates(), redis);
      assert.ok(first);
      const start = log.tokens.findIndex((token) => token.uti === first.auths[0]?.uti);
      assert.ok(start >= 0, 'the handshake used a token the provider handed out');
      await waitForTokens(log, start + 4); // three renewals
      const expected = log.tokens.slice(start, start + 4).map((token) => token.uti);
      await eventually(() => assert.deepEqual(acceptedUtis(gateConnectionOf(gates(), redis)).slice(0, 4), expected));
      const now = gateConnectionOf(gates(), redis);
      assert.equal(now?.id, first.id, 'never reconnected');
      // every token exactly once, in order, nothing rejected
      const utis = acceptedUtis(now);
      assert.deepEqual(utis, log.tokens.slice(start, start + utis.length).map((token) => token.uti));
      assert.equal(now?.rejectedAuthCount, 0);
      assert.equal(await redis.set(`k:${flavour.name}`, 'v'), 'OK');
    });

    test('duplicate() (BullMQ-style blocking connection) is bound; BLPOP longer than a token loses nothing', async () => {
      const redis = await withEntraId(provider, (credentials) => open(credentials), { reAuthJitterMs: 200 });
      const blocking = redis.duplicate() as AnyRedis;
      blocking.on('error', () => undefined);
      clients.add(blocking);
      await waitFor('duplicate ready', () => blocking.status === 'ready');
      const key = `queue:${flavour.name}`;
      const connection = gateConnectionOf(gates(), blocking);
      assert.ok(connection);
      const start = log.tokens.length;
      const popped = blocking.blpop(key, 12); // 12 s: three token lifetimes
      await waitForTokens(log, start + 2); // the token the BLPOP was sent with has expired by now
      await waitFor('the first token to expire', () => (log.tokens[start - 1]?.expiresAtMs ?? 0) < Date.now());
      assert.equal(await redis.rpush(key, 'job-1'), 1);
      assert.deepEqual(await popped, [key, 'job-1']);
      const after = gateConnectionOf(gates(), blocking);
      assert.equal(after?.id, connection.id, 'the blocking connection was never closed');
      assert.equal(await redis.llen(key), 0);
      // both connections follow every renewal
      const latest = log.tokens.length;
      await waitForTokens(log, latest + 1);
      const uti = log.tokens[latest]?.uti;
      await eventually(() => {
        assert.equal(acceptedUtis(gateConnectionOf(gates(), redis)).includes(uti), true);
        assert.equal(acceptedUtis(gateConnectionOf(gates(), blocking)).includes(uti), true);
      });
    });

    test('an AUTH due during MULTI waits for EXEC', async () => {
      const redis = await withEntraId(provider, (credentials) => open(credentials), { reAuthJitterMs: 0 });
      const key = `tx:${flavour.name}`;
      const connection = () => gateConnectionOf(gates(), redis);
      const authsBefore = connection()?.authCount ?? -1;
      const start = log.tokens.length;
      assert.equal(await redis.multi({ pipeline: false }), 'OK');
      await waitForTokens(log, start + 1);
      // a queued command round-trips through the gate after the renewal's (deferred) AUTH would have been sent
      assert.equal(await redis.set(key, '1'), 'QUEUED');
      assert.equal(connection()?.authCount, authsBefore, 'no AUTH inside the transaction');
      assert.deepEqual(await redis.exec(), [[null, 'OK']]);
      await eventually(() => assert.equal(connection()?.authCount, authsBefore + 1));
      assert.equal(acceptedUtis(connection()).at(-1), log.tokens[start]?.uti ?? 'missing');
      assert.equal(await redis.get(key), '1');
    });

  });
}
