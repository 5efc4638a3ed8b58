// Soak test for the ioredis adapter (not part of `npm test`): rotates short tokens for minutes under continuous
// load through the emulator (real MSAL service-principal path, TLS gates, real redis-server) and prints commands
// OK / failed, AUTHs per renewal per connection, token requests per renewal and gate expiry closures.
//
//   node --import tsx scripts/soak-ioredis.ts --minutes 10 --token-seconds 2 [--cluster]
//
// Standalone: ioredis 6 (RESP3), ioredis 6 (protocol 2), ioredis 5, a RESP3 subscriber, a duplicate() doing BLPOP
// and a MULTI worker; the gate drops every connection every --reconnect-every-seconds. Cluster: 3 TLS masters,
// an ioredis 6 and an ioredis 5 Cluster, a cluster subscriber; every gate drops its connections likewise.
// MSAL needs the emulator's CA trusted at process start (NODE_EXTRA_CA_CERTS): the script writes a CA to a temp
// directory and re-spawns itself with the variable set. Results also go to bench/out/soak-ioredis-<mode>-<time>.json.
import type { EventEmitter } from 'node:events';
import { commonSoakRows, gateAuthFigures, reportSoak, soakProvider, soakUnderLoad } from './lib/soak.js';
import { parseArgs } from 'node:util';
import { Cluster as Cluster6, Redis as Redis6 } from 'ioredis';
import { Cluster as Cluster5, Redis as Redis5 } from 'ioredis5';
import { startEmulator } from '../src/emulator/index.js';
import { DEFAULT_SECRET_PRINCIPAL } from '../src/emulator/idp/constants.js';
import type { CertificateAuthority } from '../src/emulator/pki/certificate-authority.js';
import { ensureTrustedCa } from '../src/emulator/trusted-ca.js';
import { withEntraId } from '../src/ioredis/index.js';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    'token-seconds': { type: 'string', default: '2' },
    'reconnect-every-seconds': { type: 'string', default: '30' },
    cluster: { type: 'boolean', default: false },
  },
});
const minutes = Number(values.minutes);
const tokenSeconds = Number(values['token-seconds']);
/** Every this many seconds every gate drops every connection (ioredis reconnects and resubscribes). */
const reconnectEverySeconds = Number(values['reconnect-every-seconds']);
const clusterMode = values.cluster === true;

const trust = await ensureTrustedCa(process.env, { commonName: 'soak-ioredis CA' });
if (trust.kind === 'delegated') process.exitCode = trust.exitCode;
else await soak(trust.ca);

/** Any ioredis Redis or Cluster: an EventEmitter that can disconnect. */
type Closable = EventEmitter & { disconnect(): void };

