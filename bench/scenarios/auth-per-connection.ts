/**
 * Scenario 2: AUTH commands per live connection per renewal, with 10 clients on one provider, first on fresh
 * connections, then after 20 forced reconnects (the gate drops every connection 20 times). node-redis for
 * both libraries; ioredis (through `withEntraId`) for ours only.
 *
 * @module
 */
import type { IdentityEmulator, RedisGate } from '../../src/emulator/index.js';
import { startEmulator } from '../../src/emulator/index.js';
import { closuresIn, meanAuthsPerConnection } from '../lib/auth-window.js';
import { connectAll, destroyAll, standaloneClient } from '../lib/clients.js';
import { disconnectAll, ioredisClients } from '../lib/ioredis-clients.js';
import { round, sleep, waitFor } from '../lib/stats.js';
import { REFRESH_RATIO, servicePrincipalProvider } from '../lib/subjects.js';
import type { SubjectName } from '../lib/subjects.js';
import type { BenchContext, Row, Scenario, ScenarioResult } from '../lib/types.js';

const CLIENTS = 10;
const RECONNECTS = 20;

type Variant = SubjectName | 'ours-ioredis';

interface Measured {
  readonly fresh: number;
  readonly afterReconnects: number;
  readonly maxAfterReconnects: number;
  readonly connections: number;
  readonly freshConnections: number;
  readonly closures: { readonly fresh: Record<string, number>; readonly afterReconnects: Record<string, number> };
}

/**
 * Waits for the middle of a refresh period (half-way between two renewals, going by the last token request
 * the emulator answered), so a window of whole periods holds exactly `renewals` renewals and their jitter.
 */
async function alignMidPeriod(identity: IdentityEmulator, lifetimeS: number): Promise<void> {
  const periodMs = REFRESH_RATIO * lifetimeS * 1000;
  const last = identity.requests.filter((r) => r.endpoint === 'token' && r.status === 200).at(-1)?.at ?? Date.now();
  let target = last + periodMs / 2;
  while (target < Date.now()) target += periodMs;
  await sleep(target - Date.now());
}

/** Mean AUTHs per live connection per renewal over `renewals` refresh periods, from the next mid-period. */
async function window(
  identity: IdentityEmulator,
  gates: readonly RedisGate[],
  lifetimeS: number,
  renewals: number,
): Promise<{ mean: number; max: number; connections: number; closures: Record<string, number> }> {
  await alignMidPeriod(identity, lifetimeS);
  const from = Date.now();
  const to = from + renewals * REFRESH_RATIO * lifetimeS * 1000;
  await sleep(to - from);
  const result = meanAuthsPerConnection(gates, from, to);
  return { mean: result.mean / renewals, max: result.max / renewals, connections: result.connections, closures: closuresIn(gates, from, to) };
}

async function measure(variant: Variant, context: BenchContext, lifetimeS: number, renewals: number): Promise<Measured> {
  const emulator = await startEmulator({ ca: context.ca, tokenLifetimeSeconds: lifetimeS });
  const handle = servicePrincipalProvider(variant === 'peer' ? 'peer' : 'ours', emulator.identity);
  const redis = emulator.redis;
  const close: (() => void)[] = [];
  try {
    if (redis === undefined) throw new Error('the emulator started without Redis');
    const gate = redis.gates[0] as RedisGate;
    let ready: () => boolean;
    if (variant === 'ours-ioredis') {
      const ours = handle.ours;
      if (ours === undefined) throw new Error('ioredis needs our provider');
      const clients = await ioredisClients(ours, redis, context.ca.certPem, CLIENTS);
      close.push(() => disconnectAll(clients));
      ready = () => clients.every((c) => c.status === 'ready');
    } else {
      const clients = Array.from({ length: CLIENTS }, () => standaloneClient(redis, context.ca.certPem, { provider: handle.provider }));
      close.push(() => destroyAll(clients));
      await connectAll(clients);
      ready = () => clients.every((c) => c.isReady);
    }
    const fresh = await window(emulator.identity, [gate], lifetimeS, renewals);
    for (let i = 0; i < RECONNECTS; i++) {
      const opened = gate.stats().connectionsTotal;
      gate.closeAll();
      await waitFor(() => gate.stats().connectionsTotal >= opened + CLIENTS && gate.stats().connectionsOpen >= CLIENTS && ready(), 'clients to reconnect', 30_000);
    }
    const after = await window(emulator.identity, [gate], lifetimeS, renewals);
    return {
      fresh: fresh.mean,
      afterReconnects: after.mean,
      maxAfterReconnects: after.max,
      connections: after.connections,
      freshConnections: fresh.connections,
      closures: { fresh: fresh.closures, afterReconnects: after.closures },
    };
  } finally {
    for (const stop of close) stop();
    await handle.close();
    await emulator.close();
  }
}

