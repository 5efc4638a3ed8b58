/**
 * A Redis Cluster of real redis-server masters, each reached through its own gate. The nodes announce
 * their gate's port, so MOVED/ASK, CLUSTER SLOTS and CLUSTER SHARDS send clients to gates without any
 * reply rewriting.
 *
 * @module
 */
import type { AdminConnection } from '../redis/admin-connection.js';
import { RedisEmulatorError } from '../redis/errors.js';
import { findFreePort } from '../redis/free-port.js';
import { startRedisServer, type RedisServerHandle } from '../redis/redis-server.js';
import type { CertificateAuthority } from '../pki/certificate-authority.js';
import { startRedisGate, type RedisGate } from './redis-gate.js';
import type { AccessTokenVerifier } from './token-verifier.js';

/** Number of hash slots in a Redis Cluster. */
const SLOTS = 16384;
/** Default time to wait for `cluster_state:ok` on every node, in ms. */
export const DEFAULT_CLUSTER_READY_TIMEOUT_MS = 20_000;

/** Options of {@link startGatedCluster}. */
export interface GatedClusterOptions {
  /** Checks tokens at every gate. */
  readonly verifier: AccessTokenVerifier;
  /** Serve TLS at the gates with certificates for 127.0.0.1/localhost from this CA. Default: plain TCP. */
  readonly tls?: { readonly ca: CertificateAuthority };
  /** Number of masters. Default 3 (slots 0-5460, 5461-10922, 10923-16383). */
  readonly masters?: number;
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

/** A running gated cluster. */
export interface GatedCluster {
  /** Every master, in slot order. */
  readonly nodes: readonly GatedClusterNode[];
  /** Seed addresses for cluster clients (the gates). */
  readonly rootNodes: readonly { readonly host: string; readonly port: number }[];
  /** Whether the gates serve TLS. */
  readonly tls: boolean;
  /** Restarts node `index`'s redis-server (same ports, same cluster identity) and waits for `cluster_state:ok`. */
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

async function waitUntilReady(servers: readonly RedisServerHandle[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (const server of servers) {
    const admin = await server.admin();
    try {
      for (;;) {
        const info = await admin.text(['CLUSTER', 'INFO']);
        const known = /cluster_known_nodes:(\d+)/.exec(info)?.[1];
        if (info.includes('cluster_state:ok') && Number(known) === servers.length) break;
        last = `node on port ${server.port}: ${info.split('\r\n').slice(0, 3).join(', ')}, known nodes ${known}`;
        if (Date.now() > deadline) {
          throw new RedisEmulatorError('ERR_REDIS_CLUSTER_START', `the cluster did not reach cluster_state:ok within ${timeoutMs} ms (readyTimeoutMs); ${last}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    } finally {
      admin.close();
    }
  }
}

/** How many times a cluster start is tried when a port picked in advance was taken meanwhile. */
const PORT_RACE_ATTEMPTS = 4;

/** True for a failure caused by a port that another process took between picking and binding it. */
function isPortRace(error: unknown): boolean {
  const text = error instanceof Error ? `${(error as NodeJS.ErrnoException).code ?? ''} ${error.message}` : String(error);
  return /EADDRINUSE|Address already in use/i.test(text);
}

/**
 * Starts `masters` redis-server processes in cluster mode, each behind its own gate, assigns the slots,
 * joins them with `CLUSTER MEET` and waits until every node reports `cluster_state:ok`.
 *
 * Nodes must announce their gate's port, so the ports are picked before anything listens on them; when another
 * process takes one in between (`EADDRINUSE`), everything started is stopped and the start is tried again with new
 * ports (up to 4 attempts).
 */
export async function startGatedCluster(options: GatedClusterOptions): Promise<GatedCluster> {
  const masters = options.masters ?? 3;
  if (!Number.isInteger(masters) || masters < 1) throw new RangeError(`"masters" must be an integer >= 1, got ${masters}`);
  for (let attempt = 1; ; attempt++) {
    try {
      return await startGatedClusterOnce(options, masters);
    } catch (error) {
      if (attempt >= PORT_RACE_ATTEMPTS || !isPortRace(error)) throw error;
    }
  }
}

async function startGatedClusterOnce(options: GatedClusterOptions, masters: number): Promise<GatedCluster> {
  const readyTimeoutMs = options.readyTimeoutMs ?? DEFAULT_CLUSTER_READY_TIMEOUT_MS;
  const [gatePorts, busPorts] = [await distinctFreePorts(masters), await distinctFreePorts(masters)];
  const servers: RedisServerHandle[] = [];
  const gates: RedisGate[] = [];
  const stopAll = async (): Promise<void> => {
    await Promise.all(gates.map((g) => g.close()));
    await Promise.all(servers.map((s) => s.stop()));
  };
  try {
    const started = await Promise.allSettled(
      gatePorts.map((gatePort, i) =>
        startRedisServer({
          cluster: { announcePort: gatePort, announceIp: '127.0.0.1' },
          extraConfig: [`cluster-port ${busPorts[i] as number}`, `cluster-announce-bus-port ${busPorts[i] as number}`],
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

    const admins = await Promise.all(servers.map((s) => s.admin()));
    try {
      await Promise.all(admins.map((admin, i) => admin.command(['CLUSTER', 'ADDSLOTSRANGE', ...slotRange(i, masters).map(String)])));
      const first = admins[0] as AdminConnection;
      for (const [i, server] of servers.entries()) {
        if (i === 0) continue;
        await first.command(['CLUSTER', 'MEET', server.host, String(gatePorts[i]), String(busPorts[i])]);
      }
    } finally {
      for (const admin of admins) admin.close();
    }
    await waitUntilReady(servers, readyTimeoutMs);
  } catch (error) {
    await stopAll();
    throw error;
  }

  const nodes: GatedClusterNode[] = servers.map((server, i) => {
    const gate = gates[i] as RedisGate;
    return { host: gate.host, port: gate.port, slots: slotRange(i, masters), gate, server };
  });
  let stopping: Promise<void> | undefined;
  const cluster: GatedCluster = {
    nodes,
    rootNodes: nodes.map((n) => ({ host: n.host, port: n.port })),
    tls: options.tls !== undefined,
    async restartNode(index) {
      const node = nodes[index];
      if (!node) throw new RangeError(`"index" must be between 0 and ${nodes.length - 1}, got ${index}`);
      await node.server.restart();
      await waitUntilReady(servers, readyTimeoutMs);
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
