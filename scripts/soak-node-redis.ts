// Soak test for node-redis (not part of `npm test`): rotates short tokens for minutes under continuous load
// through the emulator (real MSAL service-principal path, TLS gates, real redis-server) and prints
// commands OK / failed, AUTHs per renewal per connection, token requests per renewal and gate expiry closures.
//
//   node --import tsx scripts/soak-node-redis.ts --minutes 10 --token-seconds 2 [--library 6|5|5.9]
//
// MSAL needs the emulator's CA trusted at process start (NODE_EXTRA_CA_CERTS): the script writes a CA to a temp
// directory and re-spawns itself with the variable set. Results also go to bench/out/soak-node-redis-<time>.json.
import { commonSoakRows, gateAuthFigures, reportSoak, soakProvider, soakUnderLoad } from './lib/soak.js';
import { parseArgs } from 'node:util';
import { createClient, createClientPool, createCluster } from 'redis';
import { createClient as createClient5, createClientPool as createClientPool5, createCluster as createCluster5 } from 'redis5';
import { createClient as createClient59, createClientPool as createClientPool59, createCluster as createCluster59 } from 'redis59';
import { startAzureRedis, startEmulator } from '../src/emulator/index.js';
import { DEFAULT_SECRET_PRINCIPAL } from '../src/emulator/idp/constants.js';
import type { RedisGate } from '../src/emulator/gate/redis-gate.js';
import type { CertificateAuthority } from '../src/emulator/pki/certificate-authority.js';
import { ensureTrustedCa } from '../src/emulator/trusted-ca.js';
import { watchNodeRedisClient } from '../src/provider/node-redis/watch-client.js';
import { watchNodeRedisCluster } from '../src/provider/node-redis/watch-cluster.js';
import { watchNodeRedisPool } from '../src/provider/node-redis/watch-pool.js';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    'token-seconds': { type: 'string', default: '2' },
    'reconnect-every-seconds': { type: 'string', default: '30' },
    library: { type: 'string', default: '6' },
  },
});
/**
 * The node-redis line to soak, every one fully watched: 6 (the `redis` dependency), 5 (`redis5`, the latest 5.x,
 * which has node-redis's diagnostics channels) or 5.9 (`redis59`, a 5.x without them). Their types differ only in
 * details the soak does not use.
 */
const LIBRARIES = {
  '6': { name: 'redis@6.3.1', tag: 'soak-node-redis', createClient, createClientPool, createCluster },
  '5': {
    name: 'redis@5.12.1',
    tag: 'soak-node-redis5',
    createClient: createClient5 as unknown as typeof createClient,
    createClientPool: createClientPool5 as unknown as typeof createClientPool,
    createCluster: createCluster5 as unknown as typeof createCluster,
  },
  '5.9': {
    name: 'redis@5.9.0',
    tag: 'soak-node-redis59',
    createClient: createClient59 as unknown as typeof createClient,
    createClientPool: createClientPool59 as unknown as typeof createClientPool,
    createCluster: createCluster59 as unknown as typeof createCluster,
  },
} as const;
const libraryKey = values.library ?? '6';
if (!(libraryKey in LIBRARIES)) throw new Error(`--library must be one of ${Object.keys(LIBRARIES).join(', ')}`);
const library = LIBRARIES[libraryKey as keyof typeof LIBRARIES];
/** Every this many seconds the standalone gate drops every connection (node-redis reconnects and resubscribes). */
const reconnectEverySeconds = Number(values['reconnect-every-seconds']);
const minutes = Number(values.minutes);
const tokenSeconds = Number(values['token-seconds']);

const trust = await ensureTrustedCa(process.env, { commonName: 'soak-node-redis CA' });
if (trust.kind === 'delegated') process.exitCode = trust.exitCode;
else await soak(trust.ca);

