import { ConfigurationError } from '../../errors.js';

/** Which token endpoints a fault applies to: the OAuth token endpoint, the managed-identity endpoints, or both. */
export type FaultEndpoint = 'token' | 'managed-identity' | 'any';

/** A fault the emulator can inject into a token request. */
export type InjectedFault =
  /** Answer with this HTTP status and an Entra-like error body. */
  | { readonly kind: 'status'; readonly status: number }
  /** Answer 429 with `Retry-After` (seconds; default 1). */
  | { readonly kind: '429'; readonly retryAfterSeconds?: number }
  /** Never answer (until the client gives up or the emulator closes). */
  | { readonly kind: 'hang' }
  /** Answer 200 with a body that is not JSON. */
  | { readonly kind: 'malformed-json' }
  /** Answer 200 with a valid token that lacks the `oid` claim. */
  | { readonly kind: 'token-without-oid' }
  /** Answer 200 with a token whose `exp` has passed (the response still reports the usual `expires_in`). */
  | { readonly kind: 'expired-token' }
  /** Destroy the socket without answering. */
  | { readonly kind: 'reset' };

/** The kinds of {@link InjectedFault}, plus `outage` for requests failed by {@link FaultInjector.setOutage}. */
export type InjectedFaultKind = InjectedFault['kind'] | 'outage';

/** Options of the fault methods. */
export interface FaultScope {
  /** Which endpoints the fault applies to. Default `'any'`. */
  readonly endpoint?: FaultEndpoint;
}

interface Queued {
  remaining: number;
  readonly fault: InjectedFault;
  readonly endpoint: FaultEndpoint;
}

const KINDS = new Set(['status', '429', 'hang', 'malformed-json', 'token-without-oid', 'expired-token', 'reset']);
const ENDPOINTS = new Set(['token', 'managed-identity', 'any']);

const matches = (scope: FaultEndpoint, endpoint: 'token' | 'managed-identity'): boolean => scope === 'any' || scope === endpoint;

function checkScope(scope: FaultScope | undefined): FaultEndpoint {
  const endpoint = scope?.endpoint ?? 'any';
  if (!ENDPOINTS.has(endpoint)) throw new ConfigurationError('faults.endpoint', `must be "token", "managed-identity" or "any", got ${String(endpoint)}`);
  return endpoint;
}

/**
 * Run-time fault injection for the emulator's token endpoints (the OAuth token endpoint and the managed-identity
 * endpoints; discovery documents are never faulted). Faults queued by {@link failNext} apply in order.
 */
export class FaultInjector {
  readonly #queue: Queued[] = [];
  #latency: { ms: number; endpoint: FaultEndpoint } = { ms: 0, endpoint: 'any' };
  #outage: FaultEndpoint | undefined;
  readonly #injected = new Map<InjectedFaultKind, number>();

  /**
   * Makes the next `count` token requests (on `scope.endpoint`, default any) fail with `fault`.
   * @param count - how many requests, an integer >= 1.
   */
  failNext(count: number, fault: InjectedFault, scope?: FaultScope): void {
    if (!Number.isInteger(count) || count < 1) throw new ConfigurationError('faults.failNext.count', `must be an integer >= 1, got ${String(count)}`);
    if (!KINDS.has(fault.kind)) throw new ConfigurationError('faults.failNext.fault.kind', `is not a known fault kind: ${String(fault.kind)}`);
    if (fault.kind === 'status' && (!Number.isInteger(fault.status) || fault.status < 400 || fault.status > 599)) {
      throw new ConfigurationError('faults.failNext.fault.status', `must be an HTTP error status 400-599, got ${String(fault.status)}`);
    }
    if (fault.kind === '429' && fault.retryAfterSeconds !== undefined && !(Number.isInteger(fault.retryAfterSeconds) && fault.retryAfterSeconds >= 0)) {
      throw new ConfigurationError('faults.failNext.fault.retryAfterSeconds', `must be an integer >= 0, got ${String(fault.retryAfterSeconds)}`);
    }
    this.#queue.push({ remaining: count, fault, endpoint: checkScope(scope) });
  }

  /** Delays every token request's answer by `ms` milliseconds (0 turns it off). */
  setLatency(ms: number, scope?: FaultScope): void {
    if (!Number.isFinite(ms) || ms < 0) throw new ConfigurationError('faults.setLatency.ms', `must be a number of milliseconds >= 0, got ${String(ms)}`);
    this.#latency = { ms, endpoint: checkScope(scope) };
  }

  /** While on, every token request fails with 503 (queued faults wait until it is off). */
  setOutage(on: boolean, scope?: FaultScope): void {
    this.#outage = on ? checkScope(scope) : undefined;
  }

  /** Removes every queued fault, the latency and the outage. Counters are kept. */
  clear(): void {
    this.#queue.length = 0;
    this.#latency = { ms: 0, endpoint: 'any' };
    this.#outage = undefined;
  }

  /** How many queued faults are left. */
  get pending(): number {
    return this.#queue.reduce((sum, q) => sum + q.remaining, 0);
  }

  /** Faults injected so far, by kind. */
  injectedCounts(): Readonly<Record<string, number>> {
    return Object.fromEntries(this.#injected);
  }

  /** @internal The latency to apply to a request on `endpoint`, in ms. */
  latencyFor(endpoint: 'token' | 'managed-identity'): number {
    return matches(this.#latency.endpoint, endpoint) ? this.#latency.ms : 0;
  }

  /** @internal Takes the fault for the current request on `endpoint`, if any, and counts it. */
  take(endpoint: 'token' | 'managed-identity'): { readonly fault: InjectedFault; readonly kind: InjectedFaultKind } | undefined {
    if (this.#outage !== undefined && matches(this.#outage, endpoint)) {
      this.#count('outage');
      return { fault: { kind: 'status', status: 503 }, kind: 'outage' };
    }
    const index = this.#queue.findIndex((q) => matches(q.endpoint, endpoint));
    const queued = this.#queue[index];
    if (!queued) return undefined;
    queued.remaining -= 1;
    if (queued.remaining === 0) this.#queue.splice(index, 1);
    this.#count(queued.fault.kind);
    return { fault: queued.fault, kind: queued.fault.kind };
  }

  #count(kind: InjectedFaultKind): void {
    this.#injected.set(kind, (this.#injected.get(kind) ?? 0) + 1);
  }
}
