/**
 * Scenario 5: cold start, from creating the provider (or, for the baseline, the client) to the first
 * successful command on a new node-redis client. Each trial creates a new provider, so it includes the OpenID
 * discovery and the first token request. Conditions are interleaved; one discarded warm-up trial each.
 *
 * @module
 */
import { performance } from 'node:perf_hooks';
import { startEmulator } from '../../src/emulator/index.js';
import type { Emulator } from '../../src/emulator/index.js';
import { destroyAll, standaloneClient } from '../lib/clients.js';
import { median, round } from '../lib/stats.js';
import { staticAuth } from '../lib/static-auth.js';
import { servicePrincipalProvider } from '../lib/subjects.js';
import type { BenchContext, Row, Scenario, ScenarioResult } from '../lib/types.js';

type Condition = 'baseline' | 'ours' | 'peer';
const CONDITIONS: readonly Condition[] = ['baseline', 'ours', 'peer'];

async function trial(condition: Condition, emulator: Emulator, context: BenchContext): Promise<number> {
  const redis = emulator.redis;
  if (redis === undefined) throw new Error('the emulator started without Redis');
  const fixed = condition === 'baseline' ? staticAuth(emulator.identity) : undefined;
  const t0 = performance.now();
  const handle = condition === 'baseline' ? undefined : servicePrincipalProvider(condition, emulator.identity);
  const client = standaloneClient(redis, context.ca.certPem, handle === undefined ? (fixed as { username: string; password: string }) : { provider: handle.provider });
  try {
    await client.connect();
    await client.ping();
    return performance.now() - t0;
  } finally {
    destroyAll([client]);
    await handle?.close();
  }
}

export const coldStartScenario: Scenario = {
  name: 'cold-start',
  async run(context: BenchContext): Promise<ScenarioResult> {
    const trials = context.quick ? 2 : 7;
    const emulator = await startEmulator({ ca: context.ca, tokenLifetimeSeconds: 300 });
    const times: Record<Condition, number[]> = { baseline: [], ours: [], peer: [] };
    try {
      for (const condition of CONDITIONS) await trial(condition, emulator, context);
      for (let i = 0; i < trials; i++) {
        for (const condition of CONDITIONS) times[condition].push(await trial(condition, emulator, context));
      }
    } finally {
      await emulator.close();
    }
    const m = (c: Condition): number => round(median(times[c]), 1);
    const rows: Row[] = [
      {
        id: 'cold-start',
        metric: 'Cold start: provider created → first successful command',
        unit: 'ms (median)',
        ours: m('ours'),
        peer: m('peer'),
        baseline: m('baseline'),
        ideal: 'baseline + one token round trip',
        note: `median of ${trials} interleaved trials (new provider and client each; TLS connect, HELLO/AUTH, PING)`,
      },
    ];
    return { rows, raw: { trials, times } };
  },
};
