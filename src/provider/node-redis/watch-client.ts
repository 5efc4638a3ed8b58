/**
 * Opt-in helper for node-redis clients whose connection cannot simply take a new `AUTH`:
 * - a RESP2 client in subscribe mode (Redis refuses `AUTH` there; node-redis skips it silently): on each
 *   renewal it emits `reAuthenticationSkipped` and reconnects the client at once, so the new connection
 *   authenticates with the fresh token and node-redis resubscribes — well before the old token expires;
 * - a client whose re-`AUTH` the server refused (node-redis 6.3+, where the failure can be attributed): it
 *   reconnects the client with the current token instead of letting the server close it at expiry;
 * - node-redis 5.x, which has no diagnostics channels: watched before `connect()`, each of the client's
 *   subscriptions is named, and the listener node-redis leaks on every reconnect is dropped at once, so each
 *   renewal sends one `AUTH` (6.3+ needs no watch for that).
 *
 * The reconnect sends `QUIT` (allowed in subscribe mode); the server closes the connection after answering,
 * and node-redis reconnects and resubscribes by itself. The client's `reconnectStrategy` must allow that.
 *
 * @module
 */
import type { EntraIdCredentialsProvider } from '../entra-id-credentials-provider.js';
import { captureClientId, onTracedAuthFailure } from './tracing.js';
import { announceSubscription, newWatchTag, releaseWatchedClient } from './watch-tag.js';

/** The parts of a node-redis client (v5 or v6) the helper uses. */
export interface WatchableNodeRedisClient {
  /** node-redis: connected and handshake done. */
  readonly isReady: boolean;
  /** node-redis: the connection is in subscribe mode. */
  readonly isPubSubActive: boolean;
  /** node-redis: the client's options (`RESP`, `socket.host`, `socket.port`). */
  readonly options?: { readonly RESP?: 2 | 3 | undefined; readonly socket?: object | undefined } | undefined;
  sendCommand(args: string[]): Promise<unknown>;
  on(event: 'ready' | 'connect' | 'end', listener: () => void): unknown;
  off(event: 'ready' | 'connect' | 'end', listener: () => void): unknown;
}

/** What {@link watchNodeRedisClient} returns. */
export interface NodeRedisClientWatch {
  /** Reconnects triggered so far (RESP2 subscriber renewals and refused re-AUTHs). */
  readonly reconnects: number;
  /** Stops watching. Idempotent. */
  dispose(): void;
}

function addressOf(client: WatchableNodeRedisClient): string | undefined {
  const socket = client.options?.socket as { host?: unknown; port?: unknown } | undefined;
  const host = typeof socket?.host === 'string' ? socket.host : 'localhost';
  const port = typeof socket?.port === 'number' ? socket.port : 6379;
  return `${host}:${port}`;
}

/**
 * Watches one node-redis client that uses `provider` as its `credentialsProvider` (see the module comment).
 * Not needed for RESP3 clients or clients that never subscribe, except to recover from a refused re-AUTH.
 *
 * @param client - a node-redis v5 or v6 client (standalone; for pub/sub, the subscriber client).
 * @param provider - the provider the client authenticates with.
 * @returns a handle whose `dispose()` stops watching (call it before or after closing the client).
 */
export function watchNodeRedisClient(client: WatchableNodeRedisClient, provider: EntraIdCredentialsProvider): NodeRedisClientWatch {
  let clientId: string | undefined;
  let reconnects = 0;
  let reconnecting = false;
  let disposed = false;

  const learnId = (): void => {
    if (clientId !== undefined || !client.isReady) return;
    clientId = captureClientId(() => {
      client.sendCommand(['PING']).catch(() => undefined);
    });
  };
  const reconnect = (): void => {
    if (disposed || reconnecting || !client.isReady) return;
    reconnecting = true;
    reconnects++;
    client.sendCommand(['QUIT']).catch(() => undefined);
  };
  const onReady = (): void => {
    reconnecting = false;
    learnId();
  };
  // node-redis 5.x has no diagnostics channels: name this client's next subscription (made right after `connect`,
  // in the same synchronous run), so that the listeners it leaks on every reconnect are dropped at once.
  const tag = newWatchTag();
  const onConnect = (): void => announceSubscription(tag);
  // The application closed the client: its subscriptions are over (node-redis 5.x may not dispose them).
  const onEnd = (): void => releaseWatchedClient(tag);
  const onRenewed = (): void => {
    const resp = client.options?.RESP ?? 2;
    if (resp !== 2 || !client.isPubSubActive) return;
    provider.reportReAuthenticationSkipped({ address: addressOf(client), reason: 'resp2-subscriber', action: 'reconnect' });
    reconnect();
  };
  const stopFailures = onTracedAuthFailure((failed) => {
    if (failed === clientId) reconnect();
  });

  client.on('ready', onReady);
  client.on('connect', onConnect);
  client.on('end', onEnd);
  provider.on('tokenRenewed', onRenewed);
  learnId();
  return {
    get reconnects() {
      return reconnects;
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      client.off('ready', onReady);
      client.off('connect', onConnect);
      client.off('end', onEnd);
      provider.off('tokenRenewed', onRenewed);
      stopFailures();
    },
  };
}
