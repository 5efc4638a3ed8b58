// Shared by the identity integration tests and their child-process fixture: subscribe several listeners to a
// provider, wait for N tokens, close the provider at once (so no further request starts), and report what was seen.
import { subscribe as subscribeChannel, unsubscribe as unsubscribeChannel } from 'node:diagnostics_channel';
import type { EntraIdCredentialsProvider } from '../../../src/provider/entra-id-credentials-provider.js';
import type { RenewalFailedEvent, TokenRenewedEvent } from '../../../src/provider/types.js';

/** What a run observed; JSON-safe (no token values). */
export interface Observation {
  readonly tokens: number;
  readonly utis: string[];
  readonly oids: (string | undefined)[];
  readonly usernames: string[];
  /** Distinct passwords each subscriber received (initial + onNext). */
  readonly distinctPasswordsPerSubscriber: number[];
  readonly failures: { kind: string; status: number | undefined; retryable: boolean; attempt: number; retryAfterMs: number | undefined }[];
  readonly error?: string;
}

/** Hosts of every outgoing HTTP(S) request (node:http(s) and fetch) while `recording` is active. */
export function recordOutgoingHosts(): { hosts: Set<string>; stop: () => void } {
  const hosts = new Set<string>();
  const onHttp = (message: unknown): void => {
    const request = (message as { request: { host?: string; getHeader(name: string): unknown } }).request;
    hosts.add(String(request.getHeader('host') ?? request.host));
  };
  const onUndici = (message: unknown): void => {
    const request = (message as { request: { origin: string | URL } }).request;
    hosts.add(new URL(String(request.origin)).host);
  };
  subscribeChannel('http.client.request.start', onHttp);
  subscribeChannel('undici:request:create', onUndici);
  return {
    hosts,
    stop: () => {
      unsubscribeChannel('http.client.request.start', onHttp);
      unsubscribeChannel('undici:request:create', onUndici);
    },
  };
}

/**
 * Subscribes `subscribers` listeners and waits until `tokens` tokens were delivered (the first + renewals),
 * then closes the provider synchronously from the event, so the count of token requests is exact.
 */
export async function observeRenewals(
  provider: EntraIdCredentialsProvider,
  options: { tokens: number; subscribers: number; timeoutMs: number },
): Promise<Observation> {
  const renewed: TokenRenewedEvent[] = [];
  const failures: Observation['failures'] = [];
  const passwords = Array.from({ length: options.subscribers }, () => new Set<string>());
  const usernames = new Set<string>();
  let closing: Promise<void> | undefined;
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  provider.on('tokenRenewed', (event) => {
    renewed.push(event);
    if (renewed.length === options.tokens) {
      // After the subscribers got this token (same turn), well before the next renewal could start.
      setImmediate(() => {
        closing ??= provider.close();
        done();
      });
    }
  });
  provider.on('renewalFailed', (event: RenewalFailedEvent) => {
    failures.push({ kind: event.error.kind, status: event.error.status, retryable: event.error.retryable, attempt: event.attempt, retryAfterMs: event.error.retryAfterMs });
  });
  const timer = setTimeout(done, options.timeoutMs);
  let error: string | undefined;
  try {
    const subscriptions = await Promise.all(
      passwords.map((seen) =>
        provider.subscribe({
          onNext: (credentials) => {
            usernames.add(credentials.username);
            seen.add(credentials.password);
          },
          onError: () => undefined,
        }),
      ),
    );
    subscriptions.forEach(([credentials], i) => {
      usernames.add(credentials.username);
      passwords[i]?.add(credentials.password);
    });
    await finished;
  } catch (cause) {
    error = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
  } finally {
    clearTimeout(timer);
    await (closing ?? provider.close());
  }
  return {
    tokens: renewed.length,
    utis: renewed.map((event) => event.uti ?? ''),
    oids: renewed.map((event) => event.oid),
    usernames: [...usernames],
    distinctPasswordsPerSubscriber: passwords.map((seen) => seen.size),
    failures,
    ...(error === undefined ? {} : { error }),
  };
}

/** Token-manager settings for 3-second tokens: renew every ~1.2 s, retry quickly. */
export const FAST_RENEWAL = Object.freeze({
  expirationRefreshRatio: 0.4,
  lowerRefreshBoundMillis: 0,
  minRefreshIntervalMs: 500,
  tokenRequestExecutionTimeoutInMs: 5_000,
  retryPolicy: { maxAttempts: 6, delayInMs: 200, maxDelayInMs: 400, backoffMultiplier: 1.5, jitterRatio: 0 },
  failedRenewalRetryIntervalMs: 500,
  maxFailedRenewalRetryIntervalMs: 1_000,
});
