// The real pieces for the ioredis integration tests: the emulator (local Entra ID + TLS gates in front of real
// redis-servers), the real service-principal provider (msal-node over HTTPS, trusted through the test CA), and
// helpers to read what the gates saw.
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import type { TLSSocket } from 'node:tls';
import { startEmulator, type Emulator } from '../../../../src/emulator/index.js';
import { DEFAULT_SECRET_PRINCIPAL } from '../../../../src/emulator/idp/constants.js';
import type { GateAuthRecord, GateConnectionInfo } from '../../../../src/emulator/gate/gate-types.js';
import type { RedisGate } from '../../../../src/emulator/gate/redis-gate.js';
import type { EntraIdCredentialsProvider } from '../../../../src/provider/entra-id-credentials-provider.js';
import { createFromServicePrincipal } from '../../../../src/provider/factories/service-principal.js';
import type { TokenRenewedEvent } from '../../../../src/provider/types.js';
import { testCertificateAuthority } from '../../../helpers/test-ca.js';

/** Token lifetime used by these tests, in seconds: renewed at half life, so about 2 s between renewals. */
export const TOKEN_SECONDS = 4;

/** Starts the emulator with short tokens. `cluster` gives 3 gated masters; both serve TLS. */
export function startStack(options: { cluster?: boolean; tokenSeconds?: number } = {}): Promise<Emulator> {
  return startEmulator({
    ca: testCertificateAuthority(),
    tokenLifetimeSeconds: options.tokenSeconds ?? TOKEN_SECONDS,
    redis: { cluster: options.cluster ?? false, tls: true },
  });
}

/** A renewal log: every token the provider handed out, in order (uti and expiry only, never the token). */
export interface TokenLog {
  readonly tokens: TokenRenewedEvent[];
  /** The uti of the latest token. */
  latest(): string | undefined;
}

/** The real service-principal provider against the emulator, renewing at half of each token's life. */
export function realProvider(emulator: Emulator): { provider: EntraIdCredentialsProvider; log: TokenLog } {
  const provider = createFromServicePrincipal({
    clientId: DEFAULT_SECRET_PRINCIPAL.clientId,
    clientSecret: DEFAULT_SECRET_PRINCIPAL.clientSecret,
    tenantId: emulator.identity.tenantId,
    authorityHost: emulator.identity.authorityHost,
    tokenManagerConfig: {
      expirationRefreshRatio: 0.5,
      lowerRefreshBoundMillis: 0,
      minRefreshIntervalMs: 500,
      retryPolicy: { maxAttempts: 3, delayInMs: 100, maxDelayInMs: 300 },
    },
  });
  const tokens: TokenRenewedEvent[] = [];
  provider.on('tokenRenewed', (event) => tokens.push(event));
  return { provider, log: { tokens, latest: () => tokens.at(-1)?.uti } };
}

/** TLS options for ioredis that trust the emulator's CA. */
export function tlsOptions(emulator: Emulator): { ca: string } {
  return { ca: emulator.ca.certPem };
}

/** Polls `check` until it is true, at most `timeoutMs` (default 10 s). */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Waits until the provider has handed out `count` tokens in total. */
export function waitForTokens(log: TokenLog, count: number, timeoutMs = 20_000): Promise<void> {
  return waitFor(`${count} tokens`, () => log.tokens.length >= count, timeoutMs);
}

interface HasStream {
  readonly stream?: unknown;
}

/** The client-side local port of an ioredis connection's socket, if connected. */
export function localPortOf(redis: object): number | undefined {
  const stream = (redis as HasStream).stream as TLSSocket | undefined;
  return stream?.localPort;
}

/** The gate connection currently carrying an ioredis connection (matched by the client's local port). */
export function gateConnectionOf(gates: readonly RedisGate[], redis: object): GateConnectionInfo | undefined {
  const port = localPortOf(redis);
  if (port === undefined) return undefined;
  for (const gate of gates) {
    const found = gate.connections().find((info) => info.remotePort === port && info.closedReason === undefined);
    if (found) return found;
  }
  return undefined;
}

/** The utis presented on a gate connection, in order (accepted AUTH/HELLO only). */
export function acceptedUtis(info: GateConnectionInfo | undefined): (string | undefined)[] {
  return (info?.auths ?? []).filter((record: GateAuthRecord) => record.ok).map((record) => record.uti);
}

