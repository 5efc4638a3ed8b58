/**
 * The demo's clients (node-redis or ioredis, loaded on demand: both are optional peers) and their steady
 * traffic: SET then GET on each client, every `intervalMs`, counting what succeeded and what failed.
 *
 * @module
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { EntraIdCredentialsProvider } from '../../provider/entra-id-credentials-provider.js';
import { MissingPrerequisiteError } from '../usage-error.js';
import type { DemoState } from './state.js';

/** The client libraries the demo can drive. */
export const DEMO_CLIENTS = ['node-redis', 'ioredis'] as const;
/** One of {@link DEMO_CLIENTS}. */
export type DemoClientKind = (typeof DEMO_CLIENTS)[number];

/** A client the traffic loop drives. */
export interface DemoClient {
  set(key: string, value: string): Promise<unknown>;
  get(key: string): Promise<unknown>;
  close(): Promise<void>;
}

/** Where the emulated cache listens. */
export interface DemoTarget {
  readonly host: string;
  readonly port: number;
  readonly caPem: string;
}

/** How long a graceful close, or the end of in-flight commands, may take before the demo forces it, in ms. */
const CLOSE_GRACE_MS = 1500;

/** True when `promise` fulfils within `ms`; false when it rejects or takes longer. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true, () => false), late]);
  } finally {
    clearTimeout(timer);
  }
}

const PACKAGES: Record<DemoClientKind, string> = { 'node-redis': 'redis', ioredis: 'ioredis' };

/** Checks that the client library can be loaded; throws {@link MissingPrerequisiteError} saying how to install it. */
export async function requireClientLibrary(kind: DemoClientKind): Promise<void> {
  try {
    if (kind === 'node-redis') await import('redis');
    else await import('ioredis');
  } catch (cause) {
    throw new MissingPrerequisiteError(
      `--client ${kind} needs the optional package "${PACKAGES[kind]}", which could not be loaded. Install it: npm install ${PACKAGES[kind]}`,
      { cause },
    );
  }
}

async function nodeRedisClient(provider: EntraIdCredentialsProvider, target: DemoTarget, state: DemoState): Promise<DemoClient> {
  const { createClient } = await import('redis');
  const client = createClient({
    socket: {
      host: target.host,
      port: target.port,
      tls: true,
      ca: target.caPem,
      reconnectStrategy: (retries: number) => (retries > 20 ? new Error('the demo gave up reconnecting') : Math.min(100 * (retries + 1), 1000)),
    },
    credentialsProvider: provider,
  });
  client.on('error', (error: Error) => state.log('failure', `node-redis: ${error.message}`));
  await client.connect();
  return {
    set: (key, value) => client.set(key, value),
    get: (key) => client.get(key),
    close: async () => {
      // Graceful when the server is there; forced when it is gone (e.g. stopped by Ctrl-C).
      if (!(await settlesWithin(client.close(), CLOSE_GRACE_MS))) client.destroy();
    },
  };
}

async function ioredisClient(provider: EntraIdCredentialsProvider, target: DemoTarget, state: DemoState): Promise<DemoClient> {
  const { Redis } = await import('ioredis');
  const { withEntraId } = await import('../../ioredis/with-entra-id.js');
  const client = await withEntraId(provider, (credentials) => {
    const redis = new Redis({
      host: target.host,
      port: target.port,
      tls: { ca: target.caPem },
      ...credentials,
      lazyConnect: true,
      maxRetriesPerRequest: 2,
      retryStrategy: (times: number) => (times > 20 ? null : Math.min(100 * times, 1000)),
    });
    redis.on('error', (error: Error) => state.log('failure', `ioredis: ${error.message}`));
    return redis;
  });
  return {
    set: (key, value) => client.set(key, value),
    get: (key) => client.get(key),
    close: async () => {
      if (!(await settlesWithin(client.quit(), CLOSE_GRACE_MS))) client.disconnect();
    },
  };
}

/** Connects `count` clients of `kind`, each authenticated through `provider`. */
export async function connectClients(
  kind: DemoClientKind,
  count: number,
  provider: EntraIdCredentialsProvider,
  target: DemoTarget,
  state: DemoState,
): Promise<DemoClient[]> {
  const clients: DemoClient[] = [];
  try {
    for (let i = 0; i < count; i++) {
      clients.push(kind === 'node-redis' ? await nodeRedisClient(provider, target, state) : await ioredisClient(provider, target, state));
    }
  } catch (error) {
    await Promise.all(clients.map((c) => c.close()));
    throw error;
  }
  return clients;
}

/** Steady traffic on every client until `stop()`. */
export function startTraffic(clients: readonly DemoClient[], intervalMs: number, state: DemoState): { stop(): Promise<void>; halt(): void } {
  let stopped = false;
  const seen = new Set<string>();
  const loop = async (client: DemoClient, index: number): Promise<void> => {
    let n = 0;
    while (!stopped) {
      for (const op of [() => client.set(`demo:${index}`, String(++n)), () => client.get(`demo:${index}`)]) {
        try {
          await op();
          if (!stopped) state.commandsOk++;
        } catch (error) {
          if (stopped) break;
          state.commandsFailed++;
          const message = error instanceof Error ? error.message : String(error);
          state.lastCommandError = message;
          // Each distinct error once in the log; the counters keep the total.
          if (!seen.has(message)) {
            seen.add(message);
            state.log('failure', `command failed on client ${index + 1}: ${message}`);
          }
        }
      }
      await sleep(intervalMs);
    }
  };
  const loops = clients.map((client, i) => loop(client, i));
  return {
    /** Stops counting at once (synchronous: for signal handlers); the loops end at their next step. */
    halt: () => {
      stopped = true;
    },
    stop: async () => {
      stopped = true;
      // In-flight commands may wait for a server that is gone; closing the clients ends them.
      await settlesWithin(Promise.all(loops), CLOSE_GRACE_MS);
    },
  };
}
