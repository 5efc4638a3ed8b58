/**
 * One call for "an Azure Redis on localhost": redis-server(s) behind gate(s), standalone or clustered.
 *
 * @module
 */
import type { CertificateAuthority } from '../pki/certificate-authority.js';
import { startRedisServer, type RedisServerHandle } from '../redis/redis-server.js';
import { startGatedCluster, type GatedCluster } from './cluster.js';
import { startRedisGate, type RedisGate } from './redis-gate.js';
import type { AccessTokenVerifier } from './token-verifier.js';

/** Options of {@link startAzureRedis}. */
export interface AzureRedisOptions {
  /** Checks the tokens clients present (e.g. the identity emulator). */
  readonly verifier: AccessTokenVerifier;
  /** Serve TLS (like Azure, which is TLS-only) with certificates from `ca`. Default: true when `ca` is given. */
  readonly tls?: boolean;
  /** The CA issuing the gates' certificates; required for TLS. Clients must trust it. */
  readonly ca?: CertificateAuthority;
  /** Start a 3-master cluster (OSS cluster policy) instead of one server. Default false. */
  readonly cluster?: boolean;
  /** With `cluster`: replicas per master, each behind its own gate (see `startGatedCluster`). Default 0. */
  readonly replicasPerMaster?: number;
  /** Time after a token's `exp` before its connection is closed, in ms. Default 0. */
  readonly expiryGraceMs?: number;
}

/** A running emulated Azure Redis. */
export interface AzureRedis {
  /** Host to connect to (127.0.0.1). */
  readonly host: string;
  /** Port of the (first) gate. */
  readonly port: number;
  /** Whether the gates serve TLS. */
  readonly tls: boolean;
  /** The CA's PEM certificate clients must trust, when TLS. */
  readonly caPem: string | undefined;
  /** Whether this is a cluster. */
  readonly cluster: boolean;
  /** Every gate address (one for standalone; seed nodes for a cluster). */
  readonly rootNodes: readonly { readonly host: string; readonly port: number }[];
  /** The gates, in node order: the masters', then the replicas' (`replicasPerMaster`). */
  readonly gates: readonly RedisGate[];
  /** The redis-servers, in the order of `gates`. */
  readonly servers: readonly RedisServerHandle[];
  /** The gated cluster itself (replicas, `restartNode`), or undefined when standalone. */
  readonly gatedCluster: GatedCluster | undefined;
  /** Stops gates and servers. Idempotent. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Starts redis-server(s) behind gate(s) that accept Entra ID tokens.
 *
 * @throws RangeError when `tls` is true without a `ca`, or `replicasPerMaster` > 0 without `cluster`.
 */
export async function startAzureRedis(options: AzureRedisOptions): Promise<AzureRedis> {
  const tls = options.tls ?? options.ca !== undefined;
  if (tls && !options.ca) throw new RangeError('"ca" is required when "tls" is true');
  if ((options.replicasPerMaster ?? 0) > 0 && !options.cluster) throw new RangeError('"replicasPerMaster" needs "cluster: true"');
  const grace = options.expiryGraceMs === undefined ? {} : { expiryGraceMs: options.expiryGraceMs };
  let closing: Promise<void> | undefined;
  if (options.cluster) {
    const cluster: GatedCluster = await startGatedCluster({
      verifier: options.verifier,
      ...(tls && options.ca ? { tls: { ca: options.ca } } : {}),
      ...grace,
      ...(options.replicasPerMaster === undefined ? {} : { replicasPerMaster: options.replicasPerMaster }),
    });
    const first = cluster.nodes[0] as GatedCluster['nodes'][number];
    const handle: AzureRedis = {
      host: first.host,
      port: first.port,
      tls,
      caPem: tls ? options.ca?.certPem : undefined,
      cluster: true,
      rootNodes: cluster.rootNodes,
      gates: cluster.gates,
      servers: [...cluster.nodes.map((n) => n.server), ...cluster.replicas.map((r) => r.server)],
      gatedCluster: cluster,
      close: () => (closing ??= cluster.stop()),
      [Symbol.asyncDispose]: () => handle.close(),
    };
    return handle;
  }
  const server = await startRedisServer();
  let gate: RedisGate;
  try {
    const cert = tls ? options.ca?.issueServerCertificate(['127.0.0.1', 'localhost']) : undefined;
    gate = await startRedisGate({
      target: { host: server.host, port: server.port },
      admin: { username: server.adminUser, password: server.adminPassword },
      verifier: options.verifier,
      ...(cert ? { tls: { cert: cert.certPem, key: cert.keyPem } } : {}),
      ...grace,
    });
  } catch (error) {
    await server.stop();
    throw error;
  }
  const handle: AzureRedis = {
    host: gate.host,
    port: gate.port,
    tls,
    caPem: tls ? options.ca?.certPem : undefined,
    cluster: false,
    rootNodes: [{ host: gate.host, port: gate.port }],
    gates: [gate],
    servers: [server],
    gatedCluster: undefined,
    close: () =>
      (closing ??= (async () => {
        await gate.close();
        await server.stop();
      })()),
    [Symbol.asyncDispose]: () => handle.close(),
  };
  return handle;
}
