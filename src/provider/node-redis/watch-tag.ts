/**
 * Client identity for node-redis versions without diagnostics channels (5.x before 5.12), given by
 * `watchNodeRedisClient`.
 *
 * node-redis emits `connect` and then, in the same synchronous run, calls the credentials provider's
 * `subscribe` for that connection's handshake. The watch's `connect` listener announces its client here; the
 * `subscribe` that follows takes the announcement. An announcement nobody took is dropped at the end of the run
 * (a microtask), so it can never be attributed to another client's later subscription.
 *
 * @module
 */

let announced: string | undefined;
let watches = 0;

/** A new id for one watched client. */
export function newWatchTag(): string {
  return `watch:${++watches}`;
}

/** Announces that the next `subscribe` in this synchronous run comes from the client tagged `tag`. */
export function announceSubscription(tag: string): void {
  announced = tag;
  queueMicrotask(() => {
    if (announced === tag) announced = undefined;
  });
}

/** Takes the announcement of the current synchronous run, if any. */
export function takeAnnouncedSubscription(): string | undefined {
  const tag = announced;
  announced = undefined;
  return tag;
}

const releaseHandlers = new Set<(tag: string) => void>();

/** Calls `handler(tag)` whenever a watched client ended (closed by the application). Returns an unsubscribe. */
export function onWatchedClientReleased(handler: (tag: string) => void): () => void {
  releaseHandlers.add(handler);
  return () => {
    releaseHandlers.delete(handler);
  };
}

/** A watched client ended: its subscriptions are over (node-redis before 5.12 does not always dispose them). */
export function releaseWatchedClient(tag: string): void {
  for (const handler of [...releaseHandlers]) handler(tag);
}
