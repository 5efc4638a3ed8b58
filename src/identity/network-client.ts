import { AuthError, type INetworkModule, type NetworkRequestOptions, type NetworkResponse } from '@azure/msal-node';
import { parseRetryAfterMs } from '../manager/retry.js';

/** What the last 429/5xx answer that carried a `Retry-After` asked for. */
export interface RetryAfterRecord {
  /** HTTP status of that answer. */
  readonly status: number;
  /** How long to wait, in ms, counted from when the answer arrived. */
  readonly retryAfterMs: number;
  /** When the answer arrived, in ms since the epoch. */
  readonly atMs: number;
}

/**
 * msal-node's `system.networkClient` on top of the global `fetch`, doing what msal's own `HttpClient` does
 * (same errors: `network_error` for a failed or timed-out request, `token_parsing_error` for a body that is not
 * JSON) plus two things msal cannot:
 *
 * - it remembers the `Retry-After` (seconds or HTTP date) of the last 429/5xx answer, which msal's `ServerError`
 *   drops, so the provider can hand it to the token manager;
 * - each request is also aborted by the signal of the current token request (`setSignal`), so a timed-out or
 *   closed request does not leave its socket open.
 *
 * Errors never carry the request body (it holds `client_secret` / `client_assertion`) or the URL's query.
 */
export class FetchNetworkClient implements INetworkModule {
  #signal: AbortSignal | undefined;
  #retryAfter: RetryAfterRecord | undefined;
  readonly #now: () => number;

  /** @param now - clock for HTTP-date `Retry-After` values, in ms since the epoch; default `Date.now`. */
  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** The signal that aborts requests from now on (the current token request's); undefined for none. */
  setSignal(signal: AbortSignal | undefined): void {
    this.#signal = signal;
  }

  /** Returns and forgets the last recorded `Retry-After`. */
  takeRetryAfter(): RetryAfterRecord | undefined {
    const record = this.#retryAfter;
    this.#retryAfter = undefined;
    return record;
  }

  sendGetRequestAsync<T>(url: string, options?: NetworkRequestOptions, timeout?: number): Promise<NetworkResponse<T>> {
    return this.#send<T>(url, 'GET', options, timeout);
  }

  sendPostRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    return this.#send<T>(url, 'POST', options, undefined);
  }

  async #send<T>(url: string, method: 'GET' | 'POST', options: NetworkRequestOptions | undefined, timeoutMs: number | undefined): Promise<NetworkResponse<T>> {
    const signals: AbortSignal[] = [];
    if (this.#signal !== undefined) signals.push(this.#signal);
    if (timeoutMs !== undefined && timeoutMs > 0) signals.push(AbortSignal.timeout(timeoutMs));
    const init: RequestInit = { method, headers: new Headers(options?.headers ?? {}) };
    if (signals.length > 0) init.signal = signals.length === 1 ? signals[0] : AbortSignal.any(signals);
    if (method === 'POST') init.body = options?.body ?? '';

    let response: Response;
    try {
      response = await fetch(url, init);
    } catch (cause) {
      const aborted = cause instanceof Error && (cause.name === 'AbortError' || cause.name === 'TimeoutError');
      const detail = aborted ? 'Request timeout' : `Network request failed: ${describe(cause)}`;
      throw authError('network_error', detail, cause);
    }

    const headers: Record<string, string> = {};
    response.headers.forEach((value, key) => {
      headers[key] = value;
    });
    if (response.status === 429 || response.status >= 500) {
      const atMs = this.#now();
      const retryAfterMs = parseRetryAfterMs(headers['retry-after'], atMs);
      if (retryAfterMs !== undefined) this.#retryAfter = { status: response.status, retryAfterMs, atMs };
    }
    let body: T;
    try {
      body = (await response.json()) as T;
    } catch (cause) {
      throw authError('token_parsing_error', `Failed to parse response: ${describe(cause)}`, cause);
    }
    return { headers, body, status: response.status };
  }
}

/** An msal `AuthError` (msal rethrows those as they are; anything else becomes a bare `network_error`). */
function authError(code: string, detail: string, cause: unknown): AuthError {
  const error = new AuthError(code, '', detail);
  Object.defineProperty(error, 'cause', { value: cause, enumerable: false, writable: true, configurable: true });
  return error;
}

/** The error's message and its cause's code: never the request, which holds the secret. */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return 'unknown';
  const cause: unknown = error.cause;
  const code = typeof cause === 'object' && cause !== null ? (cause as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? `${error.message} (${code})` : error.message;
}
