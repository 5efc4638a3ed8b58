/**
 * A Redis Cluster of real redis-server masters, optionally with replicas, each node reached through its own
 * gate. The nodes announce their gate's port, so MOVED/ASK, CLUSTER SLOTS and CLUSTER SHARDS send clients to
 * gates without any reply rewriting.
 *
 * @module
 */
import type { AdminConnection } from '../redis/admin-connection.js';
import { findFreePort } from '../redis/free-port.js';
import { startRedisServer, type RedisServerHandle } from '../redis/redis-server.js';
import { createCertificateAuthority, type CertificateAuthority } from '../pki/certificate-authority.js';
import { waitUntilClusterReady, type ClusterShape } from './cluster-readiness.js';
import { announceReplicationPorts, createReplicationLink, replicate, type ClusterReplicationLink } from './cluster-replication.js';
import { startRedisGate, type RedisGate } from './redis-gate.js';
import type { AccessTokenVerifier } from './token-verifier.js';

/** Number of hash slots in a Redis Cluster. */
const SLOTS = 16384;
/** Default time to wait for `cluster_state:ok` on every node (and replicas in sync), in ms. */
export const DEFAULT_CLUSTER_READY_TIMEOUT_MS = 20_000;
/** Default number of replicas per master: none. */
export const DEFAULT_REPLICAS_PER_MASTER = 0;

/** Options of {@link startGatedCluster}. */
export interface GatedClusterOptions {
  /** Checks tokens at every gate. */
  readonly verifier: AccessTokenVerifier;
  /** Serve TLS at the gates with certificates for 127.0.0.1/localhost from this CA. Default: plain TCP. */
  readonly tls?: { readonly ca: CertificateAuthority };
  /** Number of masters. Default 3 (slots 0-5460, 5461-10922, 10923-16383). */
  readonly masters?: number;
  /**
   * Replicas per master, each a redis-server behind its own gate that announces its gate's port, so that after a
   * failover the promoted replica is reached through its gate. Default {@link DEFAULT_REPLICAS_PER_MASTER} (0).
   * With replicas every node also listens on TLS, on a port only replicas use (see `cluster-replication.ts`).
   */
  readonly replicasPerMaster?: number;
  /** Passed to every gate: time after `exp` before closing, in ms. Default 0. */
  readonly expiryGraceMs?: number;
  /** Passed to every gate: now in ms since the epoch. Default `Date.now`. */
  readonly clock?: () => number;
  /** redis-server binary. Default `redis-server` on PATH. */
  readonly binary?: string;
  /** Time to wait for the cluster to be ready, in ms. Default {@link DEFAULT_CLUSTER_READY_TIMEOUT_MS}. */
  readonly readyTimeoutMs?: number;
}

/** One master and its gate. */
export interface GatedClusterNode {
  /** The gate's host (127.0.0.1): what clients connect to and what the cluster announces. */
  readonly host: string;
  /** The gate's port. */
  readonly port: number;
  /** First and last hash slot the node serves. */
  readonly slots: readonly [number, number];
  /** The gate in front of the node. */
  readonly gate: RedisGate;
  /** The redis-server behind it. */
  readonly server: RedisServerHandle;
}

/** One replica and its gate. */
export interface GatedClusterReplica {
  /** The gate's host (127.0.0.1). */
  readonly host: string;
  /** The gate's port: what the cluster announces for this node. */
  readonly port: number;
  /** Index in {@link GatedCluster.nodes} of the master it was started as a replica of. */
  readonly masterIndex: number;
  /** The gate in front of the node. */
  readonly gate: RedisGate;
  /** The redis-server behind it. */
  readonly server: RedisServerHandle;
}

