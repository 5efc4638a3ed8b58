/**
 * The member watches of one group of node-redis clients (a pool or a cluster): each client watched once, as a
 * standalone client is by `watchNodeRedisClient`.
 *
 * @module
 */
import type { EntraIdCredentialsProvider } from '../entra-id-credentials-provider.js';
import { watchNodeRedisMember, type NodeRedisMemberWatch, type WatchableNodeRedisClient } from './watch-client.js';

/** What `watchNodeRedisPool` and `watchNodeRedisCluster` return. */
export interface NodeRedisGroupWatch {
  /** Members (clients) watched now (closed ones are forgotten). */
  readonly members: number;
  /** Reconnects triggered so far, over all members (refused re-AUTHs, RESP2 subscriber renewals). */
  readonly reconnects: number;
  /** Stops watching every member and restores what the watch changed. Idempotent. */
  dispose(): void;
}

/**
 * Watched members of one group (pool or cluster), each once. A member the application (or the cluster, after a
 * topology change) closed is retired and forgotten, so closed clients are not kept alive.
 */
export class MemberWatches {
  readonly #provider: EntraIdCredentialsProvider;
  readonly #watches = new Map<WatchableNodeRedisClient, { watch: NodeRedisMemberWatch; onEnd: () => void }>();
  #retiredReconnects = 0;

  constructor(provider: EntraIdCredentialsProvider) {
    this.#provider = provider;
  }

  /** Watches `client` unless it is watched already or does not look like a node-redis client. */
  add(client: unknown): void {
    if (!isNodeRedisClient(client) || this.#watches.has(client)) return;
    const watch = watchNodeRedisMember(client, this.#provider);
    const onEnd = (): void => {
      client.off('end', onEnd);
      this.#retiredReconnects += watch.reconnects;
      watch.retire();
      this.#watches.delete(client);
    };
    client.on('end', onEnd);
    this.#watches.set(client, { watch, onEnd });
  }

  /** Members watched now. */
  get size(): number {
    return this.#watches.size;
  }

  /** Reconnects triggered over all members, retired ones included. */
  get reconnects(): number {
    let total = this.#retiredReconnects;
    for (const { watch } of this.#watches.values()) total += watch.reconnects;
    return total;
  }

  /**
   * The group's handle: `members`, `reconnects`, and a `dispose()` that runs `stop` (the group's own clean-up)
   * and then disposes every member watch. Idempotent.
   */
  handle(stop: () => void): NodeRedisGroupWatch {
    let disposed = false;
    const size = (): number => this.size;
    const reconnects = (): number => this.reconnects;
    const disposeAll = (): void => this.disposeAll();
    return {
      get members() {
        return size();
      },
      get reconnects() {
        return reconnects();
      },
      dispose() {
        if (disposed) return;
        disposed = true;
        stop();
        disposeAll();
      },
    };
  }

  /** Disposes every member watch (hooks removed). */
  disposeAll(): void {
    for (const [client, { watch, onEnd }] of this.#watches) {
      client.off('end', onEnd);
      watch.dispose();
    }
    this.#watches.clear();
  }
}

function isNodeRedisClient(value: unknown): value is WatchableNodeRedisClient {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<Record<'on' | 'off' | 'sendCommand', unknown>> & { isOpen?: unknown };
  return (
    typeof candidate.on === 'function' &&
    typeof candidate.off === 'function' &&
    typeof candidate.sendCommand === 'function' &&
    typeof candidate.isOpen === 'boolean'
  );
}

