/**
 * Scenario 4: re-authentication fan-out. N node-redis clients (1,000; 100 with --quick) share one provider;
 * after all are connected, the next renewal's token is located in the emulator's request log (t0 = when the
 * token request arrived) and each connection's first AUTH after t0 is read from the gate's records.
 *
 * @module
 */
import { startEmulator, DEFAULT_SECRET_PRINCIPAL } from '../../src/emulator/index.js';
import type { Emulator, GateConnectionInfo } from '../../src/emulator/index.js';
import { connectAll, destroyAll, standaloneClient } from '../lib/clients.js';
import type { BenchClient } from '../lib/clients.js';
import { quantile, round, waitFor } from '../lib/stats.js';
import { servicePrincipalProvider, SUBJECTS } from '../lib/subjects.js';
import type { SubjectName } from '../lib/subjects.js';
import type { BenchContext, Row, Scenario, ScenarioResult, Series } from '../lib/types.js';

interface Measured {
  readonly connections: number;
  readonly connectMs: number;
  /** From t0 to the last connection's first AUTH. */
  readonly allDoneMs: number;
  /** From the first to the last of those AUTHs. */
  readonly spreadMs: number;
  readonly p50Ms: number;
  readonly missing: number;
  readonly expiryClosures: number;
  readonly reAuthErrors: number;
  /** Sorted offsets from t0 of each connection's first AUTH, ms. */
  readonly offsetsMs: number[];
}

function tokenRequestAfter(emulator: Emulator, afterMs: number): number | undefined {
  return emulator.identity.requests.find(
    (r) => r.endpoint === 'token' && r.status === 200 && r.principal === DEFAULT_SECRET_PRINCIPAL.clientId && r.at >= afterMs,
  )?.at;
}

async function measure(subject: SubjectName, context: BenchContext, count: number, lifetimeS: number): Promise<Measured> {
  const emulator = await startEmulator({ ca: context.ca, tokenLifetimeSeconds: lifetimeS, redis: { tls: false } });
  const handle = servicePrincipalProvider(subject, emulator.identity);
  let clients: BenchClient[] = [];
  try {
    const redis = emulator.redis;
    if (redis === undefined) throw new Error('the emulator started without Redis');
    const gate = redis.gates[0];
    if (gate === undefined) throw new Error('no gate');
    clients = Array.from({ length: count }, () => standaloneClient(redis, context.ca.certPem, { provider: handle.provider }));
    const started = Date.now();
    await connectAll(clients, 50);
    const connectedAt = Date.now();
    context.log(`fanout: ${subject}: ${count} connections in ${connectedAt - started} ms`);
    let t0: number | undefined;
    await waitFor(() => (t0 = tokenRequestAfter(emulator, connectedAt)) !== undefined, 'a renewal after connecting', lifetimeS * 2000, 50);
    const newTokenAt = t0 as number;
    const live = (): GateConnectionInfo[] => gate.connections().filter((c) => c.openedAtMs <= newTokenAt && c.closedAtMs === undefined);
    const firstAuthAfter = (c: GateConnectionInfo): number | undefined => c.auths.find((a) => a.atMs >= newTokenAt)?.atMs;
    // Wait until every live connection has re-authenticated, or until the old token's expiry.
    await waitFor(() => live().every((c) => firstAuthAfter(c) !== undefined), 'every connection to re-authenticate', lifetimeS * 1000, 50).catch(
      () => undefined,
    );
    const connections = live();
    const offsets = connections
      .map(firstAuthAfter)
      .filter((t): t is number => t !== undefined)
      .map((t) => t - newTokenAt)
      .sort((a, b) => a - b);
    return {
      connections: connections.length,
      connectMs: connectedAt - started,
      allDoneMs: offsets.length === 0 ? Number.NaN : (offsets[offsets.length - 1] as number),
      spreadMs: offsets.length === 0 ? Number.NaN : (offsets[offsets.length - 1] as number) - (offsets[0] as number),
      p50Ms: quantile(offsets, 0.5),
      missing: connections.length - offsets.length,
      expiryClosures: gate.stats().expiryClosures,
      reAuthErrors: handle.reAuthErrors(),
      offsetsMs: offsets,
    };
  } finally {
    destroyAll(clients);
    await handle.close();
    await emulator.close();
  }
}

