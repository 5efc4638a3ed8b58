/**
 * `watchNodeRedisCluster`: {@link watchNodeRedisClient} for every node client of a node-redis cluster
 * (`createCluster`): masters, replicas, the pub/sub node and the sharded pub/sub clients.
 *
 * The cluster lists its node clients (`masters`, `replicas`, `pubSubNode`); the watch reads those lists now,
 * whenever the cluster reports a node connection (`node-connect`, emitted before that connection's handshake
 * subscribes), and before each renewal is delivered, so nodes added by a topology change are watched too. Each
 * node client then gets what a watched standalone client gets: one `AUTH` per renewal however often it
 * reconnected (node-redis before 5.12), a reconnect with the current token when the server refused its re-`AUTH`, and,
 * for a RESP2 pub/sub node, a reconnect on each renewal instead of a silently skipped `AUTH`.
 *
 * @module
 */
import type { EntraIdCredentialsProvider } from '../entra-id-credentials-provider.js';
import { ConfigurationError } from '../../errors.js';
import { MemberWatches, type NodeRedisGroupWatch } from './member-watches.js';

/** A cluster node as node-redis lists it. */
export interface WatchableNodeRedisClusterNode {
  /** The node's client, once created. */
  readonly client?: unknown;
  /** Masters only: the sharded pub/sub client, once created. */
  readonly pubSub?: { readonly client?: unknown } | undefined;
}

/** The parts of a node-redis cluster (v5 or v6) the watch uses. */
export interface WatchableNodeRedisCluster {
  /** node-redis: the masters. */
  readonly masters: readonly WatchableNodeRedisClusterNode[];
  /** node-redis: the replicas. */
  readonly replicas: readonly WatchableNodeRedisClusterNode[];
  /** node-redis: the node used for (non-sharded) pub/sub, once chosen. */
  readonly pubSubNode?: WatchableNodeRedisClusterNode | undefined;
  on(event: 'node-connect', listener: () => void): unknown;
  off(event: 'node-connect', listener: () => void): unknown;
}

/**
 * Watches every node client of a node-redis cluster that uses `provider` (see the module comment). Call it
 * before or after `cluster.connect()`.
 *
 * @param cluster - a node-redis v5 or v6 cluster (`createCluster(...)`).
 * @param provider - the provider the cluster's clients authenticate with (`defaults.credentialsProvider`).
 * @returns a handle whose `dispose()` stops watching (call it after closing the cluster: watching the close releases
 *   what node-redis before 5.12 leaves subscribed).
 * @throws {@link ConfigurationError} (`cluster`) when `cluster` is not a node-redis cluster.
 */
export function watchNodeRedisCluster(cluster: WatchableNodeRedisCluster, provider: EntraIdCredentialsProvider): NodeRedisGroupWatch {
  if (typeof cluster !== 'object' || cluster === null || typeof cluster.on !== 'function' || !('masters' in cluster)) {
    throw new ConfigurationError('cluster', 'must be a node-redis cluster (createCluster)');
  }
  const members = new MemberWatches(provider);
  const scan = (): void => {
    for (const node of [...cluster.masters, ...cluster.replicas, cluster.pubSubNode]) {
      members.add(node?.client);
      members.add(node?.pubSub?.client);
    }
  };
  cluster.on('node-connect', scan);
  provider.on('tokenRenewed', scan);
  scan();

  return members.handle(() => {
    cluster.off('node-connect', scan);
    provider.off('tokenRenewed', scan);
  });
}
