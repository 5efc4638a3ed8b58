// A tiny application module: it gets its Redis settings (and credentials provider) from the caller, so tests can
// hand it the emulator's while production hands it Azure's.
import { createClient } from 'redis';
import type { EntraIdCredentialsProvider } from 'redis-entraid';

export interface AppSettings {
  readonly host: string;
  readonly port: number;
  readonly credentialsProvider: EntraIdCredentialsProvider;
  /** Extra CA to trust (the emulator's); Azure's certificates are publicly trusted. */
  readonly ca?: string;
}

function createAppClient(settings: AppSettings) {
  return createClient({
    socket: { host: settings.host, port: settings.port, tls: true, ...(settings.ca ? { ca: settings.ca } : {}) },
    credentialsProvider: settings.credentialsProvider,
  });
}

export type AppClient = ReturnType<typeof createAppClient>;

export async function connectApp(settings: AppSettings): Promise<AppClient> {
  const client = createAppClient(settings);
  client.on('error', (error: Error) => console.error('redis:', error.message));
  await client.connect();
  return client;
}

export async function recordVisit(client: AppClient, page: string): Promise<number> {
  return client.incr(`visits:${page}`);
}
