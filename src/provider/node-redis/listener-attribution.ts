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
 * Without node-redis's channels (node-redis before 5.12) nothing is tagged by the trace. Clients the application
 * watched (`watchNodeRedisClient`, `watchNodeRedisPool`, `watchNodeRedisCluster`) are hooked instead
 * (`client-hook.ts`): a call names its client, and a second listener of the same client in one renewal is found
 * to be a duplicate (nothing sent); the older of the two is then disposed. A listener of a client the
 * application closed is disposed at its first call. Every other listener is called, as before.
 *
 * A re-AUTH the trace shows refused by the server (an error reply, not a lost connection: a reconnect
 * authenticates anyway) is retried on the same connection (node-redis 6.3+ and 5.12+): after
 * {@link REAUTH_RETRY_DELAYS_MS}, the newest listener of that client is handed the current credentials again,
 * so a connection whose re-AUTH met a passing refusal recovers instead of being closed at expiry. Not for
 * watched clients (their watch reconnects them) nor for a client that reconnected meanwhile (its handshake
 * used the current token); a newer renewal cancels the retries.
 *
 * A renewal may be staggered: each client group (and each untagged listener) can be delivered after its own
 * delay. A group's calls still run inside one synchronous timer callback, so the trace attribution holds.
 * A newer renewal cancels the deliveries still pending from the previous one.
 *
 * @module
 */
import type { Clock, TimerHandle } from '../../manager/clock.js';
import {
  addressOfClientId,
  captureAuth,
  currentNodeRedisClientId,
  installNodeRedisConnectContext,
  onNodeRedisClientClosed,
  watchAuthOutcomes,
  type NodeRedisCommandContext,
} from './tracing.js';
import { captureHookedClient, type HookedOutcome } from './client-hook.js';
import { onWatchedClientReleased, takeAnnouncedSubscription } from './watch-tag.js';

/** A subscription as the attribution sees it. */
export interface AttributedSubscriber {
  /** The node-redis client id: tentative from the connect context, then confirmed by an AUTH trace. */
  clientId: string | undefined;
  /** Subscription order, increasing. */
  readonly order: number;
  /** The watched (hooked) client the listener belongs to, learnt at its first call. */
  hookTag: string | undefined;
}

/** Delays before retrying a refused re-AUTH on the same connection, in ms: one retry per entry. */
export const REAUTH_RETRY_DELAYS_MS: readonly number[] = Object.freeze([500, 2_000]);

/**
 * True for an error the Redis server replied (node-redis's `ErrorReply` family: `WRONGPASS …`, `ERR …`), false
 * for a connection that was lost or closed under the command.
 */
export function isServerReply(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  let proto = Object.getPrototypeOf(error) as object | null;
  while (proto !== null) {
    if ((proto as { constructor?: { name?: unknown } }).constructor?.name === 'ErrorReply') return true;
    proto = Object.getPrototypeOf(proto) as object | null;
  }
  return /^[A-Z][A-Z_]+ /.test(error.message);
}

/** What the provider gives the attribution. */
export interface AttributionHost<S extends AttributedSubscriber> {
  /** Calls one subscriber's `onNext` (the provider's own bookkeeping included); `again`: even with the same token. */
  deliver(subscriber: S, again?: boolean): void;
  /** Ends a subscription the client no longer uses. */
  dispose(subscriber: S): void;
  /** A traced re-AUTH failed on the connection at `address`. */
  reportFailure(error: unknown, address: string | undefined): void;
  /** Timers for staggered deliveries (unref'd). */
  readonly clock: Pick<Clock, 'setTimeout'>;
}

/** How long to watch a renewal round's AUTH replies, in ms. */
const AUTH_WATCH_MS = 60_000;

/** Per-provider attribution state. */
export class NodeRedisListenerAttribution<S extends AttributedSubscriber> {
  readonly #host: AttributionHost<S>;
  #order = 0;
  #unsubscribeClosed: (() => void) | undefined;
  #unsubscribeReleased: (() => void) | undefined;
  #unwatch: (() => void) | undefined;
  #watchTimer: NodeJS.Timeout | undefined;
  /** The current round's `AUTH` trace contexts (read live by the watch) and how many are still unsettled. */
  #contexts = new Set<NodeRedisCommandContext>();
  #unsettled = 0;
  /** The current round's deliveries not yet made. */
  readonly #pending = new Set<TimerHandle>();
  /** Failures reported from the trace, whose node-redis `onReAuthenticationError` echo is to be dropped. */
  #tracedFailures = 0;
  /** The current round: per hooked client, the listener whose call forwarded the `AUTH`. */
  readonly #forwarded = new Map<string, S>();
  /** The subscriptions, as given to {@link NodeRedisListenerAttribution.start}. */
  #subscribers: (() => Iterable<S>) | undefined;
  /** Retries of refused re-AUTHs made so far in this round, per client id. */
  readonly #retries = new Map<string, number>();