async function soak(ca: CertificateAuthority): Promise<void> {
  const emulator = await startEmulator({ ca, tokenLifetimeSeconds: tokenSeconds, redis: { cluster: true, tls: true } });
  const single = await startAzureRedis({ verifier: emulator.identity, ca, tls: true });
  const cluster = emulator.redis;
  if (cluster === undefined) throw new Error('no cluster');
  const { provider, events } = soakProvider(emulator);

  const socket = { host: single.host, port: single.port, tls: true as const, reconnectStrategy: () => 50 };
  const clusterOptions = {
    rootNodes: cluster.rootNodes.map((n) => ({ socket: { host: n.host, port: n.port } })),
    RESP: 3 as const,
    defaults: { credentialsProvider: provider, socket: { tls: true as const, reconnectStrategy: () => 50 } },
  };
  const poolSizes = { minimum: 2, maximum: 2 };
  const clients = [3, 2, 3].map((resp) => library.createClient({ socket, RESP: resp as 2 | 3, credentialsProvider: provider }));
  const subscriber = library.createClient({ socket, RESP: 3, credentialsProvider: provider });
  const pool = library.createClientPool({ socket, RESP: 3, credentialsProvider: provider }, poolSizes);
  const redisCluster = library.createCluster(clusterOptions);
  for (const emitter of [...clients, subscriber, pool, redisCluster]) emitter.on('error', () => undefined);
  const watches = [
    ...[...clients, subscriber].map((client) => watchNodeRedisClient(client, provider)),
    watchNodeRedisPool(pool, provider),
    watchNodeRedisCluster(redisCluster, provider),
  ];
  await Promise.all([...clients.map((c) => c.connect()), subscriber.connect(), pool.connect(), redisCluster.connect()]);
  const tokenRequestsAtStart = emulator.identity.requests.filter((r) => r.endpoint === 'token').length;
  const renewalsAtStart = events.renewals;
  let received = 0;
  await subscriber.subscribe('soak', () => received++);

  let published = 0;
  const load = await soakUnderLoad(
    [
      ...clients.map((c, n) => (i: number) => c.set(`soak:${n}:${i % 100}`, String(i))),
      (i) => pool.incr(`soak:pool:${i % 100}`),
      (i) => redisCluster.set(`soak:cluster:${i % 1000}`, String(i)),
      (i) => clients[0]?.multi().incr('soak:tx').get(`soak:0:${i % 100}`).exec() ?? Promise.resolve(),
      async () => {
        await clients[0]?.publish('soak', 'm');
        published++;
      },
    ],
    { minutes, reconnectEverySeconds, gates: single.gates, renewals: () => events.renewals },
  );

  const renewals = events.renewals - renewalsAtStart;
  const tokenRequests = emulator.identity.requests.filter((r) => r.endpoint === 'token').length - tokenRequestsAtStart;
  const gates: RedisGate[] = [...single.gates, ...cluster.gates];
  const result = {
    minutes,
    tokenSeconds,
    library: library.name,
    commandsOk: load.ok,
    commandsFailed: load.failed,
    failureReasons: load.failureReasons,
    forcedReconnects: load.forcedReconnects,
    messagesPublished: published,
    messagesReceived: received,
    renewals,
    tokenRequests,
    tokenRequestsPerRenewal: renewals === 0 ? 0 : tokenRequests / renewals,
    ...gateAuthFigures(gates, DEFAULT_SECRET_PRINCIPAL.objectId),
    reAuthFailures: events.reAuthFailures,
    reAuthSkipped: events.skipped,
    providerSubscribersBeforeClose: provider.subscriberCount,
    providerSubscribersAfterClose: 0,
  };
  await Promise.all([...clients.map((c) => c.close()), subscriber.close(), pool.close(), redisCluster.close()]);
  // After closing: a watch still listening when its client closes releases what node-redis before 5.12 leaves subscribed.
  for (const w of watches) w.dispose();
  result.providerSubscribersAfterClose = provider.subscriberCount;
  await provider.close();
  await single.close();
  await emulator.close();

  const rows: [string, string | number, string][] = [
    ...commonSoakRows(result, { minutes, tokenSeconds, failedIdeal: '0' }),
    ['forced reconnects (all standalone connections)', result.forcedReconnects, '-'],
    ['connections seen / open at the end', `${result.connectionsTotal} / ${result.openConnections}`, '- / 9'],
    ['subscriptions before / after close', `${result.providerSubscribersBeforeClose} / ${result.providerSubscribersAfterClose}`, '9 (+ listeners of reconnects since the last renewal) / 0'],
  ];
  reportSoak(`${library.name} soak: ${minutes} min, ${tokenSeconds} s tokens`, library.tag, rows, result);
}
