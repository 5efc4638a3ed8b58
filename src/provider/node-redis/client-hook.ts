/**
 * A hook on a watched node-redis client's re-authentication entry point: while the provider calls one credentials
 * listener, it learns which client the listener belongs to and what became of the `AUTH` it asked for.
 *
 * node-redis (5.x and 6.x) passes `subscribe()` a fresh listener on every (re)connect; its `onNext(credentials)`
 * calls the client's own `reAuthenticate(credentials)` synchronously. That is a per-instance function property
 * (TypeScript-private in node-redis's types), so replacing it on a client we hold lets us:
 * - name the client of a listener without diagnostics channels (node-redis before 5.12, pool members and
 *   cluster nodes included);
 * - send one `AUTH` per client per token even when node-redis leaked older listeners of the same client
 *   (a second call with the same credentials is answered without sending anything);
 * - skip listeners left over by a client the application closed;
 * - see a refused re-`AUTH` on that very client, so the watch can reconnect it;
 * - see node-redis skip the `AUTH` (a RESP2 connection in subscribe mode cannot take it): while node-redis's own
 *   `reAuthenticate` runs, the client's `sendCommand` is watched for that call, so no guess about the protocol
 *   (node-redis 6 defaults to RESP3, 5.x to RESP2) is needed.
 *
 * When a client has no such property (another node-redis line), nothing is hooked and the client keeps working
 * as before; only these extras are lost.
 *
 * @module
 */

/** The parts of a node-redis client the hook touches. */
export interface HookableNodeRedisClient {
  /** node-redis: the client is open (connected or reconnecting), i.e. not closed by the application. */
  readonly isOpen: boolean;
}

/** What the hooked client did for one listener call, as seen by {@link captureHookedClient}. */
export type HookedOutcome =
  /** The `AUTH` was passed on to node-redis. */
  | 'forwarded'
  /** The client already took these credentials (from another listener of its own): nothing was sent. */
  | 'duplicate'
  /** The client was closed by the application: the listener is a leftover, nothing was sent. */
  | 'closed';

/** What {@link captureHookedClient} saw while `fn` ran. */
export interface HookedCall {
  /** Tag of the hooked client the listener belongs to; undefined when no hooked client answered. */
  readonly tag: string | undefined;
  /** What that client did; undefined when no hooked client answered. */
  readonly outcome: HookedOutcome | undefined;
}

type ReAuthenticate = (credentials: object) => Promise<unknown>;

let current: { tag: string | undefined; outcome: HookedOutcome | undefined } | undefined;

/** Runs `fn` (one listener's `onNext`) and reports which hooked client answered it, if any. */
export function captureHookedClient(fn: () => void): HookedCall {
  const previous = current;
  const seen: { tag: string | undefined; outcome: HookedOutcome | undefined } = { tag: undefined, outcome: undefined };
  current = seen;
  try {
    fn();
  } finally {
    current = previous;
  }
  return seen;
}

/**
 * The address of the hooked client whose forwarded `AUTH` was just refused. node-redis's own listener reacts to
 * the same rejection right after the hook does and hands the provider an error without an address; the provider
 * takes this one then. Cleared at the end of that run of reactions.
 */
let refusedAddress: string | undefined;

/** The address of the connection whose re-`AUTH` a hooked client just saw refused (see above), at most once. */
export function takeRefusedAddress(): string | undefined {
  const address = refusedAddress;
  refusedAddress = undefined;
  return address;
}

function report(tag: string, outcome: HookedOutcome): void {
  if (current === undefined || current.tag !== undefined) return;
  current.tag = tag;
  current.outcome = outcome;
}

/**
 * The object that holds `reAuthenticate` as its own property: the client itself, or the instance behind it —
 * node-redis hands out `Object.create(instance)` views (and `withTypeMapping()`-style proxies), while its
 * listeners call the instance.
 */
function instanceOwning(client: object): { reAuthenticate: unknown } | undefined {
  let candidate: object | null = client;
  for (let depth = 0; candidate !== null && depth < 8; depth++) {
    if (Object.prototype.hasOwnProperty.call(candidate, 'reAuthenticate')) {
      const owner = candidate as { reAuthenticate: unknown };
      return typeof owner.reAuthenticate === 'function' ? owner : undefined;
    }
    candidate = Object.getPrototypeOf(candidate) as object | null;
  }
  return undefined;
}

/**
 * Runs `fn` (node-redis's `reAuthenticate`) and tells whether it called the instance's `sendCommand` meanwhile
 * (synchronously: node-redis sends the `AUTH` before its first `await`). The instance's own `sendCommand` is
 * shadowed for that call only and restored at once.
 */
function callWatchingSend(instance: object, fn: () => Promise<unknown>): { result: Promise<unknown>; sent: boolean } {
  const target = instance as { sendCommand?: unknown };
  const send = target.sendCommand;
  if (typeof send !== 'function') return { result: fn(), sent: true };
  const hadOwn = Object.prototype.hasOwnProperty.call(target, 'sendCommand');
  let sent = false;
  target.sendCommand = function (this: unknown, ...args: unknown[]): unknown {
    sent = true;
    return (send as (...a: unknown[]) => unknown).apply(this, args);
  };
  try {
    return { result: fn(), sent };
  } finally {
    if (hadOwn) target.sendCommand = send;
    else delete target.sendCommand;
  }
}

/**
 * Hooks `client.reAuthenticate` (see the module comment).
 *
 * @param client - a node-redis client (standalone, pool member or cluster node).
 * @param tag - the name the client is reported under.
 * @param onRefused - called when an `AUTH` the hook forwarded was rejected (refused by the server, or the
 *   connection dropped under it); never throws into node-redis.
 * @param address - the client's `host:port`, for the provider's `reAuthenticationFailed` event.
 * @param onSkipped - called when node-redis skipped the `AUTH` it was asked for (RESP2 subscriber).
 * @returns a function that removes the hook (idempotent), or undefined when the client cannot be hooked.
 */
export function hookReAuthenticate(
  client: HookableNodeRedisClient,
  tag: string,
  onRefused: (error: unknown) => void,
  address?: () => string | undefined,
  onSkipped?: () => void,
): (() => void) | undefined {
  const target = instanceOwning(client);
  if (target === undefined) return undefined;
  const original = target.reAuthenticate as ReAuthenticate;
  // The credentials object last forwarded (the provider hands out one frozen object per token) and whether it failed.
  let last: object | undefined;
  let lastFailed = false;
  const hooked: ReAuthenticate = (credentials) => {
    if (!client.isOpen) {
      report(tag, 'closed');
      return Promise.resolve();
    }
    if (credentials === last && !lastFailed) {
      report(tag, 'duplicate');
      return Promise.resolve();
    }
    report(tag, 'forwarded');
    last = credentials;
    lastFailed = false;
    const { result, sent } = callWatchingSend(target, () => original.call(target, credentials));
    if (!sent && onSkipped !== undefined) {
      try {
        onSkipped();
      } catch {
        // as for onRefused: never into node-redis
      }
    }
    result.then(undefined, (error: unknown) => {
      if (last !== credentials) return;
      lastFailed = true;
      const refusedAt = address?.();
      if (refusedAt !== undefined) {
        refusedAddress = refusedAt;
        queueMicrotask(() => {
          if (refusedAddress === refusedAt) refusedAddress = undefined;
        });
      }
      try {
        onRefused(error);
      } catch {
        // A watch callback must not turn node-redis's own handling of this failure into an unhandled error.
      }
    });
    return result;
  };
  target.reAuthenticate = hooked;
  return () => {
    if (target.reAuthenticate === hooked) target.reAuthenticate = original;
  };
}