/** A running gated cluster. Roles may swap after a failover; the arrays keep the roles nodes were started with. */
export interface GatedCluster {
  /** Every master as started, in slot order. */
  readonly nodes: readonly GatedClusterNode[];
  /** Every replica as started, grouped by master (`replicasPerMaster` per master, in master order). Empty by default. */
  readonly replicas: readonly GatedClusterReplica[];
  /** Every gate: the masters' in node order, then the replicas'. Sum counters (`expiryClosures`, AUTHs) over these. */
  readonly gates: readonly RedisGate[];
  /** Seed addresses for cluster clients (the gates). */
  readonly rootNodes: readonly { readonly host: string; readonly port: number }[];
  /** Whether the gates serve TLS. */
  readonly tls: boolean;
  /**
   * Restarts node `index`'s redis-server (same ports, same cluster identity) and waits for `cluster_state:ok`
   * (and replicas in sync). With replicas, a restart longer than the node timeout (2 s) may promote a replica.
   */
  restartNode(index: number): Promise<void>;
  /** Stops every gate and redis-server. Idempotent. */
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Slot range of master `i` of `n`, split like `redis-cli --cluster create`. */
export function slotRange(i: number, n: number): [number, number] {
  const per = SLOTS / n;
  const last = (k: number): number => (k === n - 1 ? SLOTS - 1 : Math.round(per * (k + 1) - 1));
  return [i === 0 ? 0 : last(i - 1) + 1, last(i)];
}

async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await findFreePort());
  return [...ports];
}

/** How many times a cluster start is tried when a port picked in advance was taken meanwhile. */
const PORT_RACE_ATTEMPTS = 4;

/** True for a failure caused by a port that another process took between picking and binding it. */
function isPortRace(error: unknown): boolean {
  const text = error instanceof Error ? `${(error as NodeJS.ErrnoException).code ?? ''} ${error.message}` : String(error);
  return /EADDRINUSE|Address already in use/i.test(text);
}

/**
 * Starts `masters` redis-server processes in cluster mode (plus `replicasPerMaster` replicas of each), each behind
 * its own gate, assigns the slots, joins them with `CLUSTER MEET`, attaches the replicas with `CLUSTER REPLICATE`
 * and waits until every node reports `cluster_state:ok` and every replica is in sync.
 *
 * Nodes must announce their gate's port, so the ports are picked before anything listens on them; when another
 * process takes one in between (`EADDRINUSE`), everything started is stopped and the start is tried again with new
 * ports (up to 4 attempts).
 *
 * @throws RangeError for a bad `masters` or `replicasPerMaster`; RedisEmulatorError when a server does not start or
 *   the cluster is not ready within `readyTimeoutMs`.
 */
export async function startGatedCluster(options: GatedClusterOptions): Promise<GatedCluster> {
  const masters = options.masters ?? 3;
  if (!Number.isInteger(masters) || masters < 1) throw new RangeError(`"masters" must be an integer >= 1, got ${masters}`);
  const replicasPerMaster = options.replicasPerMaster ?? DEFAULT_REPLICAS_PER_MASTER;
  if (!Number.isInteger(replicasPerMaster) || replicasPerMaster < 0) {
    throw new RangeError(`"replicasPerMaster" must be an integer >= 0, got ${replicasPerMaster}`);
  }
  for (let attempt = 1; ; attempt++) {
    try {
      return await startGatedClusterOnce(options, masters, replicasPerMaster);
    } catch (error) {
      if (attempt >= PORT_RACE_ATTEMPTS || !isPortRace(error)) throw error;
    }
  }
}

