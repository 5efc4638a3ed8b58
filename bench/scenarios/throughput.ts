/**
 * Scenario 3: command throughput and p50/p99 latency of one node-redis client under token rotation, as a ratio
 * to the same client with a static password and no provider. Conditions are interleaved in rounds (order
 * rotated each round) so machine noise hits all of them; each ratio is the median of the per-round ratios.
 *
 * @module
 */
import { startEmulator } from '../../src/emulator/index.js';
import type { Emulator } from '../../src/emulator/index.js';
import { destroyAll, standaloneClient } from '../lib/clients.js';
import type { Auth } from '../lib/clients.js';
import { closedLoop } from '../lib/load.js';
import type { LoadResult } from '../lib/load.js';
import { median, quantile, round, sleep } from '../lib/stats.js';
import { staticAuth } from '../lib/static-auth.js';
import { servicePrincipalProvider } from '../lib/subjects.js';
import type { ProviderHandle } from '../lib/subjects.js';
import type { BenchContext, Row, Scenario, ScenarioResult, Series } from '../lib/types.js';

type Condition = 'baseline' | 'ours' | 'peer';
const CONDITIONS: readonly Condition[] = ['baseline', 'ours', 'peer'];
const CONCURRENCY = 16;

interface RunSummary {
  readonly opsPerSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly failed: number;
  readonly renewals: number;
}

async function runOne(condition: Condition, emulator: Emulator, context: BenchContext, durationMs: number): Promise<RunSummary> {
  const redis = emulator.redis;
  if (redis === undefined) throw new Error('the emulator started without Redis');
  let handle: ProviderHandle | undefined;
  let auth: Auth;
  if (condition === 'baseline') auth = staticAuth(emulator.identity);
  else {
    handle = servicePrincipalProvider(condition, emulator.identity);
    auth = { provider: handle.provider };
  }
  const client = standaloneClient(redis, context.ca.certPem, auth);
  try {
    await client.connect();
    await client.set('bench:tp', 'x'.repeat(64));
    await closedLoop(() => client.get('bench:tp'), CONCURRENCY, 300);
    const authsBefore = redis.gates[0]?.stats().authAccepted ?? 0;
    const result: LoadResult = await closedLoop(
      (i) => (i % 4 === 0 ? client.set(`bench:tp:${i % 1000}`, 'v') : client.get('bench:tp')),
      CONCURRENCY,
      durationMs,
    );
    return {
      opsPerSecond: result.opsPerSecond,
      p50: quantile(result.latenciesMs, 0.5),
      p99: quantile(result.latenciesMs, 0.99),
      failed: result.failed,
      renewals: (redis.gates[0]?.stats().authAccepted ?? 0) - authsBefore,
    };
  } finally {
    destroyAll([client]);
    await handle?.close();
  }
}

export const throughputScenario: Scenario = {
  name: 'throughput',
  async run(context: BenchContext): Promise<ScenarioResult> {
    const lifetimeS = 4;
    const rounds = context.quick ? 1 : 5;
    const durationMs = context.quick ? 1500 : 6000;
    const emulator = await startEmulator({ ca: context.ca, tokenLifetimeSeconds: lifetimeS });
    const runs: Record<Condition, RunSummary[]> = { baseline: [], ours: [], peer: [] };
    try {
      for (let round_ = 0; round_ < rounds; round_++) {
        const order = CONDITIONS.map((_, i) => CONDITIONS[(i + round_) % CONDITIONS.length] as Condition);
        for (const condition of order) {
          context.log(`throughput: round ${round_ + 1}/${rounds} ${condition}`);
          runs[condition].push(await runOne(condition, emulator, context, durationMs));
          await sleep(100);
        }
      }
    } finally {
      await emulator.close();
    }
    const ratio = (subject: Condition, pick: (r: RunSummary) => number): number =>
      median(runs[subject].map((r, i) => pick(r) / pick(runs.baseline[i] as RunSummary)));
    const base = {
      ops: median(runs.baseline.map((r) => r.opsPerSecond)),
      p50: median(runs.baseline.map((r) => r.p50)),
      p99: median(runs.baseline.map((r) => r.p99)),
    };
    const failed = (c: Condition): number => runs[c].reduce((a, r) => a + r.failed, 0);
    const renewals = (c: Condition): number => runs[c].reduce((a, r) => a + r.renewals, 0);
    const setup =
      `one client, ${CONCURRENCY} commands in flight (GET/SET 3:1), ${rounds} round(s) × ${durationMs / 1000} s per condition, ` +
      `${lifetimeS} s tokens (re-AUTH every ${lifetimeS * 0.8} s: ours ${renewals('ours')}, peer ${renewals('peer')} AUTHs in total); ` +
      `failed commands: ours ${failed('ours')}, peer ${failed('peer')}, baseline ${failed('baseline')}; ` +
      `noise: baseline ops/s ranged ${Math.round(Math.min(...runs.baseline.map((r) => r.opsPerSecond)))}–` +
      `${Math.round(Math.max(...runs.baseline.map((r) => r.opsPerSecond)))} across rounds`;
    const rows: Row[] = [
      {
        id: 'throughput.ops',
        metric: 'Throughput under rotation, ratio to static password',
        unit: 'ratio (higher is better)',
        ours: round(ratio('ours', (r) => r.opsPerSecond)),
        peer: round(ratio('peer', (r) => r.opsPerSecond)),
        baseline: `1.00 (${Math.round(base.ops)} ops/s)`,
        ideal: '1.00',
        note: setup,
      },
      {
        id: 'throughput.p50',
        metric: 'p50 latency under rotation, ratio to static password',
        unit: 'ratio (lower is better)',
        ours: round(ratio('ours', (r) => r.p50)),
        peer: round(ratio('peer', (r) => r.p50)),
        baseline: `1.00 (${round(base.p50, 3)} ms)`,
        ideal: '1.00',
      },
      {
        id: 'throughput.p99',
        metric: 'p99 latency under rotation, ratio to static password',
        unit: 'ratio (lower is better)',
        ours: round(ratio('ours', (r) => r.p99)),
        peer: round(ratio('peer', (r) => r.p99)),
        baseline: `1.00 (${round(base.p99, 3)} ms)`,
        ideal: '1.00',
      },
      {
        id: 'throughput.failed',
        metric: 'Failed commands during the throughput runs (token rotation)',
        unit: 'commands',
        ours: failed('ours'),
        peer: failed('peer'),
        baseline: failed('baseline'),
        ideal: 0,
        note: `out of ~${Math.round(base.ops * (durationMs / 1000) * rounds)} commands per condition`,
      },
    ];
    const series = (c: 'ours' | 'peer'): Series => ({
      name: c === 'ours' ? 'ours (redis-entraid)' : 'peer (@redis/entraid)',
      points: [
        [0, round(ratio(c, (r) => r.opsPerSecond))],
        [1, round(ratio(c, (r) => r.p50))],
        [2, round(ratio(c, (r) => r.p99))],
      ],
    });
    return { rows, charts: { throughput: [series('ours'), series('peer')] }, raw: { lifetimeS, rounds, durationMs, runs } };
  },
};
