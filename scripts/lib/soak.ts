// Shared by the soak scripts: the run loop (progress line, forced gate drops), per-connection AUTH figures read
// from the gates, and the report (a table on stdout, JSON under bench/out/).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { RedisGate } from '../../src/emulator/gate/redis-gate.js';
import type { Emulator } from '../../src/emulator/index.js';
import { DEFAULT_SECRET_PRINCIPAL } from '../../src/emulator/idp/constants.js';
import type { EntraIdCredentialsProvider } from '../../src/provider/entra-id-credentials-provider.js';
import { createFromServicePrincipal } from '../../src/provider/factories/service-principal.js';

/** Runs for `minutes` while `progress()` is printed every 5 s and, unless 0, every gate drops every connection
 * every `reconnectEverySeconds`. Resolves to the number of forced drops. */
/** The soaks' provider (the real MSAL service-principal path against the emulator, renewing at half-life) and its event counts. */
export function soakProvider(emulator: Emulator): {
  provider: EntraIdCredentialsProvider;
  readonly events: { readonly renewals: number; readonly reAuthFailures: number; readonly skipped: number };
} {
  const provider = createFromServicePrincipal({
    clientId: DEFAULT_SECRET_PRINCIPAL.clientId,
    clientSecret: DEFAULT_SECRET_PRINCIPAL.clientSecret,
    tenantId: emulator.identity.tenantId,
    authorityHost: emulator.identity.authorityHost,
    tokenManagerConfig: { expirationRefreshRatio: 0.5, lowerRefreshBoundMillis: 0, minRefreshIntervalMs: 250 },
  });
  const events = { renewals: 0, reAuthFailures: 0, skipped: 0 };
  provider.on('tokenRenewed', () => events.renewals++);
  provider.on('reAuthenticationFailed', () => events.reAuthFailures++);
  provider.on('reAuthenticationSkipped', () => events.skipped++);
  return { provider, events };
}

/** What {@link soakUnderLoad} counted. */
export interface SoakLoad {
  readonly ok: number;
  readonly failed: number;
  /** Failed commands by `name: message` (first 80 characters). */
  readonly failureReasons: Record<string, number>;
  readonly forcedReconnects: number;
}

/**
 * Runs every step in its own loop (2 ms apart) for the soak's duration (see {@link soakFor}), counting outcomes;
 * waits for the loops to finish and 500 ms more for late replies.
 */
export async function soakUnderLoad(
  steps: readonly ((i: number) => Promise<unknown>)[],
  options: { minutes: number; reconnectEverySeconds: number; gates: readonly RedisGate[]; renewals: () => number },
): Promise<SoakLoad> {
  let ok = 0;
  let failed = 0;
  const failureReasons: Record<string, number> = {};
  let running = true;
  const loop = async (step: (i: number) => Promise<unknown>): Promise<void> => {
    for (let i = 0; running; i++) {
      try {
        await step(i);
        ok++;
      } catch (error) {
        failed++;
        const reason = error instanceof Error ? `${error.name}: ${error.message.slice(0, 80)}` : String(error);
        failureReasons[reason] = (failureReasons[reason] ?? 0) + 1;
      }
      await new Promise((r) => setTimeout(r, 2));
    }
  };
  const loops = steps.map((step) => loop(step));
  const forcedReconnects = await soakFor({
    minutes: options.minutes,
    reconnectEverySeconds: options.reconnectEverySeconds,
    gates: options.gates,
    progress: () => `${ok} ok, ${failed} failed, ${options.renewals()} renewals`,
  });
  running = false;
  await Promise.all(loops);
  await new Promise((r) => setTimeout(r, 500));
  return { ok, failed, failureReasons, forcedReconnects };
}

