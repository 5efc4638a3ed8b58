/**
 * Keeps an ioredis `Cluster` authenticated: its `redisOptions` (and ioredis's private copy that new node
 * connections are created from), every node connection, nodes that appear later (`+node`) and the cluster's
 * subscriber connections. Slot-refresh connections are `duplicate()`s of a node and inherit its options.
 *
 * @module
 */
import type { RedisCredentials } from '../provider/types.js';
import type { ClusterLike, RedisLike } from './client-shape.js';
import { ConnectionBinding } from './connection-binding.js';
import type { ConnectionOwner } from './connection-binding.js';
import { clusterPoolRedisOptions, clusterSubscriberConnections, replaceClusterPoolRedisOptions } from './internals.js';

/** Owner callbacks of a cluster member (a connection owner that also learns when the cluster ended). */
export interface ClusterOwner extends Omit<ConnectionOwner, 'connectionEnded'> {
  clientEnded(client: object): void;
}

/** One bound cluster. */
export class ClusterMember {
  readonly client: ClusterLike;
  readonly #owner: ClusterOwner;
  readonly #connections = new Map<RedisLike, ConnectionBinding>();
  readonly #connectionOwner: ConnectionOwner;
  #disposed = false;
  readonly #onNode = (): void => this.#sync();
  readonly #onEnd = (): void => {
    this.dispose();
    this.#owner.clientEnded(this.client);
  };

  constructor(client: ClusterLike, owner: ClusterOwner) {
    this.client = client;
    this.#owner = owner;
    this.#connectionOwner = {
      options: owner.options,
      current: () => owner.current(),
      reportSkipped: (event) => owner.reportSkipped(event),
      reportFailure: (error, address) => owner.reportFailure(error, address),
      connectionEnded: (binding) => this.#connections.delete(binding.redis),
    };
    this.#applyClusterOptions(owner.current());
    client.on('+node', this.#onNode);
    client.on('ready', this.#onNode);
    client.on('refresh', this.#onNode);
    client.once('end', this.#onEnd);
    this.#sync();
  }

  /** Node and subscriber connections currently tracked (for tests and diagnostics). */
  get connectionCount(): number {
    return this.#connections.size;
  }

  #applyClusterOptions(credentials: RedisCredentials): void {
    const update = { username: credentials.username, password: credentials.password };
    // Replace rather than mutate: `redisOptions` may be the caller's own object.
    this.client.options.redisOptions = { ...(this.client.options.redisOptions ?? {}), ...update };
    const pool = clusterPoolRedisOptions(this.client);
    if (pool !== undefined) replaceClusterPoolRedisOptions(this.client, { ...pool, ...update });
  }

  /** Starts tracking connections that appeared since the last look. */
  #sync(): void {
    if (this.#disposed) return;
    const live = [...this.client.nodes('all'), ...clusterSubscriberConnections(this.client)];
    for (const redis of live) {
      if (redis.status === 'end' || this.#connections.has(redis)) continue;
      this.#connections.set(redis, new ConnectionBinding(redis, this.#connectionOwner));
    }
  }

  /** After a renewal: new options for future nodes, re-AUTH for every live one. */
  renew(credentials: RedisCredentials): void {
    if (this.#disposed) return;
    this.#applyClusterOptions(credentials);
    this.#sync();
    for (const binding of this.#connections.values()) binding.renew(credentials);
  }

  /** Releases every listener and timer. Idempotent. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.client.removeListener('+node', this.#onNode);
    this.client.removeListener('ready', this.#onNode);
    this.client.removeListener('refresh', this.#onNode);
    this.client.removeListener('end', this.#onEnd);
    for (const binding of this.#connections.values()) binding.dispose();
    this.#connections.clear();
  }
}