async function startGatedClusterOnce(options: GatedClusterOptions, masters: number, replicasPerMaster: number): Promise<GatedCluster> {
  const readyTimeoutMs = options.readyTimeoutMs ?? DEFAULT_CLUSTER_READY_TIMEOUT_MS;
  const total = masters * (1 + replicasPerMaster);
  const shape: ClusterShape = { nodes: total, replicas: total - masters };
  const ports = await distinctFreePorts(2 * total);
  const [gatePorts, busPorts] = [ports.slice(0, total), ports.slice(total)];
  // Only with replicas: the TLS bus and replication link (no cost otherwise).
  const link: ClusterReplicationLink | undefined =
    replicasPerMaster > 0 ? createReplicationLink(options.tls?.ca ?? createCertificateAuthority('redis-entraid cluster CA')) : undefined;
  const servers: RedisServerHandle[] = [];
  const gates: RedisGate[] = [];
  const stopAll = async (): Promise<void> => {
    await Promise.all(gates.map((g) => g.close()));
    await Promise.all(servers.map((s) => s.stop()));
    link?.dispose();
  };
  try {
    const started = await Promise.allSettled(
      gatePorts.map((gatePort, i) =>
        startRedisServer({
          cluster: { announcePort: gatePort, announceIp: '127.0.0.1' },
          extraConfig: [`cluster-port ${busPorts[i] as number}`, `cluster-announce-bus-port ${busPorts[i] as number}`, ...(link?.config ?? [])],
          ...(link ? { tls: { ca: link.ca } } : {}),
          ...(options.binary === undefined ? {} : { binary: options.binary }),
        }),
      ),
    );
    for (const result of started) if (result.status === 'fulfilled') servers.push(result.value);
    const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;

    const cert = options.tls?.ca.issueServerCertificate(['127.0.0.1', 'localhost']);
    for (const [i, server] of servers.entries()) {
      gates.push(
        await startRedisGate({
          target: { host: server.host, port: server.port },
          admin: { username: server.adminUser, password: server.adminPassword },
          verifier: options.verifier,
          port: gatePorts[i] as number,
          ...(cert ? { tls: { cert: cert.certPem, key: cert.keyPem } } : {}),
          ...(options.expiryGraceMs === undefined ? {} : { expiryGraceMs: options.expiryGraceMs }),
          ...(options.clock === undefined ? {} : { clock: options.clock }),
        }),
      );
    }

    if (link) await announceReplicationPorts(servers);
    const admins = await Promise.all(servers.map((s) => s.admin()));
    try {
      await Promise.all(admins.slice(0, masters).map((admin, i) => admin.command(['CLUSTER', 'ADDSLOTSRANGE', ...slotRange(i, masters).map(String)])));
      const first = admins[0] as AdminConnection;
      for (const [i, server] of servers.entries()) {
        if (i === 0) continue;
        // With a TLS bus the port a node meets by is its main (TLS) port, the one replicas use: a gate port there
        // would send a replica's AUTH to a gate until the first direct ping corrects it.
        const port = link ? (server.tlsPort as number) : (gatePorts[i] as number);
        await first.command(['CLUSTER', 'MEET', server.host, String(port), String(busPorts[i])]);
      }
      if (replicasPerMaster > 0) {
        const deadline = Date.now() + readyTimeoutMs;
        const masterIds = await Promise.all(admins.slice(0, masters).map((admin) => admin.text(['CLUSTER', 'MYID'])));
        await Promise.all(
          admins.slice(masters).map((admin, k) => replicate(admin, masterIds[Math.floor(k / replicasPerMaster)] as string, deadline)),
        );
      }
    } finally {
      for (const admin of admins) admin.close();
    }
    await waitUntilClusterReady(servers, shape, readyTimeoutMs);
  } catch (error) {
    await stopAll();
    throw error;
  }

  const nodes: GatedClusterNode[] = servers.slice(0, masters).map((server, i) => {
    const gate = gates[i] as RedisGate;
    return { host: gate.host, port: gate.port, slots: slotRange(i, masters), gate, server };
  });
  const replicas: GatedClusterReplica[] = servers.slice(masters).map((server, k) => {
    const gate = gates[masters + k] as RedisGate;
    return { host: gate.host, port: gate.port, masterIndex: Math.floor(k / replicasPerMaster), gate, server };
  });
  let stopping: Promise<void> | undefined;
  const cluster: GatedCluster = {
    nodes,
    replicas,
    gates: [...gates],
    rootNodes: nodes.map((n) => ({ host: n.host, port: n.port })),
    tls: options.tls !== undefined,
    async restartNode(index) {
      const node = nodes[index];
      if (!node) throw new RangeError(`"index" must be between 0 and ${nodes.length - 1}, got ${index}`);
      await node.server.restart();
      await waitUntilClusterReady(servers, shape, readyTimeoutMs);
    },
    stop() {
      stopping ??= stopAll();
      return stopping;
    },
    [Symbol.asyncDispose]() {
      return cluster.stop();
    },
  };
  return cluster;
}
