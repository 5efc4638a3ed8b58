/** ioredis clients bound to our provider with `withEntraId` (the peer has no ioredis support). */
import { Redis } from 'ioredis';
import { withEntraId } from '../../src/ioredis/index.js';
import type { EntraIdCredentialsProvider } from '../../src/index.js';
import type { Endpoint } from './clients.js';

/** Opens `count` ioredis TLS clients through `withEntraId` (default options, so the default AUTH jitter). */
export async function ioredisClients(provider: EntraIdCredentialsProvider, endpoint: Endpoint, caPem: string, count: number): Promise<Redis[]> {
  const clients: Redis[] = [];
  for (let i = 0; i < count; i++) {
    const client = await withEntraId(provider, (credentials) => {
      const redis = new Redis({ host: endpoint.host, port: endpoint.port, tls: { ca: caPem }, ...credentials });
      redis.on('error', () => undefined);
      return redis;
    });
    clients.push(client);
  }
  return clients;
}

/** Disconnects every client (no reconnect). */
export function disconnectAll(clients: readonly Redis[]): void {
  for (const client of clients) client.disconnect();
}