async function soak(ca: CertificateAuthority): Promise<void> {
  const emulator = await startEmulator({ ca, tokenLifetimeSeconds: tokenSeconds, redis: { cluster: clusterMode, tls: true } });
  const azure = emulator.redis;
  if (azure === undefined) throw new Error('no redis');
  const { provider, events } = soakProvider(emulator);
  // re-AUTH jitter well inside the renewal margin (half a token's life)
  const options = { reAuthJitterMs: Math.min(500, (tokenSeconds * 1000) / 8) };
  const tls = { ca: ca.certPem };
  const all: Closable[] = [];
  const track = <T extends Closable>(client: T): T => {
    client.on('error', () => undefined);
    all.push(client);
    return client;
  };

  const run: ((i: number) => Promise<unknown>)[] = [];
  let received = 0;
  let published = 0;
  let libraries: string;
  if (clusterMode) {
    libraries = 'ioredis@6.0.0 Cluster, ioredis@5.11.1 Cluster';
    const nodes = [...azure.rootNodes];
    const c6 = await withEntraId(provider, (creds) => track(new Cluster6(nodes, { redisOptions: { tls, ...creds }, clusterRetryStrategy: () => 50 })), options);
    const c5 = await withEntraId(provider, (creds) => track(new Cluster5(nodes, { redisOptions: { tls, ...creds }, clusterRetryStrategy: () => 50 })), options);
    const sub = await withEntraId(provider, (creds) => track(new Cluster6(nodes, { redisOptions: { tls, ...creds }, clusterRetryStrategy: () => 50 })), options);
    sub.on('message', () => received++);
    await sub.subscribe('soak');
    run.push((i) => c6.set(`soak:6:${i % 1000}`, String(i)));
    run.push((i) => c5.set(`soak:5:${i % 1000}`, String(i)));
    run.push((i) => c6.get(`soak:5:${i % 1000}`));
    run.push(async () => {
      await c6.publish('soak', 'm');
      published++;
    });
  } else {
    libraries = 'ioredis@6.0.0 (RESP3 and protocol 2), ioredis@5.11.1';
    const base = { host: azure.host, port: azure.port, tls, retryStrategy: () => 50 };
    const r6 = await withEntraId(provider, (creds) => track(new Redis6({ ...base, ...creds })), options);
    const r6p2 = await withEntraId(provider, (creds) => track(new Redis6({ ...base, protocol: 2, ...creds })), options);
    const r5 = await withEntraId(provider, (creds) => track(new Redis5({ ...base, ...creds })), options);
    const sub = await withEntraId(provider, (creds) => track(new Redis6({ ...base, ...creds })), options);
    const blocking = track(r6.duplicate());
    sub.on('message', () => received++);
    await sub.subscribe('soak');
    run.push((i) => r6.set(`soak:6:${i % 100}`, String(i)));
    run.push((i) => r6p2.set(`soak:6p2:${i % 100}`, String(i)));
    run.push((i) => r5.set(`soak:5:${i % 100}`, String(i)));
    run.push((i) => r5.multi().incr('soak:tx').get(`soak:5:${i % 100}`).exec());
    run.push(async (i) => {
      await r6.rpush('soak:queue', String(i));
      const popped = await blocking.blpop('soak:queue', tokenSeconds * 3);
      if (popped === null) throw new Error('BLPOP timed out: a job was lost');
    });
    run.push(async () => {
      await r6.publish('soak', 'm');
      published++;
    });
  }
  const tokenRequestsAtStart = emulator.identity.stats().requestsByEndpoint.token ?? 0;
  const renewalsAtStart = events.renewals;

  const load = await soakUnderLoad(run, { minutes, reconnectEverySeconds, gates: azure.gates, renewals: () => events.renewals });

  const renewals = events.renewals - renewalsAtStart;
  const tokenRequests = (emulator.identity.stats().requestsByEndpoint.token ?? 0) - tokenRequestsAtStart;
  const result = {
    minutes,
    tokenSeconds,
    mode: clusterMode ? 'cluster' : 'standalone',
    libraries,
    commandsOk: load.ok,
    commandsFailed: load.failed,
    failureReasons: load.failureReasons,
    forcedReconnects: load.forcedReconnects,
    messagesPublished: published,
    messagesReceived: received,
    renewals,
    tokenRequests,
    tokenRequestsPerRenewal: renewals === 0 ? 0 : tokenRequests / renewals,
    ...gateAuthFigures(azure.gates, DEFAULT_SECRET_PRINCIPAL.objectId),
    reAuthFailures: events.reAuthFailures,
    reAuthSkipped: events.skipped,
    providerSubscribersBeforeClose: provider.subscriberCount,
    providerSubscribersAfterClose: 0,
  };
  const ended = all.map((client) => new Promise<void>((r) => client.once('end', () => r())));
  for (const client of all) client.disconnect();
  await Promise.all(ended);
  result.providerSubscribersAfterClose = provider.subscriberCount;
  await provider.close();
  await emulator.close();

  const rows: [string, string | number, string][] = [
    ...commonSoakRows(result, { minutes, tokenSeconds, failedIdeal: '0 (a forced drop may fail the commands in flight)' }),
    ['re-AUTH failures / skipped (RESP2 subscriber)', `${result.reAuthFailures} / ${result.reAuthSkipped}`, '0 / 0 (no RESP2 subscriber here)'],
    ['forced reconnects (every connection)', result.forcedReconnects, '-'],
    ['connections seen / open at the end', `${result.connectionsTotal} / ${result.openConnections}`, '-'],
    ['subscriptions before / after close', `${result.providerSubscribersBeforeClose} / ${result.providerSubscribersAfterClose}`, `${clusterMode ? 3 : 4} (one per binding; a duplicate() shares it) / 0`],
  ];
  reportSoak(`ioredis ${result.mode} soak: ${minutes} min, ${tokenSeconds} s tokens`, `soak-ioredis-${result.mode}`, rows, result);
}
