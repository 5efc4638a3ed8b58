/**
 * Keeps node-redis's subscription leak from multiplying AUTHs: one live listener per node-redis client.
 *
 * node-redis (5.x and 6.x) subscribes a new listener on every (re)connect and disposes only the last one on
 * close. Each listener is tagged with the client id seen at subscribe time (see `tracing.ts`); on a renewal the
 * newest listener of each client is called first and the client id of the `AUTH` it sends is read from the
 * command trace. Only when that confirms the tag are the older listeners of the same client disposed without
 * being called. A mismatch re-tags the listener and the next older one is called: the only listener of a live
 * connection is never dropped on a guess. When the application closes a client, its listeners are disposed.
 *
 * Without node-redis's channels (node-redis 5.x) nothing is tagged and every listener is called, as before.
 *
 * @module
 */
import {
  addressOfClientId,
  captureAuth,
  currentNodeRedisClientId,
  installNodeRedisConnectContext,
  notifyTracedAuthFailure,
  onNodeRedisClientClosed,
  watchAuthOutcomes,
  type NodeRedisCommandContext,
} from './tracing.js';

/** A subscription as the attribution sees it. */
export interface AttributedSubscriber {
  /** The node-redis client id: tentative from the connect context, then confirmed by an AUTH trace. */
  clientId: string | undefined;
  /** Subscription order, increasing. */
  readonly order: number;
}

/** What the provider gives the attribution. */
export interface AttributionHost<S extends AttributedSubscriber> {
  /** Calls one subscriber's `onNext` (the provider's own bookkeeping included). */
  deliver(subscriber: S): void;
  /** Ends a subscription the client no longer uses. */
  dispose(subscriber: S): void;
  /** A traced re-AUTH failed on the connection at `address`. */
  reportFailure(error: unknown, address: string | undefined): void;
}

/** How long to watch a renewal round's AUTH replies, in ms. */
const AUTH_WATCH_MS = 60_000;

/** Per-provider attribution state. */
export class NodeRedisListenerAttribution<S extends AttributedSubscriber> {
  readonly #host: AttributionHost<S>;
  #order = 0;
  #unsubscribeClosed: (() => void) | undefined;
  #unwatch: (() => void) | undefined;
  #watchTimer: NodeJS.Timeout | undefined;
  /** Failures reported from the trace, whose node-redis `onReAuthenticationError` echo is to be dropped. */
  #tracedFailures = 0;

  constructor(host: AttributionHost<S>) {
    this.#host = host;
    installNodeRedisConnectContext();
  }

  /** Tags a new subscription (call synchronously at the start of `subscribe`). */
  tag(): { clientId: string | undefined; order: number } {
    return { clientId: currentNodeRedisClientId(), order: ++this.#order };
  }

  /** Starts watching application closes (first subscriber). `subscribers` is read when a client closes. */
  start(subscribers: () => Iterable<S>): void {
    this.#unsubscribeClosed ??= onNodeRedisClientClosed((clientId) => {
      for (const subscriber of [...subscribers()]) {
        if (subscriber.clientId === clientId) this.#host.dispose(subscriber);
      }
    });
  }

  /** Stops every watch (last subscriber left, or the provider closed). */
  stop(): void {
    this.#unsubscribeClosed?.();
    this.#unsubscribeClosed = undefined;
    this.#stopWatch();
  }

  /**
   * True when node-redis's `onReAuthenticationError` echoes a failure already reported with its address.
   * The trace's `error` event always precedes node-redis's own report of the same AUTH.
   */
  consumeEcho(): boolean {
    if (this.#tracedFailures === 0) return false;
    this.#tracedFailures--;
    return true;
  }

  /** Delivers a renewal: one call per node-redis client, every untagged listener. */
  deliverAll(subscribers: readonly S[]): void {
    const groups = new Map<string, S[]>();
    const untagged: S[] = [];
    for (const subscriber of subscribers) {
      if (subscriber.clientId === undefined) {
        untagged.push(subscriber);
        continue;
      }
      const group = groups.get(subscriber.clientId);
      if (group === undefined) groups.set(subscriber.clientId, [subscriber]);
      else group.push(subscriber);
    }
    const contexts = new Set<NodeRedisCommandContext>();
    const call = (subscriber: S): string | undefined => {
      const { clientId, context } = captureAuth(() => this.#host.deliver(subscriber));
      if (context !== undefined) contexts.add(context);
      if (clientId !== undefined) subscriber.clientId = clientId;
      return clientId;
    };
    for (const subscriber of untagged) call(subscriber);
    for (const [clientId, group] of groups) {
      group.sort((a, b) => b.order - a.order);
      for (let i = 0; i < group.length; i++) {
        const subscriber = group[i] as S;
        if (call(subscriber) !== clientId) continue;
        for (const older of group.slice(i + 1)) this.#host.dispose(older);
        break;
      }
    }
    if (contexts.size > 0) this.#watch(contexts);
  }

  #watch(contexts: Set<NodeRedisCommandContext>): void {
    this.#stopWatch();
    let pending = contexts.size;
    this.#unwatch = watchAuthOutcomes(contexts, (context, error) => {
      if (error !== undefined) {
        const host = typeof context.serverAddress === 'string' ? context.serverAddress : undefined;
        const port = typeof context.serverPort === 'number' ? context.serverPort : undefined;
        const address =
          host !== undefined && port !== undefined
            ? `${host}:${port}`
            : addressOfClientId(typeof context.clientId === 'string' ? context.clientId : undefined);
        this.#tracedFailures++;
        this.#host.reportFailure(error, address);
        if (typeof context.clientId === 'string') notifyTracedAuthFailure(context.clientId);
      }
      if (--pending === 0) this.#stopWatch();
    });
    this.#watchTimer = setTimeout(() => this.#stopWatch(), AUTH_WATCH_MS);
    this.#watchTimer.unref();
  }

  #stopWatch(): void {
    this.#unwatch?.();
    this.#unwatch = undefined;
    if (this.#watchTimer !== undefined) clearTimeout(this.#watchTimer);
    this.#watchTimer = undefined;
  }
}