  constructor(host: AttributionHost<S>) {
    this.#host = host;
    installNodeRedisConnectContext();
  }

  /**
   * Tags a new subscription (call synchronously at the start of `subscribe`). `supersedes` is true when the tag
   * comes from a `watchNodeRedisClient` announcement (node-redis before 5.12): the client's older listeners are then
   * known to be stale at once (see {@link NodeRedisListenerAttribution.supersedeOlder}).
   */
  tag(): { clientId: string | undefined; order: number; supersedes: boolean } {
    const traced = currentNodeRedisClientId();
    const announced = takeAnnouncedSubscription();
    if (traced !== undefined) return { clientId: traced, order: ++this.#order, supersedes: false };
    return { clientId: announced, order: ++this.#order, supersedes: announced !== undefined };
  }

  /**
   * Disposes the listeners that `newest` replaces: same watched client, subscribed earlier. node-redis subscribes
   * once per (re)connect handshake and only the newest subscription is its own; every older one is a leak.
   */
  supersedeOlder(newest: S & { supersedes: boolean }, subscribers: Iterable<S>): void {
    if (!newest.supersedes || newest.clientId === undefined) return;
    for (const subscriber of [...subscribers]) {
      if (subscriber !== newest && subscriber.clientId === newest.clientId && subscriber.order < newest.order) {
        this.#host.dispose(subscriber);
      }
    }
  }

  /** Starts watching application closes (first subscriber). `subscribers` is read when a client closes. */
  start(subscribers: () => Iterable<S>): void {
    this.#subscribers = subscribers;
    const release = (clientId: string): void => {
      for (const subscriber of [...subscribers()]) {
        if (subscriber.clientId === clientId || subscriber.hookTag === clientId) this.#host.dispose(subscriber);
      }
    };
    this.#unsubscribeClosed ??= onNodeRedisClientClosed(release);
    this.#unsubscribeReleased ??= onWatchedClientReleased(release);
  }

  /** Stops every watch and cancels pending deliveries (last subscriber left, or the provider closed). */
  stop(): void {
    this.#unsubscribeClosed?.();
    this.#unsubscribeClosed = undefined;
    this.#unsubscribeReleased?.();
    this.#unsubscribeReleased = undefined;
    this.#endRound();
  }

  /** Number of deliveries scheduled and not yet made (for tests and diagnostics). */
  get pendingCount(): number {
    return this.#pending.size;
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

  /**
   * Delivers a renewal: one call per node-redis client, every untagged listener. Each of those units waits
   * `delayMs()` first (`0`: delivered now, synchronously). Cancels what the previous renewal left pending.
   */
  deliverAll(subscribers: readonly S[], delayMs: () => number = () => 0): void {
    this.#endRound();
    const groups = new Map<string, S[]>();
    const units: (() => void)[] = [];
    for (const subscriber of subscribers) {
      if (subscriber.clientId === undefined) {
        units.push(() => {
          this.#call(subscriber);
        });
        continue;
      }
      const group = groups.get(subscriber.clientId);
      if (group === undefined) groups.set(subscriber.clientId, [subscriber]);
      else group.push(subscriber);
    }
    for (const [clientId, group] of groups) {
      group.sort((a, b) => b.order - a.order);
      units.push(() => {
        for (let i = 0; i < group.length; i++) {
          const subscriber = group[i] as S;
          if (this.#call(subscriber) !== clientId) continue;
          for (const older of group.slice(i + 1)) this.#host.dispose(older);
          break;
        }
      });
    }
    for (const unit of units) {
      const delay = delayMs();
      if (!(delay > 0)) {
        unit();
        continue;
      }
      const timer = this.#host.clock.setTimeout(() => {
        if (!this.#pending.delete(timer)) return;
        unit();
        this.#stopWatchIfDone();
      }, delay);
      this.#pending.add(timer);
    }
  }

  /**
   * Calls one subscriber inside `captureAuth`, watches the AUTH it sent; returns the client id of that AUTH.
   * A hooked client's answer settles leftovers: a closed client's listener is disposed, and of two listeners of
   * one client in the same renewal the older is disposed (node-redis keeps only the newest).
   */
  #call(subscriber: S, again = false): string | undefined {
    let traced: ReturnType<typeof captureAuth> = { clientId: undefined, context: undefined };
    const hooked = captureHookedClient(() => {
      traced = captureAuth(() => this.#host.deliver(subscriber, again));
    });
    const { clientId, context } = traced;
    if (context !== undefined) this.#watch(context);
    if (clientId !== undefined) subscriber.clientId = clientId;
    if (hooked.tag !== undefined) this.#settleHooked(subscriber, hooked.tag, hooked.outcome);
    return clientId;
  }

  #settleHooked(subscriber: S, tag: string, outcome: HookedOutcome | undefined): void {
    subscriber.hookTag = tag;
    if (outcome === 'closed') {
      this.#host.dispose(subscriber);
      return;
    }
    const other = this.#forwarded.get(tag);
    if (outcome === 'forwarded' || other === undefined) {
      this.#forwarded.set(tag, subscriber);
      return;
    }
    if (other === subscriber) return;
    const [older, newer] = other.order < subscriber.order ? [other, subscriber] : [subscriber, other];
    this.#forwarded.set(tag, newer);
    this.#host.dispose(older);
  }

  /** Cancels the current round's pending deliveries and stops watching its AUTHs. */
  #endRound(): void {
    for (const timer of this.#pending) timer.cancel();
    this.#pending.clear();
    this.#forwarded.clear();
    this.#retries.clear();
    this.#stopWatch();
  }

  #watch(context: NodeRedisCommandContext): void {
    this.#contexts.add(context);
    this.#unsettled++;
    this.#unwatch ??= watchAuthOutcomes(this.#contexts, (settled, error) => {
      if (error !== undefined) {
        const host = typeof settled.serverAddress === 'string' ? settled.serverAddress : undefined;
        const port = typeof settled.serverPort === 'number' ? settled.serverPort : undefined;
        const address =
          host !== undefined && port !== undefined
            ? `${host}:${port}`
            : addressOfClientId(typeof settled.clientId === 'string' ? settled.clientId : undefined);
        this.#tracedFailures++;
        this.#host.reportFailure(error, address);
        if (typeof settled.clientId === 'string' && isServerReply(error)) this.#retryLater(settled.clientId);
      }
      this.#unsettled--;
      this.#stopWatchIfDone();
    });
    // Each AUTH is watched for AUTH_WATCH_MS after the latest one was sent.
    if (this.#watchTimer !== undefined) clearTimeout(this.#watchTimer);
    this.#watchTimer = setTimeout(() => this.#stopWatch(), AUTH_WATCH_MS);
    this.#watchTimer.unref();
  }

