/**
 * A guard around the global `fetch` (msal-node's only HTTP path): loopback URLs pass, anything else is
 * recorded and refused locally, as a network error, without leaving the machine.
 */
export interface FetchGuard {
  /** Non-loopback URLs that were refused (query strings removed). */
  readonly blocked: string[];
  restore(): void;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

export function guardFetch(): FetchGuard {
  const original = globalThis.fetch;
  const blocked: string[] = [];
  const guarded: typeof fetch = async (input, init) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    if (!LOOPBACK.has(url.hostname)) {
      blocked.push(`${url.origin}${url.pathname}`);
      throw new TypeError('fetch failed (blocked by the benchmark: not a loopback address)');
    }
    return original(input, init);
  };
  globalThis.fetch = guarded;
  return {
    blocked,
    restore: () => {
      globalThis.fetch = original;
    },
  };
}
