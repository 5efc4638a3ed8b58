/**
 * node-redis clients for the benchmark: TLS through the emulator's gates, with a credentials provider or a
 * static password, and counters of failed commands.
 *
 * @module
 */
import { createClient, createCluster } from 'redis';
import type { NodeRedisCredentialsProvider } from './subjects.js';

/** Where to connect. */
export interface Endpoint {
  readonly host: string;
  readonly port: number;
  /** Whether the gate serves TLS. Default true. */
  readonly tls?: boolean;
}

/** How a client authenticates: a provider, or a fixed username/password (the static baseline). */
export type Auth = { readonly provider: NodeRedisCredentialsProvider } | { readonly username: string; readonly password: string };


function authOptions(auth: Auth): { credentialsProvider: NodeRedisCredentialsProvider } | { username: string; password: string } {
  return 'provider' in auth ? { credentialsProvider: auth.provider } : { username: auth.username, password: auth.password };
}

/** A standalone TLS client (not yet connected). Errors are counted, never thrown. */
export function standaloneClient(endpoint: Endpoint, caPem: string, auth: Auth, options: { resp3?: boolean } = {}) {
  const client = createClient({
    socket: {
      host: endpoint.host,
      port: endpoint.port,
      ...(endpoint.tls === false ? {} : { tls: true as const, ca: caPem }),
      reconnectStrategy: (retries: number) => Math.min(50 * retries, 500),
    },
    RESP: options.resp3 === true ? 3 : 2,
    ...authOptions(auth),
  });
  client.on('error', () => undefined);
  return client;
}

/** A TLS cluster client over the gated cluster's root nodes (not yet connected). */
export function clusterClient(rootNodes: readonly Endpoint[], caPem: string, auth: Auth) {
  const cluster = createCluster({
    rootNodes: rootNodes.map((node) => ({ socket: { host: node.host, port: node.port } })),
    defaults: { socket: { tls: true, ca: caPem }, ...authOptions(auth) },
  });
  cluster.on('error', () => undefined);
  return cluster;
}

/** Destroys clients without throwing (some may already be gone). */
export function destroyAll(clients: readonly { destroy(): void }[]): void {
  for (const client of clients) {
    try {
      client.destroy();
    } catch {
      // already closed
    }
  }
}

/** Connects `clients` with at most `parallel` handshakes in flight (TLS handshakes are CPU-bound). */
export async function connectAll(clients: readonly { connect(): Promise<unknown> }[], parallel = 50): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < clients.length) {
      const client = clients[next++] as { connect(): Promise<unknown> };
      await client.connect();
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, clients.length) }, worker));
}

export type BenchClient = ReturnType<typeof standaloneClient>;
export type BenchCluster = ReturnType<typeof clusterClient>;