/** The value, or why there is none (no connection lived through the whole window). */
function cellOf(value: number, connections: number, closures: Record<string, number>): number | string {
  if (connections > 0) return round(value);
  const reasons = Object.entries(closures).map(([reason, n]) => `${reason} ${n}`);
  return `n/a: no connection lived through the window (closed: ${reasons.join(', ') || 'none'})`;
}

export const authPerConnectionScenario: Scenario = {
  name: 'auth-per-connection',
  async run(context: BenchContext): Promise<ScenarioResult> {
    const lifetimeS = context.quick ? 4 : 6;
    const renewals = context.quick ? 1 : 2;
    const variants: Variant[] = ['ours', 'peer', 'ours-ioredis'];
    const results: Partial<Record<Variant, Measured>> = {};
    for (const variant of variants) {
      context.log(`auth-per-connection: ${variant}`);
      results[variant] = await measure(variant, context, lifetimeS, renewals);
    }
    const ours = results.ours as Measured;
    const peer = results.peer as Measured;
    const io = results['ours-ioredis'] as Measured;
    const setup = `${CLIENTS} clients on one provider, ${lifetimeS} s tokens, ${renewals} renewal(s) per window; AUTH counted per gate connection`;
    const rows: Row[] = [
      {
        id: 'auth.fresh',
        metric: 'AUTH per live connection per renewal (node-redis, 0 reconnects)',
        unit: 'AUTH/connection/renewal',
        ours: cellOf(ours.fresh, ours.freshConnections, ours.closures.fresh),
        peer: cellOf(peer.fresh, peer.freshConnections, peer.closures.fresh),
        baseline: 'n/a (static password)',
        ideal: 1,
        note: setup,
      },
      {
        id: 'auth.reconnects',
        metric: `AUTH per live connection per renewal (node-redis, after ${RECONNECTS} reconnects)`,
        unit: 'AUTH/connection/renewal',
        ours: cellOf(ours.afterReconnects, ours.connections, ours.closures.afterReconnects),
        peer: cellOf(peer.afterReconnects, peer.connections, peer.closures.afterReconnects),
        baseline: 'n/a (static password)',
        ideal: 1,
        note: `mean (max) after ${RECONNECTS} gate-forced reconnects: ours ${round(ours.afterReconnects)} (${round(ours.maxAfterReconnects)}), peer ${round(peer.afterReconnects)} (${round(peer.maxAfterReconnects)})`,
      },
      {
        id: 'auth.ioredis',
        metric: `AUTH per live connection per renewal (ioredis, 0 / ${RECONNECTS} reconnects)`,
        unit: 'AUTH/connection/renewal',
        ours: `${round(io.fresh)} / ${round(io.afterReconnects)}`,
        peer: 'not supported (node-redis only)',
        baseline: 'n/a (static password)',
        ideal: '1 / 1',
        note: `ioredis 6 through withEntraId with its default AUTH jitter`,
      },
    ];
    return { rows, raw: { lifetimeS, renewals, results } };
  },
};
