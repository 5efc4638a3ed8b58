/**
 * Scenario 2: AUTH commands per live connection per renewal, with 10 clients on one provider, first on fresh
 * connections, then after 20 forced reconnects (the gate drops every connection 20 times). node-redis for
 * both libraries; ioredis (through `withEntraId`) for ours only.
 *
 * @module
 */
import type { RedisGate } from '../../src/emulator/index.js';
import { startEmulator } from '../../src/emulator/index.js';
import { meanAuthsPerConnection } from '../lib/auth-window.js';
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
}

/** Mean AUTHs per live connection per renewal over `renewals` refresh periods starting now. */
async function window(gates: readonly RedisGate[], lifetimeS: number, renewals: number): Promise<{ mean: number; max: number; connections: number }> {
  const from = Date.now();
  const to = from + renewals * REFRESH_RATIO * lifetimeS * 1000;
  await sleep(to - from);
  const result = meanAuthsPerConnection(gates, from, to);
  return { mean: result.mean / renewals, max: result.max / renewals, connections: result.connections };
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
    // Start each window just after a renewal's AUTHs would have landed, mid-period.
    await sleep(REFRESH_RATIO * lifetimeS * 500);
    const fresh = await window([gate], lifetimeS, renewals);
    for (let i = 0; i < RECONNECTS; i++) {
      const opened = gate.stats().connectionsTotal;
      gate.closeAll();
      await waitFor(() => gate.stats().connectionsTotal >= opened + CLIENTS && gate.stats().connectionsOpen >= CLIENTS && ready(), 'clients to reconnect', 30_000);
    }
    const after = await window([gate], lifetimeS, renewals);
    return { fresh: fresh.mean, afterReconnects: after.mean, maxAfterReconnects: after.max, connections: after.connections };
  } finally {
    for (const stop of close) stop();
    await handle.close();
    await emulator.close();
  }
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
        ours: round(ours.fresh),
        peer: round(peer.fresh),
        baseline: 'n/a (static password)',
        ideal: 1,
        note: setup,
      },
      {
        id: 'auth.reconnects',
        metric: `AUTH per live connection per renewal (node-redis, after ${RECONNECTS} reconnects)`,
        unit: 'AUTH/connection/renewal',
        ours: round(ours.afterReconnects),
        peer: round(peer.afterReconnects),
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
