/**
 * Reads node-redis's own `diagnostics_channel` events (node-redis 6.3+, `lib/client/tracing.js`) to learn which
 * client a credentials listener belongs to. node-redis passes a fresh, anonymous listener to `subscribe()` on
 * every (re)connect and keeps only the last subscription, so without this the older listeners of a reconnected
 * client would each send an `AUTH` on every renewal.
 *
 * Two signals, both metadata only (node-redis redacts AUTH arguments):
 * - `node-redis:connect` (tracing channel): bound to an `AsyncLocalStorage`, so a `subscribe()` made during a
 *   client's connect — and its later reconnects, which descend from it — sees that client's id.
 * - `node-redis:command` (tracing channel): calling a listener's `onNext` sends `AUTH` synchronously, so the
 *   command's `start` event, fired inside that call, names the client for certain.
 *
 * With node-redis before 5.12 (no channels) every function here returns `undefined` and nothing is attributed.
 *
 * @module
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { channel, tracingChannel, type Channel, type TracingChannel } from 'node:diagnostics_channel';

/** node-redis's channel names (from its `CHANNELS` table). */
export const NODE_REDIS_CHANNELS = Object.freeze({
  connect: 'node-redis:connect',
  command: 'node-redis:command',
  connectionClosed: 'node-redis:connection:closed',
});

/** The part of node-redis's command trace context we read. */
export interface NodeRedisCommandContext {
  readonly command?: unknown;
  readonly clientId?: unknown;
  readonly serverAddress?: unknown;
  readonly serverPort?: unknown;
  readonly error?: unknown;
}

interface ConnectContext {
  readonly clientId?: unknown;
}

interface ClosedMessage {
  readonly clientId?: unknown;
  readonly reason?: unknown;
}

const store = new AsyncLocalStorage<string>();
let storeBound = false;
let connectChannel: TracingChannel<unknown, ConnectContext> | undefined;
let commandChannel: TracingChannel<unknown, NodeRedisCommandContext> | undefined;
let closedChannel: Channel | undefined;

function channels(): {
  connect: TracingChannel<unknown, ConnectContext>;
  command: TracingChannel<unknown, NodeRedisCommandContext>;
  closed: Channel;
} {
  connectChannel ??= tracingChannel<unknown, ConnectContext>(NODE_REDIS_CHANNELS.connect);
  commandChannel ??= tracingChannel<unknown, NodeRedisCommandContext>(NODE_REDIS_CHANNELS.command);
  closedChannel ??= channel(NODE_REDIS_CHANNELS.connectionClosed);
  return { connect: connectChannel, command: commandChannel, closed: closedChannel };
}

/**
 * Binds the connect-context store once per process (idempotent). Must run before clients connect for their
 * subscriptions to be attributed at subscribe time; the provider calls it at construction.
 */
export function installNodeRedisConnectContext(): void {
  if (storeBound) return;
  storeBound = true;
  channels().connect.start.bindStore(store, (context: ConnectContext) =>
    typeof context.clientId === 'string' ? context.clientId : undefined,
  );
}

/** The node-redis client id whose connect (or reconnect) is running now, if any. */
export function currentNodeRedisClientId(): string | undefined {
  return store.getStore();
}

/** A node-redis client id looks like `host:port/db-hash`; returns `host:port`, or undefined. */
export function addressOfClientId(clientId: string | undefined): string | undefined {
  if (clientId === undefined) return undefined;
  const slash = clientId.lastIndexOf('/');
  return slash > 0 ? clientId.slice(0, slash) : undefined;
}

/** What happened while a listener's `onNext` ran. */
export interface CapturedAuth {
  /** The client that sent `AUTH`, or undefined when none was sent (RESP2 subscriber, node-redis 5). */
  readonly clientId: string | undefined;
  /** The trace context of that `AUTH`, to match later `error` / `asyncEnd` events. */
  readonly context: NodeRedisCommandContext | undefined;
}

/** Runs `fn` (a listener's `onNext`) and reports the first `AUTH` node-redis started synchronously inside it. */
export function captureAuth(fn: () => void): CapturedAuth {
  const { command } = channels();
  let captured: NodeRedisCommandContext | undefined;
  const onStart = (message: unknown): void => {
    const context = message as NodeRedisCommandContext;
    if (captured === undefined && context.command === 'AUTH') captured = context;
  };
  command.start.subscribe(onStart);
  try {
    fn();
  } finally {
    command.start.unsubscribe(onStart);
  }
  const clientId = typeof captured?.clientId === 'string' ? captured.clientId : undefined;
  return { clientId, context: captured };
}

/** Calls `handler(clientId)` whenever the application closes or destroys a node-redis client. Returns an unsubscribe. */
export function onNodeRedisClientClosed(handler: (clientId: string) => void): () => void {
  const { closed } = channels();
  const listener = (message: unknown): void => {
    const event = message as ClosedMessage;
    if (event.reason === 'application_close' && typeof event.clientId === 'string') handler(event.clientId);
  };
  closed.subscribe(listener);
  return () => {
    closed.unsubscribe(listener);
  };
}

/**
 * Watches the outcome of the given `AUTH` trace contexts: `onSettled(context, error)` once each, `error`
 * undefined on success. Returns an unsubscribe.
 */
export function watchAuthOutcomes(
  contexts: ReadonlySet<NodeRedisCommandContext>,
  onSettled: (context: NodeRedisCommandContext, error: unknown) => void,
): () => void {
  const { command } = channels();
  const settled = new WeakSet<NodeRedisCommandContext>();
  const settle = (context: NodeRedisCommandContext, error: unknown): void => {
    if (!contexts.has(context) || settled.has(context)) return;
    settled.add(context);
    onSettled(context, error);
  };
  const onError = (message: unknown): void => {
    const context = message as NodeRedisCommandContext;
    settle(context, context.error ?? new Error('AUTH failed'));
  };
  const onAsyncEnd = (message: unknown): void => {
    const context = message as NodeRedisCommandContext;
    settle(context, context.error);
  };
  command.error.subscribe(onError);
  command.asyncEnd.subscribe(onAsyncEnd);
  return () => {
    command.error.unsubscribe(onError);
    command.asyncEnd.unsubscribe(onAsyncEnd);
  };
}