  /** Schedules the next retry of `clientId`'s refused re-AUTH, if any is left (see the module comment). */
  #retryLater(clientId: string): void {
    const attempt = this.#retries.get(clientId) ?? 0;
    const delay = REAUTH_RETRY_DELAYS_MS[attempt];
    if (delay === undefined) return;
    const listener = this.#newestOf(clientId);
    if (listener === undefined || listener.hookTag !== undefined) return;
    this.#retries.set(clientId, attempt + 1);
    const timer = this.#host.clock.setTimeout(() => {
      if (!this.#pending.delete(timer)) return;
      // Still the connection that was refused: no reconnect (a newer listener) and not disposed since.
      if (this.#newestOf(clientId) === listener) this.#call(listener, true);
      this.#stopWatchIfDone();
    }, delay);
    this.#pending.add(timer);
  }

  /** The newest subscription of a node-redis client id (node-redis's own listener for its live connection). */
  #newestOf(clientId: string): S | undefined {
    let newest: S | undefined;
    for (const subscriber of this.#subscribers?.() ?? []) {
      if (subscriber.clientId === clientId && (newest === undefined || subscriber.order > newest.order)) newest = subscriber;
    }
    return newest;
  }

  #stopWatchIfDone(): void {
    if (this.#unwatch !== undefined && this.#unsettled <= 0 && this.#pending.size === 0) this.#stopWatch();
  }

  #stopWatch(): void {
    this.#unwatch?.();
    this.#unwatch = undefined;
    this.#contexts = new Set();
    this.#unsettled = 0;
    if (this.#watchTimer !== undefined) clearTimeout(this.#watchTimer);
    this.#watchTimer = undefined;
  }
}
