/**
 * Scenario 7: the identity platform answers 503 for 50 % of the token lifetime, from 0.4 to 0.9 of the first
 * token's lifetime, covering the scheduled renewal (at 0.8) and ending before expiry, so a client that keeps
 * retrying can recover in time. Two node-redis clients per library send a GET every 50 ms; failed commands
 * and connections closed at expiry are counted. Both libraries run at the same time, each on its own emulator.
 *
 * @module
 */
import { startEmulator } from '../../src/emulator/index.js';
import { connectAll, destroyAll, standaloneClient } from '../lib/clients.js';
import { sleep } from '../lib/stats.js';
import { servicePrincipalProvider, SUBJECTS, tokenRequests } from '../lib/subjects.js';
import type { SubjectName } from '../lib/subjects.js';
import type { BenchContext, Row, Scenario, ScenarioResult } from '../lib/types.js';

const CLIENTS = 2;
const OUTAGE_FROM = 0.4;
const OUTAGE_TO = 0.9;

interface Measured {
  readonly commands: number;
  readonly failed: number;
  readonly expiryClosures: number;
  readonly requestsDuringOutage: number;
  readonly reAuthErrors: number;
}

async function measure(subject: SubjectName, context: BenchContext, lifetimeS: number): Promise<Measured> {
  const emulator = await startEmulator({ ca: context.ca, tokenLifetimeSeconds: lifetimeS });
  const handle = servicePrincipalProvider(subject, emulator.identity);
  const redis = emulator.redis;
  if (redis === undefined) throw new Error('the emulator started without Redis');
  const clients = Array.from({ length: CLIENTS }, () => standaloneClient(redis, context.ca.certPem, { provider: handle.provider }));
  try {
    const t0 = Date.now();
    await connectAll(clients);
    const lifetimeMs = lifetimeS * 1000;
    const endAt = t0 + 1.3 * lifetimeMs;
    let commands = 0;
    let failed = 0;
    const load = Promise.all(
      clients.map(async (client) => {
        while (Date.now() < endAt) {
          commands++;
          await client.get('bench:outage').catch(() => {
            failed++;
          });
          await sleep(50);
        }
      }),
    );
    await sleep(t0 + OUTAGE_FROM * lifetimeMs - Date.now());
    const before = tokenRequests(emulator.identity);
    emulator.identity.faults.setOutage(true);
    await sleep(t0 + OUTAGE_TO * lifetimeMs - Date.now());
    emulator.identity.faults.setOutage(false);
    const requestsDuringOutage = tokenRequests(emulator.identity) - before;
    await load;
    return {
      commands,
      failed,
      expiryClosures: redis.gates[0]?.stats().expiryClosures ?? 0,
      requestsDuringOutage,
      reAuthErrors: handle.reAuthErrors(),
    };
  } finally {
    destroyAll(clients);
    await handle.close();
    await emulator.close();
  }
}

export const outageScenario: Scenario = {
  name: 'outage',
  async run(context: BenchContext): Promise<ScenarioResult> {
    const lifetimeS = context.quick ? 20 : 60;
    context.log(`outage: both libraries at once (${lifetimeS} s tokens, 503 from ${OUTAGE_FROM * lifetimeS} s to ${OUTAGE_TO * lifetimeS} s)`);
    const [ours, peer] = (await Promise.all(SUBJECTS.map((s) => measure(s, context, lifetimeS)))) as [Measured, Measured];
    const rows: Row[] = [
      {
        id: 'outage.failed',
        metric: 'Failed commands, identity platform down for 50 % of the token lifetime',
        unit: 'commands',
        ours: ours.failed,
        peer: peer.failed,
        baseline: 'n/a (no token)',
        ideal: 0,
        note:
          `${lifetimeS} s tokens, HTTP 503 from ${OUTAGE_FROM} to ${OUTAGE_TO} of the lifetime (renewal due at 0.8), ${CLIENTS} clients × a GET every 50 ms ` +
          `until 1.3 × lifetime (ours ${ours.commands}, peer ${peer.commands} commands); connections closed at token expiry: ours ` +
          `${ours.expiryClosures}, peer ${peer.expiryClosures}; token requests during the outage: ours ${ours.requestsDuringOutage}, ` +
          `peer ${peer.requestsDuringOutage} (MSAL replays a 5xx for 60 s without asking again)`,
      },
    ];
    return { rows, raw: { lifetimeS, ours, peer } };
  },
};
