/**
 * `redis-entraid demo`: the whole flow on the embedded emulator — a local Entra ID, a real redis-server behind
 * an Azure-like gate, this library's provider and a real client doing steady traffic with short-lived tokens —
 * shown live, then summarized. Exit 0 only when no command failed.
 *
 * @module
 */
import { spawnSync } from 'node:child_process';
import { computeRefreshAtMs } from '../../manager/schedule.js';
import { createDemoProvider, DEMO_IDENTITIES } from '../demo/provider.js';
import { DemoState, seconds } from '../demo/state.js';
import { connectClients, DEMO_CLIENTS, requireClientLibrary, startTraffic, type DemoClient } from '../demo/traffic.js';
import { ExitCode, type CliIo } from '../io.js';
import { choiceOption, flag, integerOption, parseOptions } from '../parse.js';
import { demoOutcome, renderSummary, type DemoOutcome } from '../render/demo-summary.js';
import { formatEvent, LiveView, renderFrame, type DemoHeader } from '../render/demo-view.js';
import { createStyle } from '../render/style.js';
import { REDIS_INSTALL_HINT, startStack, waitForStopSignal, type Stack } from '../stack.js';
import { ensureTrustedCa } from '../../emulator/trusted-ca.js';
import { MissingPrerequisiteError } from '../usage-error.js';
import { attachGate } from '../demo/gate-events.js';
import type { EntraIdCredentialsProvider } from '../../provider/entra-id-credentials-provider.js';

export const DEMO_HELP = `Usage: redis-entraid demo [options]

Runs the whole flow offline: a local Entra ID, a real redis-server behind an Azure-like TLS gate, this
library's credentials provider and a real client doing steady traffic with short-lived tokens. Shows live
what happens — tokens issued, renewals, re-AUTHs per connection, commands, a countdown to the next
renewal — then prints a summary and removes every process and file it started.
Needs redis-server on PATH; nothing else (no Azure).

Options:
  --identity <kind>          secret (default) | certificate | managed | default (DefaultAzureCredential)
  --client <name>            node-redis (default) | ioredis
  --renewals <n>             end after n token renewals (default 3); Ctrl-C ends earlier
  --token-lifetime <s>       access token lifetime, seconds (default 5)
  --connections <n>          clients, one connection each (default 2)
  --interval <ms>            pause between commands on each client (default 100)
  --timeout <s>              give up after this many seconds (default: enough for the renewals)
  --plain                    plain lines even on a terminal (default: live view on a TTY)
  -h, --help                 show this help

Exit codes: 0 no command failed, 1 a command failed (or a connection was closed at token expiry, or the
renewals did not happen in time), 2 usage error, 3 redis-server or the client package is missing.
`;

function requireRedisServer(): void {
  const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) throw new MissingPrerequisiteError(REDIS_INSTALL_HINT);
}

