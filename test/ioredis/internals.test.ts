// Fails loudly when a supported ioredis version moves an internal the adapter relies on (see src/ioredis/internals.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as io6 from 'ioredis';
import * as io5 from 'ioredis5';
import * as valkey from 'iovalkey';
import { isClusterLike, isRedisLike } from '../../src/ioredis/client-shape.js';
import { clusterPoolRedisOptions, clusterSubscriberConnections, passwordUsedAtConnect } from '../../src/ioredis/internals.js';

const libraries = [
  { name: 'ioredis 6', Redis: io6.Redis, Cluster: io6.Cluster },
  { name: 'ioredis 5', Redis: io5.Redis, Cluster: io5.Cluster },
  { name: 'iovalkey', Redis: valkey.Redis, Cluster: valkey.Cluster },
] as const;

for (const lib of libraries) {
  test(`${lib.name}: the internals the adapter uses are where it expects them`, () => {
    const redis = new lib.Redis({ lazyConnect: true, username: 'u', password: 'p' });
    const cluster = new lib.Cluster([{ host: '127.0.0.1', port: 1 }], { lazyConnect: true, redisOptions: { password: 'p' } });
    try {
      assert.equal(isRedisLike(redis), true);
      assert.equal(isClusterLike(cluster), true);
      assert.equal(isRedisLike(cluster), false);
      assert.equal(clusterPoolRedisOptions(cluster)?.password, 'p');
      assert.deepEqual(clusterSubscriberConnections(cluster), []);
      assert.equal(typeof (cluster as unknown as { subscriber: { getInstance: unknown } }).subscriber.getInstance, 'function');
      (redis as unknown as { condition: unknown }).condition = { auth: ['u', 'p2'] };
      assert.equal(passwordUsedAtConnect(redis), 'p2');
      // Handshake source: ioredis must rebuild AUTH from `options` on connect.
      assert.match(String((lib.Redis.prototype as unknown as { _connect?: unknown; connect: unknown })._connect ?? lib.Redis.prototype.connect), /options\.username/);
    } finally {
      redis.disconnect();
      cluster.disconnect();
    }
  });
}
