/**
 * Every place where the adapter reaches into ioredis internals, in one file. Each accessor degrades to
 * "not found" rather than throwing; `test/ioredis/internals.test.ts` fails loudly if a supported ioredis
 * version renames any of them.
 *
 * Why each is needed:
 * - `Cluster#connectionPool.redisOptions`: ioredis v6 copies `redisOptions` into the pool, and new node
 *   connections (resharding, failover) are built from that copy, so it must carry the current token.
 * - `Cluster#subscriber.getInstance()` and `Cluster#shardedSubscribers.shardedSubscribers`: the cluster's
 *   pub/sub connections are not in `cluster.nodes()`, yet they need re-AUTH too.
 * - `Redis#condition.auth`: the credentials the current connection actually authenticated with, so a
 *   connection that reconnected with the fresh token is not AUTHed twice.
 *
 * @module
 */
import type { ClusterLike, ConnectionOptionsLike, RedisLike } from './client-shape.js';
import { isRedisLike } from './client-shape.js';

function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined;
}

/** The cluster's private copy of `redisOptions` that new node connections are created from. */
export function clusterPoolRedisOptions(cluster: ClusterLike): ConnectionOptionsLike | undefined {
  const options = field(field(cluster, 'connectionPool'), 'redisOptions');
  return typeof options === 'object' && options !== null ? (options as ConnectionOptionsLike) : undefined;
}

function instanceOf(holder: unknown): RedisLike | undefined {
  const getInstance = field(holder, 'getInstance');
  if (typeof getInstance !== 'function') return undefined;
  const instance: unknown = (getInstance as () => unknown).call(holder);
  return isRedisLike(instance) ? instance : undefined;
}

/** The cluster's subscriber connections (classic and sharded) that exist right now. */
export function clusterSubscriberConnections(cluster: ClusterLike): RedisLike[] {
  const found: RedisLike[] = [];
  const classic = instanceOf(field(cluster, 'subscriber'));
  if (classic) found.push(classic);
  const sharded = field(field(cluster, 'shardedSubscribers'), 'shardedSubscribers');
  if (sharded instanceof Map) {
    for (const holder of sharded.values() as Iterable<unknown>) {
      const instance = instanceOf(holder);
      if (instance) found.push(instance);
    }
  }
  return found;
}

/** The password the connection's current (or last) handshake used, if ioredis exposes it. */
export function passwordUsedAtConnect(redis: RedisLike): string | undefined {
  const auth = field(field(redis, 'condition'), 'auth');
  if (typeof auth === 'string') return auth;
  if (Array.isArray(auth) && typeof auth[1] === 'string') return auth[1];
  return undefined;
}

/** Replaces the cluster's private `redisOptions` copy (v5 shares the caller's object, so never mutate it). */
export function replaceClusterPoolRedisOptions(cluster: ClusterLike, options: ConnectionOptionsLike): void {
  const pool = field(cluster, 'connectionPool');
  if (typeof pool === 'object' && pool !== null) (pool as Record<string, unknown>)['redisOptions'] = options;
}
