/** A map from event name to its argument tuple. */
export type EventMap<E> = { [K in keyof E]: unknown[] };

interface Entry<A extends unknown[]> {
  readonly fn: (...args: A) => void;
  readonly once: boolean;
}

/**
 * A small typed event emitter that never throws into its caller: a listener that throws is reported to
 * `onListenerError` (and otherwise ignored), and the other listeners still run. No special `error` event.
 */
export class TypedEvents<E extends EventMap<E>> {
  readonly #listeners = new Map<keyof E, Entry<never>[]>();
  readonly #onListenerError: (event: keyof E, error: unknown) => void;

  /** @param onListenerError - told when a listener throws; must not throw itself. */
  constructor(onListenerError: (event: keyof E, error: unknown) => void) {
    this.#onListenerError = onListenerError;
  }

  on<K extends keyof E>(event: K, fn: (...args: E[K]) => void, once = false): void {
    const list = (this.#listeners.get(event) ?? []) as Entry<E[K]>[];
    list.push({ fn, once });
    this.#listeners.set(event, list as Entry<never>[]);
  }

  off<K extends keyof E>(event: K, fn: (...args: E[K]) => void): void {
    const list = this.#listeners.get(event) as Entry<E[K]>[] | undefined;
    if (list === undefined) return;
    const index = list.findIndex((entry) => entry.fn === fn);
    if (index >= 0) list.splice(index, 1);
    if (list.length === 0) this.#listeners.delete(event);
  }

  /** Calls every listener of `event`; returns whether there was any. Never throws. */
  emit<K extends keyof E>(event: K, ...args: E[K]): boolean {
    const list = this.#listeners.get(event) as Entry<E[K]>[] | undefined;
    if (list === undefined || list.length === 0) return false;
    for (const entry of [...list]) {
      if (entry.once) {
        const index = list.indexOf(entry);
        if (index >= 0) list.splice(index, 1);
      }
      try {
        entry.fn(...args);
      } catch (error) {
        try {
          this.#onListenerError(event, error);
        } catch {
          // nothing more can be done
        }
      }
    }
    return true;
  }

  /** Number of listeners of `event`. */
  listenerCount(event: keyof E): number {
    return this.#listeners.get(event)?.length ?? 0;
  }

  /** Removes every listener. */
  clear(): void {
    this.#listeners.clear();
  }
}
