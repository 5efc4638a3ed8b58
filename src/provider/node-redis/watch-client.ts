/**
 * Opt-in helper for node-redis clients whose connection cannot simply take a new `AUTH`:
 * - a RESP2 client in subscribe mode (Redis refuses `AUTH` there; node-redis skips it silently): on each
 *   renewal it emits `reAuthenticationSkipped` and reconnects the client at once, so the new connection
 *   authenticates with the fresh token and node-redis resubscribes — well before the old token expires;
 * - a client whose re-`AUTH` the server refused: it reconnects the client with the current token instead of
 *   letting the server close it at expiry;
 * - node-redis before 5.12, which has no diagnostics channels: the client is hooked (`client-hook.ts`), so the
 *   listener node-redis leaks on every reconnect sends no second `AUTH` and is dropped; watched before
 *   `connect()`, each of the client's subscriptions is also named as it is made (6.3+ and 5.12+ need no watch
 *   for that).
 *
 * The reconnect sends `QUIT` (allowed in subscribe mode); the server closes the connection after answering,
 * and node-redis reconnects and resubscribes by itself. The client's `reconnectStrategy` must allow that.
 * Pool members and cluster nodes are watched the same way by `watchNodeRedisPool` / `watchNodeRedisCluster`.
 *
 * @module
 */
import type { EntraIdCredentialsProvider } from '../entra-id-credentials-provider.js';
import { hookReAuthenticate } from './client-hook.js';
import { announceSubscription, newWatchTag, releaseWatchedClient } from './watch-tag.js';

/** The parts of a node-redis client (v5 or v6) the helper uses. */
export interface WatchableNodeRedisClient {
  /** node-redis: connected and handshake done. */
  readonly isReady: boolean;
  /** node-redis: open (connected or reconnecting), not closed by the application. */
  readonly isOpen: boolean;
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
 * Not needed for RESP3 clients on node-redis 6.3+ that never subscribe, except to recover from a refused re-AUTH.
 *
 * @param client - a node-redis v5 or v6 client (standalone; for pub/sub, the subscriber client).
 * @param provider - the provider the client authenticates with.
 * @returns a handle whose `dispose()` stops watching (call it after closing the client: watching the close releases
 *   what node-redis before 5.12 leaves subscribed).
 */
export function watchNodeRedisClient(client: WatchableNodeRedisClient, provider: EntraIdCredentialsProvider): NodeRedisClientWatch {
  return watchNodeRedisMember(client, provider);
}

/** A watch as pools and clusters hold it. */
export interface NodeRedisMemberWatch extends NodeRedisClientWatch {
  /**
   * The client was closed for good: stop listening to it and to the provider, but keep the hook, so that
   * listeners node-redis leaked for it are found and dropped at the next renewal. Idempotent.
   */
  retire(): void;
}

/** {@link watchNodeRedisClient} for one client of a pool or a cluster too; `tag` names it (default: a new tag). */
export function watchNodeRedisMember(
  client: WatchableNodeRedisClient,
  provider: EntraIdCredentialsProvider,
  tag: string = newWatchTag(),
): NodeRedisMemberWatch {
  let reconnects = 0;
  let reconnecting = false;
  let disposed = false;

  const reconnect = (): void => {
    if (disposed || reconnecting || !client.isReady) return;
    reconnecting = true;
    reconnects++;
    client.sendCommand(['QUIT']).catch(() => undefined);
  };
  const onReady = (): void => {
    reconnecting = false;
  };
  // node-redis emits `connect` and subscribes for that connection's handshake in the same synchronous run: name
  // that subscription, so the listeners leaked by earlier connections are dropped at once (node-redis before 5.12).
  const onConnect = (): void => announceSubscription(tag);
  // The application closed the client: its subscriptions are over (node-redis before 5.12 may not dispose them).
  const onEnd = (): void => releaseWatchedClient(tag);
  // node-redis skipped the AUTH (RESP2 in subscribe mode): say so, and reconnect with the fresh token.
  const onSkipped = (): void => {
    if (disposed) return;
    provider.reportReAuthenticationSkipped({ address: addressOf(client), reason: 'resp2-subscriber', action: 'reconnect' });
    reconnect();
  };
  // The provider reports the refusal (node-redis hands it over); the watch reconnects with the current token.
  const unhook = hookReAuthenticate(client, tag, reconnect, () => addressOf(client), onSkipped);
  // A client that cannot be hooked: only an explicit RESP: 2 subscriber is known to skip the AUTH.
  const onRenewed = (): void => {
    if (unhook === undefined && client.options?.RESP === 2 && client.isPubSubActive) onSkipped();
  };

  client.on('ready', onReady);
  client.on('connect', onConnect);
  client.on('end', onEnd);
  provider.on('tokenRenewed', onRenewed);
  const retire = (): void => {
    if (disposed) return;
    disposed = true;
    client.off('ready', onReady);
    client.off('connect', onConnect);
    client.off('end', onEnd);
    provider.off('tokenRenewed', onRenewed);
  };
  return {
    get reconnects() {
      return reconnects;
    },
    retire,
    dispose() {
      retire();
      unhook?.();
    },
  };
}
