// The scenario every factory goes through, in the test process or in a child process: two real node-redis
// clients (one RESP3, one RESP2) share one provider through the emulator's TLS gate and run INCRs without pause
// until the provider delivered `tokens` tokens (the first + renewals); then traffic stops, each client runs
// ACL WHOAMI (queued behind the last re-AUTH, so that AUTH reached the gate), clients close, the provider closes.
// The result is JSON-safe (no token values) so a child process can print it for the parent to assert.
import { createClient } from 'redis';
import type { EntraIdCredentialsProvider } from '../../../src/provider/entra-id-credentials-provider.js';

/** Where the gate is and which CA signed its certificate. */
export interface GateTarget {
  readonly host: string;
  readonly port: number;
  readonly caPem: string;
}

/** What one client did. */
export interface ClientOutcome {
  readonly resp: 2 | 3;
  /** INCRs that returned the expected next value. */
  readonly ok: number;
  /** INCRs that threw, or returned anything but the next value. */
  readonly failed: number;
  readonly firstFailure: string | undefined;
  /** The counter read back after traffic stopped (must equal `ok`). */
  readonly counter: string | null;
  /** `ACL WHOAMI` after the last renewal. */
  readonly whoami: string;
}

/** What a run observed. */
export interface ScenarioResult {
  /** The provider's `tokenRenewed` events, in order. */
  readonly tokens: { readonly sequence: number; readonly uti: string | undefined; readonly oid: string | undefined }[];
  readonly clients: ClientOutcome[];
  /** `error` events of the clients (socket errors, reconnects). */
  readonly clientErrors: string[];
  /** `renewalFailed`, `reAuthenticationFailed` and `reAuthenticationSkipped` events. */
  readonly providerProblems: string[];
  /** Subscribers left once both clients closed. */
  readonly subscribersAfterClientsClosed: number;
  /** Set when the run could not complete (timeout, connect failure). */
  readonly error?: string;
}

/**
 * Token-manager settings for 3-second tokens. The emulator's `exp` is whole seconds, so a token arrives with
 * 2–3 s to live; renewing at half of that leaves 1–1.5 s for the re-AUTH before the gate would close the
 * connection, and 1–1.5 s after each renewal for the scenario to stop before the next one starts.
 */
export const THREE_SECOND_TOKENS = Object.freeze({
  expirationRefreshRatio: 0.5,
  lowerRefreshBoundMillis: 0,
  minRefreshIntervalMs: 500,
  tokenRequestExecutionTimeoutInMs: 5_000,
  retryPolicy: { maxAttempts: 3, delayInMs: 100, maxDelayInMs: 200, backoffMultiplier: 2, jitterRatio: 0 },
  failedRenewalRetryIntervalMs: 500,
  maxFailedRenewalRetryIntervalMs: 1_000,
});

/** The first token plus five renewals. */
export const TOKENS = 6;

const messageOf = (error: unknown): string => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

/** Runs INCRs on `client` until `running()` is false; checks each reply is the next value. */
async function incrLoop(
  client: { incr(key: string): Promise<unknown> },
  key: string,
  running: () => boolean,
): Promise<{ ok: number; failed: number; firstFailure: string | undefined }> {
  let ok = 0;
  let failed = 0;
  let firstFailure: string | undefined;
  while (running()) {
    try {
      const value = await client.incr(key);
      if (value === ok + 1) ok++;
      else throw new Error(`INCR returned ${String(value)}, expected ${ok + 1}`);
    } catch (error) {
      failed++;
      firstFailure ??= messageOf(error);
    }
    // Pacing, not waiting for anything: ~100 commands per second per client on a shared machine.
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return { ok, failed, firstFailure };
}

/** Runs the scenario; never throws (a failure is reported in `error`). Closes clients and provider. */
export async function runScenario(
  provider: EntraIdCredentialsProvider,
  target: GateTarget,
  options: { readonly label: string; readonly tokens: number; readonly timeoutMs: number },
): Promise<ScenarioResult> {
  const tokens: ScenarioResult['tokens'][number][] = [];
  const clientErrors: string[] = [];
  const providerProblems: string[] = [];
  let reached: () => void = () => undefined;
  const lastToken = new Promise<void>((resolve) => {
    reached = resolve;
  });
  provider.on('tokenRenewed', (event) => {
    tokens.push({ sequence: event.sequence, uti: event.uti, oid: event.oid });
    // The provider emits the event before it calls the clients' listeners: let them queue their AUTHs first.
    if (event.sequence === options.tokens) setImmediate(reached);
  });
  provider.on('renewalFailed', (event) => providerProblems.push(`renewalFailed: ${event.error.message}`));
  provider.on('reAuthenticationFailed', (event) => providerProblems.push(`reAuthenticationFailed: ${event.error.message}`));
  provider.on('reAuthenticationSkipped', (event) => providerProblems.push(`reAuthenticationSkipped: ${event.reason}`));

  // No reconnects: a dropped connection must show up as failed commands and a third gate connection.
  const socket = { host: target.host, port: target.port, tls: true as const, ca: target.caPem, reconnectStrategy: false as const };
  const clients = ([3, 2] as const).map((resp) => {
    const client = createClient({ socket, RESP: resp, credentialsProvider: provider });
    client.on('error', (error: unknown) => clientErrors.push(`RESP${resp}: ${messageOf(error)}`));
    return { resp, client, key: `factories:${options.label}:resp${resp}` };
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${options.tokens} tokens not delivered within ${options.timeoutMs} ms`)), options.timeoutMs);
  });
  let error: string | undefined;
  let outcomes: ClientOutcome[] = [];
  try {
    await Promise.race([Promise.all(clients.map(({ client }) => client.connect())), timeout]);
    let running = true;
    const loops = clients.map(({ client, key }) => incrLoop(client, key, () => running));
    try {
      await Promise.race([lastToken, timeout]);
    } finally {
      running = false;
    }
    const counts = await Promise.all(loops);
    outcomes = await Promise.all(
      clients.map(async ({ resp, client, key }, i) => ({
        resp,
        ...(counts[i] as { ok: number; failed: number; firstFailure: string | undefined }),
        counter: await client.get(key),
        whoami: String(await client.sendCommand(['ACL', 'WHOAMI'])),
      })),
    );
    await Promise.all(clients.map(({ client }) => client.close()));
  } catch (cause) {
    error = messageOf(cause);
  } finally {
    clearTimeout(timer);
    for (const { client } of clients) if (client.isOpen) client.destroy();
  }
  const subscribersAfterClientsClosed = provider.subscriberCount;
  await provider.close();
  return {
    tokens,
    clients: outcomes,
    clientErrors,
    providerProblems,
    subscribersAfterClientsClosed,
    ...(error === undefined ? {} : { error }),
  };
}
