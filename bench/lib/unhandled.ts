/**
 * Counts the peer's unhandled promise rejections instead of letting them end the run. `@redis/client`'s
 * `TokenManager` rejects without a handler ("TokenManager is not running …") when it is stopped while a
 * refresh is in flight; under Node's default `--unhandled-rejections=throw` that ends the process. Any other
 * unhandled rejection (ours included) is re-thrown and still ends the run.
 */
const PEER_STOP_RACE = /^TokenManager is not running/;

export interface RejectionTracker {
  /** Peer rejections seen so far. */
  peer(): number;
  dispose(): void;
}

export function trackPeerRejections(): RejectionTracker {
  let peer = 0;
  const handler = (reason: unknown): void => {
    if (reason instanceof Error && PEER_STOP_RACE.test(reason.message)) {
      peer++;
      return;
    }
    throw reason;
  };
  process.on('unhandledRejection', handler);
  return { peer: () => peer, dispose: () => process.off('unhandledRejection', handler) };
}
