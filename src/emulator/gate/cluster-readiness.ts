/**
 * When a gated cluster is ready: every node reports `cluster_state:ok` and knows every node, and, with
 * replicas, every replica's link to its master is up and every node's CLUSTER SLOTS lists every replica.
 *
 * @module
 */
import type { AdminConnection } from '../redis/admin-connection.js';
import { RedisEmulatorError } from '../redis/errors.js';
import type { RedisServerHandle } from '../redis/redis-server.js';

/** What a ready cluster looks like. */
export interface ClusterShape {
  /** Number of nodes, masters and replicas. */
  readonly nodes: number;
  /** Number of replicas (0: the replication checks are skipped). */
  readonly replicas: number;
}

/** Pause between two checks of one node, in ms. */
const POLL_MS = 50;

/** Why `admin`'s node is not ready yet, or undefined when it is. */
async function notReadyBecause(admin: AdminConnection, shape: ClusterShape): Promise<string | undefined> {
  const info = await admin.text(['CLUSTER', 'INFO']);
  const known = /cluster_known_nodes:(\d+)/.exec(info)?.[1];
  if (!info.includes('cluster_state:ok') || Number(known) !== shape.nodes) {
    return `${info.split('\r\n').slice(0, 3).join(', ')}, known nodes ${known}`;
  }
  if (shape.replicas === 0) return undefined;
  // Role-agnostic, so that it also holds after a failover swapped a master and its replica.
  const replication = await admin.text(['INFO', 'replication']);
  if (replication.includes('role:slave') && !replication.includes('master_link_status:up')) return 'replica link to its master is down';
  // CLUSTER SLOTS lists a replica once it is known to have replicated something (offset > 0): what clients see.
  const slots = await admin.command(['CLUSTER', 'SLOTS']);
  const listed = Array.isArray(slots) ? slots.reduce((sum: number, range) => sum + (Array.isArray(range) ? range.length - 2 : 0), 0) : 0;
  if (listed !== shape.nodes) return `CLUSTER SLOTS lists ${listed} of ${shape.nodes} nodes`;
  return undefined;
}

/**
 * Polls every server until the cluster has `shape`.
 *
 * @param timeoutMs - overall time to wait, in ms.
 * @throws RedisEmulatorError `ERR_REDIS_CLUSTER_START` with the last reason, after `timeoutMs`.
 */
export async function waitUntilClusterReady(servers: readonly RedisServerHandle[], shape: ClusterShape, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const server of servers) {
    const admin = await server.admin();
    try {
      for (;;) {
        const reason = await notReadyBecause(admin, shape);
        if (reason === undefined) break;
        if (Date.now() > deadline) {
          throw new RedisEmulatorError(
            'ERR_REDIS_CLUSTER_START',
            `the cluster was not ready (cluster_state:ok${shape.replicas > 0 ? ', replicas in sync' : ''}) within ${timeoutMs} ms (readyTimeoutMs); node on port ${server.port}: ${reason}`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
    } finally {
      admin.close();
    }
  }
}
