/**
 * Scenario 1: token requests to the identity platform at start-up and per renewal, with 10 standalone
 * clients, a 3-master cluster client and a RESP3 pub/sub client sharing one provider.
 *
 * A renewal is one refresh period (80 % of the token lifetime, both libraries configured alike). The window
 * ends mid-period after `renewals` periods so jitter cannot move a renewal in or out of it.
 *
 * @module
 */
import { startEmulator, startGatedCluster } from '../../src/emulator/index.js';
import type { GatedCluster } from '../../src/emulator/index.js';
import { clusterClient, connectAll, destroyAll, standaloneClient } from '../lib/clients.js';
import { closuresIn, meanAuthsPerConnection } from '../lib/auth-window.js';
import { round, sleep } from '../lib/stats.js';
import { REFRESH_RATIO, SUBJECTS, servicePrincipalProvider, tokenRequests } from '../lib/subjects.js';
import type { SubjectName } from '../lib/subjects.js';
import type { BenchContext, Row, Scenario, ScenarioResult } from '../lib/types.js';

interface Measured {
  readonly startup: number;
  readonly perRenewal: number;
  readonly authsPerConnectionPerRenewal: number;
  readonly connections: number;
  readonly failedCommands: number;
  readonly closures: Record<string, number>;
}

async function measure(subject: SubjectName, context: BenchContext, lifetimeS: number, renewals: number): Promise<Measured> {
  const emulator = await startEmulator({ ca: context.ca, tokenLifetimeSeconds: lifetimeS });
  let cluster: GatedCluster | undefined;
  const handle = servicePrincipalProvider(subject, emulator.identity);
  try {
    cluster = await startGatedCluster({ verifier: emulator.identity, tls: { ca: context.ca } });
    const redis = emulator.redis;
    if (redis === undefined) throw new Error('the emulator started without Redis');
    const auth = { provider: handle.provider };
    const standalone = Array.from({ length: 10 }, () => standaloneClient(redis, context.ca.certPem, auth));
    const pubsub = standaloneClient(redis, context.ca.certPem, auth, { resp3: true });
    const clusterC = clusterClient(cluster.rootNodes, context.ca.certPem, auth);
    const before = tokenRequests(emulator.identity);
    const startedAt = Date.now();
    try {
      // Everything connects at once: a provider must not ask once per connection.
      await Promise.all([connectAll([...standalone, pubsub], 20), clusterC.connect()]);
      await pubsub.subscribe('bench:channel', () => undefined);
      const startup = tokenRequests(emulator.identity) - before;
      const connectedAt = Date.now();
      const endAt = startedAt + (renewals * REFRESH_RATIO + REFRESH_RATIO / 2) * lifetimeS * 1000;
      let failedCommands = 0;
      while (Date.now() < endAt) {
        const results = await Promise.allSettled([
          ...standalone.map((c) => c.get('bench:key')),
          clusterC.get('bench:key'),
          pubsub.publish('bench:channel', 'x'),
        ]);
        failedCommands += results.filter((r) => r.status === 'rejected').length;
        await sleep(Math.min(250, Math.max(0, endAt - Date.now())));
      }
      const total = tokenRequests(emulator.identity) - before;
      const gates = [...redis.gates, ...cluster.nodes.map((n) => n.gate)];
      const auths = meanAuthsPerConnection(gates, connectedAt, endAt);
      return {
        startup,
        perRenewal: (total - startup) / renewals,
        authsPerConnectionPerRenewal: auths.mean / renewals,
        connections: auths.connections,
        failedCommands,
        closures: closuresIn(gates, connectedAt, endAt),
      };
    } finally {
      destroyAll([...standalone, pubsub, clusterC]);
    }
  } finally {
    await handle.close();
    await cluster?.stop();
    await emulator.close();
  }
}

export const tokenRequestsScenario: Scenario = {
  name: 'token-requests',
  async run(context: BenchContext): Promise<ScenarioResult> {
    const lifetimeS = context.quick ? 5 : 10;
    const renewals = context.quick ? 1 : 3;
    const results: Partial<Record<SubjectName, Measured>> = {};
    for (const subject of SUBJECTS) {
      context.log(`token-requests: ${subject} (${lifetimeS} s tokens, ${renewals} renewals)`);
      results[subject] = await measure(subject, context, lifetimeS, renewals);
    }
    const ours = results.ours as Measured;
    const peer = results.peer as Measured;
    const setup = `10 standalone + 3-master cluster + RESP3 pub/sub client (${ours.connections} connections), one provider, ${lifetimeS} s tokens, ${renewals} renewal(s)`;
    const rows: Row[] = [
      {
        id: 'token-requests.startup',
        metric: 'Token requests at start-up',
        unit: 'requests',
        ours: ours.startup,
        peer: peer.startup,
        baseline: 'n/a (static password)',
        ideal: 1,
        note: setup,
      },
      {
        id: 'token-requests.renewal',
        metric: 'Token requests per renewal',
        unit: 'requests/renewal',
        ours: round(ours.perRenewal),
        peer: round(peer.perRenewal),
        baseline: 'n/a (static password)',
        ideal: 1,
        note: `failed commands during the run: ours ${ours.failedCommands}, peer ${peer.failedCommands}`,
      },
    ];
    return { rows, raw: { lifetimeS, renewals, ours, peer } };
  },
};
