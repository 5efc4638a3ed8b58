// Shared pieces of the reliability suite: an emulator + MSAL service-principal provider + real client stack,
// a command loop that counts every failed command, and bounded waits on provider events.
import assert from 'node:assert/strict';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../src/emulator/index.js';
import { DEFAULT_SECRET_PRINCIPAL } from '../../src/emulator/idp/constants.js';
import type { RedisGate } from '../../src/emulator/gate/redis-gate.js';
import type { TokenManagerConfig } from '../../src/manager/config.js';
import type { EntraIdCredentialsProvider } from '../../src/provider/entra-id-credentials-provider.js';
import { createFromServicePrincipal } from '../../src/provider/factories/service-principal.js';
import type { RenewalFailedEvent } from '../../src/provider/types.js';
import { testCertificateAuthority } from '../helpers/test-ca.js';

export { DEFAULT_SECRET_PRINCIPAL };

/** Starts the emulator with the test CA (trusted by this process) and the given token lifetime. */
export function startReliabilityEmulator(tokenLifetimeSeconds: number, redis: EmulatorOptions['redis'] = { tls: true }): Promise<Emulator> {
  return startEmulator({ ca: testCertificateAuthority(), tokenLifetimeSeconds, redis });
}

/** A service-principal provider (real msal-node) against the emulator. */
export function secretProvider(emulator: Emulator, tokenManagerConfig: TokenManagerConfig, authorityHost = emulator.identity.authorityHost): EntraIdCredentialsProvider {
  return createFromServicePrincipal({
    clientId: DEFAULT_SECRET_PRINCIPAL.clientId,
    clientSecret: DEFAULT_SECRET_PRINCIPAL.clientSecret,
    tenantId: emulator.identity.tenantId,
    authorityHost,
    tokenManagerConfig,
  });
}

/** Bounded polling: resolves when `check` holds, rejects after `timeoutMs`. */
export async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Records a provider's events from now on. */
export class EventLog {
  readonly failures: RenewalFailedEvent[] = [];
  renewals = 0;
  readonly #provider: EntraIdCredentialsProvider;
  readonly #onFailed = (event: RenewalFailedEvent): void => {
    this.failures.push(event);
  };
  readonly #onRenewed = (): void => {
    this.renewals++;
  };

  constructor(provider: EntraIdCredentialsProvider) {
    this.#provider = provider;
    provider.on('renewalFailed', this.#onFailed).on('tokenRenewed', this.#onRenewed);
  }

  /** Waits for `count` renewals in total since this log started. */
  renewalsReach(count: number, timeoutMs = 30_000): Promise<void> {
    return until(`${count} token renewals (saw ${this.renewals})`, () => this.renewals >= count, timeoutMs);
  }

  stop(): void {
    this.#provider.off('renewalFailed', this.#onFailed).off('tokenRenewed', this.#onRenewed);
  }
}

/** A sequential loop of commands; every failure is counted and kept. */
export class CommandLoop {
  ok = 0;
  readonly errors: { atMs: number; message: string; error: unknown }[] = [];
  #running = true;
  readonly #done: Promise<void>;

  /** @param command - one command; @param pauseMs - pause between commands. */
  constructor(command: () => Promise<unknown>, pauseMs = 10) {
    this.#done = (async () => {
      while (this.#running) {
        try {
          await command();
          this.ok++;
        } catch (error) {
          this.errors.push({ atMs: Date.now(), message: error instanceof Error ? `${error.name}: ${error.message}` : String(error), error });
        }
        await new Promise((resolve) => setTimeout(resolve, pauseMs));
      }
    })();
  }

  /** Stops after the command in flight; resolves when the loop has ended. */
  async stop(): Promise<void> {
    this.#running = false;
    await this.#done;
  }

  /** A short description of the failures, for assertion messages. */
  describeErrors(): string {
    return this.errors.slice(0, 5).map((e) => e.message).join('\n');
  }
}

/** Renewal at half a token's life, quick retries: tokens of a few seconds renew every second or two. */
export const FAST_RENEWAL: TokenManagerConfig = Object.freeze({
  expirationRefreshRatio: 0.5,
  lowerRefreshBoundMillis: 0,
  minRefreshIntervalMs: 200,
  retryPolicy: Object.freeze({ maxAttempts: 3, delayInMs: 200, jitterRatio: 0 }),
  failedRenewalRetryIntervalMs: 300,
  maxFailedRenewalRetryIntervalMs: 1_000,
});

/** Errors a command may meet when its socket closes under it or a cluster slot is down (never an auth error). */
export const CONNECTION_ERROR = /Socket closed|connection|ECONNRESET|ECONNREFUSED|EPIPE|closed|Connection is closed|CLUSTERDOWN|TRYAGAIN/i;
/** Authentication errors from Redis. */
export const AUTH_ERROR = /WRONGPASS|NOAUTH|NOPERM|invalid password/i;

/** At most `max` failed commands, each a connection error and none an authentication error. */
export function assertOnlyConnectionErrors(loop: CommandLoop, max: number): void {
  assert.ok(loop.errors.length <= max, `${loop.errors.length} failed commands (at most ${max} expected):\n${loop.describeErrors()}`);
  for (const { message } of loop.errors) {
    assert.doesNotMatch(message, AUTH_ERROR);
    assert.match(message, CONNECTION_ERROR);
  }
}

/** Sum of a gate statistic over gates. */
export function gateTotal(gates: readonly RedisGate[], stat: 'expiryClosures' | 'authRejected' | 'authAccepted' | 'connectionsTotal'): number {
  return gates.reduce((sum, gate) => sum + gate.stats()[stat], 0);
}

/** Token endpoint requests in the emulator's log from index `from` on. */
export function tokenRequests(emulator: Emulator, from = 0): { at: number; status: number; fault: string | undefined }[] {
  return emulator.identity.requests
    .slice(from)
    .filter((r) => r.endpoint === 'token')
    .map((r) => ({ at: r.at, status: r.status, fault: r.fault }));
}
