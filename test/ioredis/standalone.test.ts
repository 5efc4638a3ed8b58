import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import { Redis as Redis6 } from 'ioredis';
import { Redis as Redis5 } from 'ioredis5';
import { Redis as RedisValkey } from 'iovalkey';
import { bindEntraId, withEntraId } from '../../src/ioredis/index.js';
import { StaticPasswordConflictError, UnsupportedClientError } from '../../src/errors.js';
import { AclCredentialsSource, startAclRedis, USER, waitFor } from './helpers/acl-redis.js';
import type { TestRedis } from './helpers/acl-redis.js';

type AnyRedis = Redis6 | Redis5 | RedisValkey;
const versions: { name: string; create: (options: object) => AnyRedis; resp3: boolean }[] = [
  { name: 'ioredis 6', create: (options) => new Redis6(options), resp3: true },
  { name: 'ioredis 5', create: (options) => new Redis5(options), resp3: false },
  { name: 'iovalkey', create: (options) => new RedisValkey(options), resp3: false },
];

for (const version of versions) {
  describe(`standalone ${version.name}`, () => {
    let server: TestRedis;
    let source: AclCredentialsSource;
    const clients: AnyRedis[] = [];
    const open = (creds: object, extra: object = {}): AnyRedis => {
      const client = version.create({ host: '127.0.0.1', port: server.port, retryStrategy: () => 20, ...extra, ...creds });
      client.on('error', () => {});
      clients.push(client);
      return client;
    };

    before(async () => {
      server = await startAclRedis();
      source = await new AclCredentialsSource(server.admin).init();
    });
    afterEach(async () => {
      const closing = clients.splice(0);
      for (const client of closing) client.disconnect();
      await waitFor(() => closing.every((client) => client.status === 'end'), 'clients to end');
    });
    after(async () => {
      await server.stop();
    });

    test('connects with the current token and re-AUTHs once per renewal', async () => {
      const redis = await withEntraId(source, (creds) => open(creds), { reAuthJitterMs: 0 });
      assert.equal(redis.status, 'ready');
      assert.equal(await redis.call('ACL', 'WHOAMI'), USER);
      const before = await server.authCalls();
      await source.renew();
      await waitFor(async () => (await server.authCalls()) >= before + 1, 'AUTH');
      assert.equal(await redis.ping(), 'PONG');
      assert.equal(await server.authCalls(), before + 1);
      assert.equal(redis.options.password, source.getCredentials().password);
    });

    test('reconnects (disconnect(true), killed connection) use the current token', async () => {
      const redis = await withEntraId(source, (creds) => open(creds), { reAuthJitterMs: 0 });
      await source.renew(); // the password the client connected with is now gone
      await waitFor(() => redis.options.password === source.getCredentials().password, 'options update');
      redis.disconnect(true);
      await new Promise((resolve) => redis.once('ready', resolve));
      assert.equal(await redis.call('ACL', 'WHOAMI'), USER);
      await source.renew();
      await server.admin.call('CLIENT', 'KILL', 'USER', USER);
      await new Promise((resolve) => redis.once('ready', resolve));
      assert.equal(await redis.set('k', 'v'), 'OK');
    });

    test('duplicate() of a bound client is bound and re-AUTHed too', async () => {
      const redis = await withEntraId(source, (creds) => open(creds), { reAuthJitterMs: 0 });
      const copy = redis.duplicate() as AnyRedis;
      copy.on('error', () => {});
      clients.push(copy);
      await copy.ping();
      const before = await server.authCalls();
      await source.renew();
      await waitFor(async () => (await server.authCalls()) >= before + 2, 'two AUTHs');
      assert.equal(await server.authCalls(), before + 2);
      await source.renew();
      copy.disconnect(true);
      await new Promise((resolve) => copy.once('ready', resolve));
      assert.equal(await copy.ping(), 'PONG');
    });

    test('an AUTH that would land inside MULTI is deferred until EXEC', async () => {
      const redis = await withEntraId(source, (creds) => open(creds), { reAuthJitterMs: 0 });
      await redis.multi({ pipeline: false });
      await redis.set('tx', '1');
      const before = await server.authCalls();
      await source.renew();
      assert.equal(await server.authCalls(), before, 'no AUTH during the transaction');
      const result = await redis.exec();
      assert.deepEqual(result, [[null, 'OK']]);
      await waitFor(async () => (await server.authCalls()) === before + 1, 'deferred AUTH');
      assert.equal(await redis.get('tx'), '1');
    });

    test('a RESP2 subscriber is reconnected with the fresh token and resubscribes', async () => {
      const sub = await withEntraId(source, (creds) => open(creds, { protocol: 2 }), { reAuthJitterMs: 0 });
      const received: string[] = [];
      sub.on('message', (_channel: string, message: string) => received.push(message));
      await sub.subscribe('news');
      const skippedBefore = source.skipped.length;
      const reconnected = new Promise((resolve) => sub.once('ready', resolve));
      await source.renew();
      await reconnected;
      assert.deepEqual(source.skipped.slice(skippedBefore), [
        { address: `127.0.0.1:${server.port}`, reason: 'resp2-subscriber', action: 'reconnect-before-expiry' },
      ]);
      await waitFor(async () => (await server.admin.call('PUBSUB', 'NUMSUB', 'news') as [string, number])[1] === 1 && sub.status === 'ready', 'resubscribe');
      await server.admin.publish('news', 'after');
      await waitFor(() => received.includes('after'), 'message after reconnect');
    });

    if (version.resp3) {
      test('a RESP3 subscriber is re-AUTHed in place', async () => {
        const sub = await withEntraId(source, (creds) => open(creds), { reAuthJitterMs: 0 });
        const received: string[] = [];
        sub.on('message', (_channel: string, message: string) => received.push(message));
        await sub.subscribe('resp3');
        const skippedBefore = source.skipped.length;
        const before = await server.authCalls();
        await source.renew();
        await waitFor(async () => (await server.authCalls()) === before + 1, 'AUTH in subscribe mode');
        assert.equal(source.skipped.length, skippedBefore);
        await server.admin.publish('resp3', 'm1');
        await waitFor(() => received.includes('m1'), 'message');
      });
    }

    test('a rejected re-AUTH is reported with the address and recovers on the next token', async () => {
      const redis = await withEntraId(source, (creds) => open(creds), { reAuthJitterMs: 0 });
      const failuresBefore = source.failures.length;
      source.pushBogus();
      await waitFor(() => source.failures.length > failuresBefore, 'failure report');
      const failure = source.failures[failuresBefore];
      assert.equal(failure?.error.code, 'ERR_REAUTH_FAILED');
      assert.equal(failure?.address, `127.0.0.1:${server.port}`);
      assert.match(failure?.error.message ?? '', /rejected AUTH with the renewed token \(WRONGPASS/);
      assert.doesNotMatch(JSON.stringify(failure?.error) + String(failure?.error.stack), /not-a-password/);
      await source.renew();
      await waitFor(() => redis.status === 'ready', 'recovery');
      assert.equal(await redis.call('ACL', 'WHOAMI'), USER);
    });

    test('quit() unbinds: the subscription, listeners and wrappers are released', async () => {
      const listenersBefore = source.listeners.size;
      const redis = open({}, { lazyConnect: true });
      const readyListeners = redis.listenerCount('ready');
      const binding = await bindEntraId(redis, source, { reAuthJitterMs: 0 });
      await redis.connect();
      assert.equal(source.listeners.size, listenersBefore + 1);
      assert.equal(Object.prototype.hasOwnProperty.call(redis, 'sendCommand'), true);
      await redis.quit();
      await waitFor(() => redis.status === 'end', 'end');
      assert.equal(binding.disposed, true);
      assert.equal(source.listeners.size, listenersBefore);
      assert.equal(redis.listenerCount('ready'), readyListeners);
      assert.equal(Object.prototype.hasOwnProperty.call(redis, 'sendCommand'), false);
      assert.equal(Object.prototype.hasOwnProperty.call(redis, 'duplicate'), false);
    });

    test('a static password of another user is refused', async () => {
      const redis = open({ username: 'app', password: 'static' }, { lazyConnect: true });
      await assert.rejects(bindEntraId(redis, source), (error: unknown) => {
        assert.ok(error instanceof StaticPasswordConflictError);
        assert.equal(error.code, 'ERR_STATIC_PASSWORD_CONFLICT');
        assert.match(error.message, /static "password" for user "app"/);
        return true;
      });
    });
  });
}

test('an object that is not an ioredis client is refused', async () => {
  const source = { subscribe: () => Promise.reject(new Error('not reached')), getCredentials: () => ({ username: 'u', password: 'p' }), getTokenInfo: () => undefined };
  await assert.rejects(bindEntraId(new Map(), source), (error: unknown) => {
    assert.ok(error instanceof UnsupportedClientError);
    assert.equal(error.message, 'redis-entraid/ioredis: expected an ioredis (or iovalkey) Redis or Cluster instance, got Map; pass the object returned by `new Redis(...)` or `new Cluster(...)`');
    return true;
  });
});
