import type { Clock, TimerHandle } from '../../src/manager/clock.js';

interface FakeTimer {
  readonly id: number;
  readonly dueMs: number;
  readonly callback: () => void;
}

/** Lets every queued microtask (and promise chain) run: resolves on the next turn of the event loop. */
export function flushMicrotasks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * A {@link Clock} whose time only moves when told. `advance(ms)` runs due timers in order of due time (then
 * creation), setting `now()` to each timer's due time and letting promise chains settle between them.
 */
export class FakeClock implements Clock {
  #now: number;
  #nextId = 1;
  #timers: FakeTimer[] = [];
  /** Every delay passed to setTimeout, in order (for assertions). */
  readonly delays: number[] = [];

  /** @param startMs - the initial time, ms since the epoch; default 2030-01-01T00:00:00Z. */
  constructor(startMs = Date.UTC(2030, 0, 1)) {
    this.#now = startMs;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(callback: () => void, delayMs: number): TimerHandle {
    const delay = Math.max(0, delayMs);
    this.delays.push(delay);
    const timer: FakeTimer = { id: this.#nextId++, dueMs: this.#now + delay, callback };
    this.#timers.push(timer);
    return {
      cancel: () => {
        this.#timers = this.#timers.filter((t) => t !== timer);
      },
    };
  }

  /** Number of pending timers. */
  get pendingCount(): number {
    return this.#timers.length;
  }

  /** Delays (from now) of the pending timers, soonest first. */
  pendingDelays(): number[] {
    return this.#sorted().map((t) => t.dueMs - this.#now);
  }

  /** Moves time forward by `ms`, running every timer that falls due, in order. */
  async advance(ms: number): Promise<void> {
    const target = this.#now + ms;
    await flushMicrotasks();
    for (;;) {
      const next = this.#sorted()[0];
      if (next === undefined || next.dueMs > target) break;
      this.#timers = this.#timers.filter((t) => t !== next);
      this.#now = Math.max(this.#now, next.dueMs);
      next.callback();
      await flushMicrotasks();
    }
    this.#now = target;
    await flushMicrotasks();
  }

  /** Runs the next pending timer (moving time to it); returns its delay from the previous now, or undefined. */
  async runNext(): Promise<number | undefined> {
    const next = this.#sorted()[0];
    if (next === undefined) return undefined;
    const delay = next.dueMs - this.#now;
    await this.advance(delay);
    return delay;
  }

  #sorted(): FakeTimer[] {
    return [...this.#timers].sort((a, b) => a.dueMs - b.dueMs || a.id - b.id);
  }
}