/** Sum of a gate counter over every gate. */
export function sumStats(gates: readonly RedisGate[], key: 'authAccepted' | 'authRejected' | 'expiryClosures'): number {
  return gates.reduce((total, gate) => total + gate.stats()[key], 0);
}

/** Token endpoint requests the identity emulator answered so far. */
export function tokenRequests(emulator: Emulator): number {
  return emulator.identity.stats().requestsByEndpoint.token ?? 0;
}

/** Retries `check` (which asserts) until it passes or `timeoutMs` passes; then rethrows its last error. */
export async function eventually(check: () => void | Promise<void>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The token (from the log) that was the newest when the gate saw `atMs`: what a fresh handshake must carry. */
export function newestTokenAt(log: TokenLog, atMs: number): string | undefined {
  return log.tokens.filter((token) => token.receivedAtMs <= atMs).at(-1)?.uti;
}

/** Resolves on the emitter's next `event` (ioredis emits `error` while reconnecting, so node's `once` would reject). */
export function nextEvent(emitter: { once(event: string, listener: () => void): unknown }, event: string): Promise<void> {
  return new Promise((resolve) => {
    emitter.once(event, () => resolve());
  });
}

/**
 * Every handshake (first AUTH/HELLO of a connection) the gates saw since `sinceMs`, with the token it carried and
 * the tokens it was allowed to carry: the newest at arrival, or the one before it if the renewal landed less than
 * `raceMs` earlier (a handshake already on the wire). A stale-options bug shows up as a token seconds older.
 */
export function staleHandshakes(
  gates: readonly RedisGate[],
  log: TokenLog,
  sinceMs: number,
  raceMs = 250,
): { connection: number; uti: string | undefined; allowed: (string | undefined)[] }[] {
  const stale: { connection: number; uti: string | undefined; allowed: (string | undefined)[] }[] = [];
  for (const gate of gates) {
    for (const info of gate.connections()) {
      const handshake = info.auths[0];
      if (info.openedAtMs < sinceMs || handshake === undefined) continue;
      const allowed = [newestTokenAt(log, handshake.atMs), newestTokenAt(log, handshake.atMs - raceMs)];
      if (!handshake.ok || !allowed.includes(handshake.uti)) stale.push({ connection: info.id, uti: handshake.uti, allowed });
    }
  }
  return stale;
}

/**
 * Tracks clients so a test can disconnect them all and wait for each one's `end` event. (The status is not
 * enough: an ioredis 6 Cluster that reconnected after losing every node goes `end` → `close` on disconnect().)
 */
export class ClientTracker<T extends { disconnect(): void; once(event: 'end', listener: () => void): unknown }> {
  readonly #clients: T[] = [];
  readonly #ended = new Set<T>();

  /** Starts tracking `client` and returns it. */
  add<C extends T>(client: C): C {
    this.#clients.push(client);
    client.once('end', () => this.#ended.add(client));
    return client;
  }

  /** Disconnects every client and waits until each has emitted `end`. */
  async closeAll(): Promise<void> {
    for (const client of this.#clients) client.disconnect();
    await waitFor('every client to end', () => this.#clients.every((client) => this.#ended.has(client)));
  }
}

/**
 * Call inside a `describe` (or at a file's top level): before its tests, starts the emulator and the real provider;
 * after them, disconnects every tracked client, optionally checks that each binding released its subscription,
 * and closes the provider and the emulator. Read the fields inside tests.
 */
export function useStack<T extends { disconnect(): void; once(event: 'end', listener: () => void): unknown }>(
  options: { checkReleased?: boolean } = {},
): { readonly emulator: Emulator; readonly provider: EntraIdCredentialsProvider; readonly log: TokenLog; readonly clients: ClientTracker<T> } {
  let emulator: Emulator | undefined;
  let real: { provider: EntraIdCredentialsProvider; log: TokenLog } | undefined;
  const clients = new ClientTracker<T>();
  before(async () => {
    emulator = await startStack();
    real = realProvider(emulator);
  });
  after(async () => {
    try {
      await clients.closeAll();
      if (options.checkReleased === true) assert.equal(real?.provider.subscriberCount, 0, 'every binding released its subscription');
    } finally {
      await real?.provider.close();
      await emulator?.close();
    }
  });
  return {
    get emulator() {
      assert.ok(emulator, 'started in before()');
      return emulator;
    },
    get provider() {
      assert.ok(real, 'started in before()');
      return real.provider;
    },
    get log() {
      assert.ok(real, 'started in before()');
      return real.log;
    },
    clients,
  };
}
