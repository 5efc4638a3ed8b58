/**
 * Replicas for the gated cluster: how a replica reaches its master without going through the master's gate.
 *
 * In cluster mode a replica connects to its master at the address the master announces, and every node
 * announces its gate's port (so that clients are sent to gates). The gate only accepts Entra ID tokens, so the
 * replication link must not use that port. Redis announces two client ports when the cluster bus runs over TLS
 * (`tls-cluster yes`): `cluster-announce-port` (given to plain-TCP clients: the gates connect in plain TCP, so every
 * reply they forward names gate ports) and `cluster-announce-tls-port` (used by replicas with `tls-replication yes`).
 * So with replicas every node also listens on TLS, announces that real TLS port, and replicates over it, directly.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CertificateAuthority } from '../pki/certificate-authority.js';
import type { AdminConnection } from '../redis/admin-connection.js';
import { RedisEmulatorError } from '../redis/errors.js';
import type { RedisServerHandle } from '../redis/redis-server.js';

/** ACL user a replica authenticates as on its master (only what replication needs). */
export const CLUSTER_REPLICATION_USER = 'entraid-emulator-replication';

/** Shared replication settings of one cluster: a TLS client certificate for the bus and one replication user. */
export interface ClusterReplicationLink {
  /** The CA of every node's TLS certificate (the bus and the replication links check peers against it). */
  readonly ca: CertificateAuthority;
  /** Configuration lines for every node (masters too: after a failover a master becomes a replica). */
  readonly config: readonly string[];
  /** Removes the files written for the link. Idempotent. */
  dispose(): void;
}

/**
 * Writes a client certificate for the TLS cluster bus (Redis always asks for one there) and builds the
 * configuration lines that make nodes replicate over TLS as {@link CLUSTER_REPLICATION_USER}.
 */
export function createReplicationLink(ca: CertificateAuthority): ClusterReplicationLink {
  const dir = mkdtempSync(join(tmpdir(), 'redis-entraid-cluster-'));
  const client = ca.issueClientCertificate('redis-entraid cluster node');
  const certFile = join(dir, 'node-client.pem');
  const keyFile = join(dir, 'node-client-key.pem');
  writeFileSync(certFile, client.certPem);
  writeFileSync(keyFile, client.keyPem, { mode: 0o600 });
  const password = randomBytes(24).toString('hex');
  let disposed = false;
  return {
    ca,
    config: [
      'tls-cluster yes',
      'tls-replication yes',
      `tls-client-cert-file "${certFile}"`,
      `tls-client-key-file "${keyFile}"`,
      `user ${CLUSTER_REPLICATION_USER} on >${password} -@all +psync +replconf +ping`,
      `masteruser ${CLUSTER_REPLICATION_USER}`,
      `masterauth ${password}`,
      // Masters ping replicas every second (default 10): a replica's offset leaves 0 at once, and only then does
      // CLUSTER SLOTS list it (and readiness waits for that).
      'repl-ping-replica-period 1',
    ],
    dispose() {
      if (disposed) return;
      disposed = true;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Announces each server's real TLS port (the replication port) and keeps it in its config file, so that
 * `restart()` announces it again. Until then a node announces its gate port for replication too: call this
 * before the nodes meet.
 */
export async function announceReplicationPorts(servers: readonly RedisServerHandle[]): Promise<void> {
  await Promise.all(
    servers.map(async (server) => {
      if (server.tlsPort === undefined) throw new RangeError(`the redis-server on port ${server.port} has no TLS port to replicate over`);
      const admin = await server.admin();
      try {
        await admin.command(['CONFIG', 'SET', 'cluster-announce-tls-port', String(server.tlsPort)]);
        await admin.command(['CONFIG', 'REWRITE']);
      } finally {
        admin.close();
      }
    }),
  );
}

/**
 * Makes `replica` a replica of the node `masterId` (`CLUSTER REPLICATE`), retrying while the replica does not
 * know that node yet (the meeting is still in its handshake).
 *
 * @param deadlineMs - give up after this time, in ms since the epoch.
 */
export async function replicate(replica: AdminConnection, masterId: string, deadlineMs: number): Promise<void> {
  for (;;) {
    try {
      await replica.command(['CLUSTER', 'REPLICATE', masterId]);
      return;
    } catch (error) {
      if (Date.now() > deadlineMs) {
        throw new RedisEmulatorError('ERR_REDIS_CLUSTER_START', `CLUSTER REPLICATE ${masterId} kept failing until readyTimeoutMs passed`, { cause: error });
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
