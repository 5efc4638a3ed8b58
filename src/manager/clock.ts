/** A handle returned by {@link Clock.setTimeout}. */
export interface TimerHandle {
  /** Cancels the timer. Safe to call more than once. */
  cancel(): void;
}

/**
 * Time as the token manager sees it. Inject a fake one in tests; the default is {@link systemClock}.
 * Timers created through a clock must not keep the process alive.
 */
export interface Clock {
  /** Now, in milliseconds since the epoch. */
  now(): number;
  /** Runs `callback` after `delayMs` milliseconds, without keeping the process alive. */
  setTimeout(callback: () => void, delayMs: number): TimerHandle;
}

/** The real clock: `Date.now()` and `unref()`ed timers. */
export const systemClock: Clock = Object.freeze({
  now: () => Date.now(),
  setTimeout(callback: () => void, delayMs: number): TimerHandle {
    const timer = setTimeout(callback, Math.max(0, delayMs));
    timer.unref();
    return { cancel: () => clearTimeout(timer) };
  },
});