/** Runs `demo`. */
export async function runDemo(argv: readonly string[], io: CliIo): Promise<number> {
  const values = parseOptions('demo', argv, {
    identity: { type: 'string' },
    client: { type: 'string' },
    renewals: { type: 'string' },
    'token-lifetime': { type: 'string' },
    connections: { type: 'string' },
    interval: { type: 'string' },
    timeout: { type: 'string' },
    plain: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (flag(values, 'help')) {
    io.out(DEMO_HELP);
    return ExitCode.OK;
  }
  const identity = choiceOption('demo', values, 'identity', DEMO_IDENTITIES, 'secret');
  const client = choiceOption('demo', values, 'client', DEMO_CLIENTS, 'node-redis');
  const renewals = integerOption('demo', values, 'renewals', 3, { min: 0, max: 1000 });
  const lifetime = integerOption('demo', values, 'token-lifetime', 5, { min: 3, max: 3600 });
  const connections = integerOption('demo', values, 'connections', 2, { min: 1, max: 50 });
  const intervalMs = integerOption('demo', values, 'interval', 100, { min: 1, max: 60_000 });
  const timeoutSeconds = integerOption('demo', values, 'timeout', Math.max(60, lifetime * (renewals + 2) * 3), { min: 1, max: 86_400 });
  requireRedisServer();
  await requireClientLibrary(client);
  const trust = await ensureTrustedCa(io.env, { commonName: 'redis-entraid demo CA' });
  if (trust.kind === 'delegated') return trust.exitCode;

  const style = createStyle(io.color);
  const live = io.stdoutIsTty && !flag(values, 'plain');
  const state = new DemoState(Date.now());
  let stopping = false;
  let traffic: { stop(): Promise<void>; halt(): void } | undefined;
  const signal = waitForStopSignal(() => {
    // Synchronously: the emulator's own handler stops redis-server right after this.
    stopping = true;
    traffic?.halt();
  });
  const deadlineMs = Date.now() + timeoutSeconds * 1000;
  let stack: Stack | undefined;
  let provider: EntraIdCredentialsProvider | undefined;
  let clients: DemoClient[] = [];
  let view: LiveView | undefined;
  try {
    stack = await startStack({ ca: trust.ca, tokenLifetimeSeconds: lifetime, redis: true, cluster: false });
    const redis = stack.redis;
    const gate = redis?.gates[0];
    if (!redis || !gate) throw new Error('the emulator started no Redis');
    const created = createDemoProvider(identity, stack.idp);
    provider = created.provider;
    const header: DemoHeader = {
      identity: created.description,
      client,
      connections,
      tokenLifetimeSeconds: lifetime,
      renewalsWanted: renewals,
      target: `${redis.host}:${redis.port}`,
    };
    const p = provider;
    p.on('tokenRenewed', (e) => {
      const record = { sequence: e.sequence, oid: e.oid, uti: e.uti, receivedAtMs: e.receivedAtMs, expiresAtMs: e.expiresAtMs, refreshAtMs: computeRefreshAtMs(e, p.config) };
      state.tokens.push(record);
      const what = e.sequence === 1 ? `token #1 issued for oid ${e.oid ?? '?'}` : `token #${e.sequence} renewed`;
      state.log(e.sequence === 1 ? 'token' : 'renewal', `${what}: expires in ${seconds(e.expiresAtMs - Date.now())}, next renewal in ${seconds(record.refreshAtMs - Date.now())}`);
    });
    p.on('renewalFailed', (e) => {
      state.renewalFailures++;
      state.log('failure', `renewal attempt ${e.attempt} failed: ${e.error.message}`);
    });
    p.on('reAuthenticationFailed', (e) => {
      state.reAuthFailures++;
      state.log('failure', `re-authentication failed: ${e.error.message}`);
    });
    attachGate(gate, state);

    if (live) {
      view = new LiveView(io.out, () => renderFrame(state, header, style, Date.now()), () => io.columns ?? 80);
      view.start();
    } else {
      io.out(`redis-entraid demo: ${header.identity}, ${client}, ${connections} connection(s), ${lifetime} s tokens, ${header.target} (TLS, Entra ID gate)\n`);
      state.onEvent((e) => {
        if (!stopping) io.out(`${formatEvent(state, e, style)}\n`);
      });
    }
    state.log('info', `emulator ready: Entra ID at ${stack.idp.authorityHost}, Redis (TLS gate) at ${redis.host}:${redis.port}`);
    const connecting = connectClients(client, connections, provider, { host: redis.host, port: redis.port, caPem: trust.ca.certPem }, state);
    clients = await beforeDeadline(connecting, deadlineMs, `the ${client} clients did not connect within ${timeoutSeconds} s (--timeout)`).catch(
      (error: unknown) => {
        // Clients that connect after all are closed right away.
        connecting.then((late) => Promise.all(late.map((c) => c.close()))).catch(() => undefined);
        throw error;
      },
    );
    traffic = startTraffic(clients, intervalMs, state);
    const endedBy = await waitForEnd(state, renewals, deadlineMs - Date.now(), signal.promise);
    stopping = true;
    await traffic.stop();
    await Promise.all(clients.map((c) => c.close()));
    clients = [];
    await provider.close();
    view?.stop();
    await stack.close();
    const outcome: DemoOutcome = demoOutcome(state, header, endedBy);
    io.out(renderSummary(state, header, outcome, style, Date.now()));
    return outcome.ok ? ExitCode.OK : ExitCode.FAILURE;
  } finally {
    stopping = true;
    view?.stop();
    await traffic?.stop();
    await Promise.all(clients.map((c) => c.close()));
    await provider?.close();
    await stack?.close();
    signal.dispose();
  }
}

/** `promise`, or a rejection with `message` at `deadlineMs` (a late result is closed by the caller's cleanup). */
function beforeDeadline<T>(promise: Promise<T>, deadlineMs: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), Math.max(0, deadlineMs - Date.now()));
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

/** Resolves when the renewals happened and every connection re-AUTHed (or 3 s after), on a signal, or at the time limit. */
async function waitForEnd(state: DemoState, renewals: number, timeoutMs: number, signal: Promise<NodeJS.Signals>): Promise<DemoOutcome['endedBy']> {
  const deadline = Date.now() + timeoutMs;
  let interrupted = false;
  void signal.then(() => (interrupted = true));
  let reachedAt: number | undefined;
  for (;;) {
    if (interrupted) return 'signal';
    const now = Date.now();
    if (state.renewals >= renewals && state.tokens.length > 0) {
      reachedAt ??= now;
      if (state.allOnCurrentToken() || now - reachedAt > 3000) return 'renewals';
    }
    if (now > deadline) return 'timeout';
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