async function soakFor(options: {
  minutes: number;
  reconnectEverySeconds: number;
  gates: readonly RedisGate[];
  progress: () => string;
}): Promise<number> {
  const started = Date.now();
  const progress = setInterval(() => {
    process.stderr.write(`\r${Math.round((Date.now() - started) / 1000)} s: ${options.progress()}   `);
  }, 5_000);
  progress.unref();
  let forcedReconnects = 0;
  const dropper =
    options.reconnectEverySeconds > 0
      ? setInterval(() => {
          forcedReconnects++;
          for (const gate of options.gates) gate.closeAll();
        }, options.reconnectEverySeconds * 1000)
      : undefined;
  dropper?.unref();
  await new Promise((r) => setTimeout(r, options.minutes * 60_000));
  clearInterval(progress);
  if (dropper) clearInterval(dropper);
  process.stderr.write('\n');
  return forcedReconnects;
}

/** AUTH figures of one principal's connections across `gates`. */
export function gateAuthFigures(gates: readonly RedisGate[], oid: string): {
  maxAuthsPerTokenPerConnection: number;
  meanAuthsPerTokenPerConnection: number;
  openConnections: number;
  connectionsTotal: number;
  minTokensPerOpenConnection: number;
  gateExpiryClosures: number;
  gateAuthRejected: number;
} {
  const connections = gates.flatMap((g) => g.connections().filter((c) => c.oid === oid));
  const perToken = connections.flatMap((c) => {
    const counts = new Map<string | undefined, number>();
    for (const a of c.auths) counts.set(a.uti, (counts.get(a.uti) ?? 0) + 1);
    return [...counts.values()];
  });
  const open = connections.filter((c) => c.closedReason === undefined);
  return {
    maxAuthsPerTokenPerConnection: Math.max(...perToken),
    meanAuthsPerTokenPerConnection: perToken.reduce((a, b) => a + b, 0) / perToken.length,
    openConnections: open.length,
    connectionsTotal: connections.length,
    minTokensPerOpenConnection: Math.min(...open.map((c) => new Set(c.auths.map((a) => a.uti)).size)),
    gateExpiryClosures: gates.reduce((s, g) => s + g.stats().expiryClosures, 0),
    gateAuthRejected: gates.reduce((s, g) => s + g.stats().authRejected, 0),
  };
}

/** Prints `rows` (name, value, ideal) under `title` and writes `result` to `bench/out/<name>-<time>.json`. */
/** The figures every soak reports (its result object carries them). */
export interface SoakFigures extends ReturnType<typeof gateAuthFigures> {
  readonly commandsOk: number;
  readonly commandsFailed: number;
  readonly messagesReceived: number;
  readonly messagesPublished: number;
  readonly renewals: number;
  readonly tokenRequestsPerRenewal: number;
}

/** The report rows every soak shares, from commands OK to gate AUTH rejections: [figure, value, ideal]. */
export function commonSoakRows(
  result: SoakFigures,
  options: { minutes: number; tokenSeconds: number; failedIdeal: string },
): [string, string | number, string][] {
  return [
    ['commands OK', result.commandsOk, '> 0'],
    ['commands failed', result.commandsFailed, options.failedIdeal],
    ['pub/sub messages received / published', `${result.messagesReceived} / ${result.messagesPublished}`, 'equal without forced reconnects'],
    ['renewals', result.renewals, `~${Math.round((options.minutes * 60) / (options.tokenSeconds / 2))}`],
    ['token requests per renewal', result.tokenRequestsPerRenewal.toFixed(3), '1'],
    ['AUTHs per renewal per connection (max)', result.maxAuthsPerTokenPerConnection, '1'],
    ['AUTHs per renewal per connection (mean)', result.meanAuthsPerTokenPerConnection.toFixed(3), '1'],
    ['gate expiry closures', result.gateExpiryClosures, '0'],
    ['gate AUTH rejections', result.gateAuthRejected, '0'],
  ];
}

export function reportSoak(title: string, name: string, rows: [string, string | number, string][], result: object): void {
  const width = Math.max(...rows.map((r) => r[0].length));
  process.stdout.write(`${title}\n`);
  for (const [label, value, ideal] of rows) process.stdout.write(`${label.padEnd(width)}  ${String(value).padStart(14)}  (ideal ${ideal})\n`);
  const out = resolve(import.meta.dirname, '..', '..', 'bench', 'out');
  mkdirSync(out, { recursive: true });
  const file = join(out, `${name}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`written ${file}\n`);
}