/** Cumulative % of connections re-authenticated, sampled at up to 60 points. */
function cumulative(name: string, offsets: readonly number[], total: number): Series {
  const points: [number, number][] = [[0, 0]];
  const step = Math.max(1, Math.floor(offsets.length / 60));
  for (let i = 0; i < offsets.length; i += step) points.push([offsets[i] as number, ((i + 1) / total) * 100]);
  if (offsets.length > 0) points.push([offsets[offsets.length - 1] as number, (offsets.length / total) * 100]);
  return { name, points };
}

export const fanoutScenario: Scenario = {
  name: 'fanout',
  async run(context: BenchContext): Promise<ScenarioResult> {
    const count = context.quick ? 100 : 1000;
    const lifetimeS = context.quick ? 6 : 40;
    const results: Partial<Record<SubjectName, Measured>> = {};
    for (const subject of SUBJECTS) {
      context.log(`fanout: ${subject} (${count} connections, ${lifetimeS} s tokens)`);
      results[subject] = await measure(subject, context, count, lifetimeS);
    }
    const ours = results.ours as Measured;
    const peer = results.peer as Measured;
    const missing = (m: Measured): string => (m.missing > 0 ? ` (${m.missing} never re-authenticated)` : '');
    const rows: Row[] = [
      {
        id: 'fanout.all',
        metric: `Fan-out: new token → all ${count} connections re-authenticated`,
        unit: 'ms',
        ours: ours.missing > 0 ? `${Math.round(ours.allDoneMs)}${missing(ours)}` : Math.round(ours.allDoneMs),
        peer: peer.missing > 0 ? `${Math.round(peer.allDoneMs)}${missing(peer)}` : Math.round(peer.allDoneMs),
        baseline: 'n/a (no renewal)',
        ideal: 'well before expiry (Azure: ≥ 3 min before)',
        note:
          `${count} node-redis clients (plain TCP gate, so 1,000 TLS handshakes on 2 busy cores do not dominate) on one provider, ${lifetimeS} s tokens; t0 = arrival of the renewal's token request at the ` +
          `emulator; connections live at t0: ours ${ours.connections}, peer ${peer.connections}; connect time ours ${ours.connectMs} ms, ` +
          `peer ${peer.connectMs} ms; connections closed at expiry: ours ${ours.expiryClosures}, peer ${peer.expiryClosures}`,
      },
      {
        id: 'fanout.spread',
        metric: 'Fan-out: spread of the AUTHs (first → last), p50 offset',
        unit: 'ms',
        ours: `${Math.round(ours.spreadMs)} (p50 ${Math.round(ours.p50Ms)})`,
        peer: `${Math.round(peer.spreadMs)} (p50 ${Math.round(peer.p50Ms)})`,
        baseline: 'n/a (no renewal)',
        ideal: 'spread by jitter, not a burst',
        note: 'a spread near 0 means every AUTH hits the server in one burst; Microsoft asks clients to stagger AUTHs with jitter',
      },
    ];
    const chart = [cumulative('ours (redis-entraid)', ours.offsetsMs, ours.connections), cumulative('peer (@redis/entraid)', peer.offsetsMs, peer.connections)];
    const summary = (m: Measured): Omit<Measured, 'offsetsMs'> & { offsetsMs: number[] } => ({ ...m, offsetsMs: m.offsetsMs.map((x) => round(x, 1)) });
    return { rows, charts: { fanout: chart }, raw: { count, lifetimeS, ours: summary(ours), peer: summary(peer) } };
  },
};
