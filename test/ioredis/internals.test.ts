// Fails loudly when a supported ioredis version moves an internal the adapter relies on (see src/ioredis/internals.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as io6 from 'ioredis';
import * as io5 from 'ioredis5';
import * as valkey from 'iovalkey';
import { isClusterLike, isRedisLike } from '../../src/ioredis/client-shape.js';
import { clusterPoolRedisOptions, clusterSubscriberConnections, passwordUsedAtConnect } from '../../src/ioredis/internals.js';

import type { ClusterLike, RedisLike } from '../../src/ioredis/client-shape.js';

type RedisCtor = (new (options: object) => RedisLike) & { prototype: object };
type ClusterCtor = new (nodes: object[], options: object) => ClusterLike;
const libraries: { name: string; Redis: RedisCtor; Cluster: ClusterCtor }[] = [
  { name: 'ioredis 6', Redis: io6.Redis as unknown as RedisCtor, Cluster: io6.Cluster as unknown as ClusterCtor },
  { name: 'ioredis 5', Redis: io5.Redis as unknown as RedisCtor, Cluster: io5.Cluster as unknown as ClusterCtor },
  { name: 'iovalkey', Redis: valkey.Redis as unknown as RedisCtor, Cluster: valkey.Cluster as unknown as ClusterCtor },
];

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
      assert.match(String((lib.Redis.prototype as { _connect?: unknown; connect?: unknown })._connect ?? (lib.Redis.prototype as { connect?: unknown }).connect), /options\.username/);
    } finally {
      redis.disconnect();
      cluster.disconnect();
    }
  });
}
