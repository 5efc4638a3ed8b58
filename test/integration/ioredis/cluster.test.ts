// ioredis Cluster (6 and 5) over TLS through the emulator's 3 gated masters with the real provider: every node
// connection is re-AUTHed once per renewal, every new connection (reconnects, slot refresh, nodes re-created
// after a drop, the subscriber) authenticates with the newest token, the subscriber keeps receiving, and one
// provider serves the cluster and standalone clients with one token request per renewal.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Emulator } from '../../../src/emulator/index.js';
import { withEntraId } from '../../../src/ioredis/index.js';
import type { EntraIdCredentialsProvider } from '../../../src/provider/entra-id-credentials-provider.js';
import { CLUSTERS, IOREDIS6, type AnyCluster, type AnyRedis } from './helpers/clients.js';
import {
  acceptedUtis,
  ClientTracker,
  eventually,
  gateConnectionOf,
  realProvider,
  staleHandshakes,
  startStack,
  sumStats,
  tokenRequests,
  waitFor,
  waitForTokens,
  type TokenLog,
} from './helpers/stack.js';

/** The message numbers 1..n that are not in `received`. */
const lost = (received: number[], n: number): number[] => Array.from({ length: n }, (_, i) => i + 1).filter((i) => !received.includes(i));
const KEYS = Array.from({ length: 30 }, (_, i) => `key:${i}`); // spread over the three masters' slots

describe('cluster over TLS through three gates', { concurrency: true }, () => {
  for (const flavour of CLUSTERS) {
    describe(flavour.name, () => {
      let emulator: Emulator;
      let provider: EntraIdCredentialsProvider;
      let log: TokenLog;
      const clients = new ClientTracker<AnyCluster | AnyRedis>();
      before(async () => {
        emulator = await startStack({ cluster: true });
        ({ provider, log } = realProvider(emulator));
      });
      after(async () => {
        try {
          await clients.closeAll();
          assert.equal(provider.subscriberCount, 0, 'every binding released its subscription');
        } finally {
          await provider.close();
          await emulator.close();
        }
      });

      test('node connections follow every renewal; drops, refreshes and the subscriber use the newest token', async (t) => {
        const azure = emulator.redis;
        assert.ok(azure);
        const since = Date.now();
        const cluster = await withEntraId(
          provider,
          (credentials) => {
            const client = flavour.create([...azure.rootNodes], {
              redisOptions: { tls: { ca: emulator.ca.certPem }, ...credentials },
              clusterRetryStrategy: () => 50,
            });
            client.on('error', () => undefined);
            clients.add(client);
            return client;
          },
          { reAuthJitterMs: 200 },
        );
        for (const key of KEYS) assert.equal(await cluster.set(key, key), 'OK');
        await waitFor('three node connections', () => cluster.nodes('master').filter((node) => node.status === 'ready').length === 3);

        // the subscriber: RESP3 (v6) re-AUTHs in place, RESP2 (v5) reconnects ahead of expiry
        const received: number[] = [];
        cluster.on('message', (_channel: string, message: string) => received.push(Number(message)));
        await cluster.subscribe('cluster-news');
        let published = 0;
        const start = log.tokens.length;
        while (log.tokens.length < start + 2) {
          await cluster.publish('cluster-news', String(++published));
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        await eventually(async () => {
          const marker = ++published;
          await cluster.publish('cluster-news', String(marker));
          await waitFor('the marker', () => received.includes(marker), 500);
        });
        t.diagnostic(`${flavour.name} cluster subscriber: published ${published}, received ${received.length}, missed ${published - received.length} over 2 renewals`);
        if (flavour.name === 'ioredis 6') assert.deepEqual(lost(received, published), [], 'a RESP3 subscriber misses nothing');

        // every master connection: one AUTH per token since its handshake, on the same connection
        const latest = log.tokens.at(-1)?.uti;
        await eventually(() => {
          for (const node of cluster.nodes('master')) assert.equal(acceptedUtis(gateConnectionOf(azure.gates, node)).at(-1), latest);
        });
        for (const node of cluster.nodes('master')) {
          const utis = acceptedUtis(gateConnectionOf(azure.gates, node));
          const first = log.tokens.findIndex((token) => token.uti === utis[0]);
          assert.deepEqual(utis, log.tokens.slice(first, first + utis.length).map((token) => token.uti), 'one AUTH per token');
          assert.equal(utis.at(-1), latest);
        }

        // drop every connection right after a renewal: nodes are re-created from the cluster's options
        const renewal = log.tokens.length;
        await waitForTokens(log, renewal + 1);
        for (const gate of azure.gates) gate.closeAll();
        await eventually(async () => {
          for (const key of KEYS) assert.equal(await cluster.get(key), key);
        }, 15_000);
        assert.deepEqual(staleHandshakes(azure.gates, log, since), [], 'every handshake carried the newest token');
        assert.equal(sumStats(azure.gates, 'expiryClosures'), 0);
        assert.equal(sumStats(azure.gates, 'authRejected'), 0);
      });

      test('one token request per renewal for a cluster, its duplicate and two standalone clients', async () => {
        const azure = emulator.redis;
        assert.ok(azure);
        const cluster = await withEntraId(provider, (credentials) => {
          const client = flavour.create([...azure.rootNodes], { redisOptions: { tls: { ca: emulator.ca.certPem }, ...credentials } });
          client.on('error', () => undefined);
          clients.add(client);
          return client;
        });
        const copy = cluster.duplicate() as AnyCluster;
        copy.on('error', () => undefined);
        clients.add(copy);
        const standalone = await Promise.all(
          [0, 1].map((i) =>
            withEntraId(provider, (credentials) => {
              const node = azure.rootNodes[i];
              assert.ok(node);
              const client = IOREDIS6.create({ host: node.host, port: node.port, tls: { ca: emulator.ca.certPem }, ...credentials });
              client.on('error', () => undefined);
              clients.add(client);
              return client;
            }),
          ),
        );
        assert.equal(await copy.set('dup', '1'), 'OK');
        const requestsBefore = tokenRequests(emulator);
        const tokensBefore = log.tokens.length;
        await waitForTokens(log, tokensBefore + 3);
        const tokens = log.tokens.length - tokensBefore;
        await eventually(() => assert.equal(tokenRequests(emulator) - requestsBefore, tokens));
        // everyone is on the newest token
        await eventually(() => {
          const latest = log.tokens.at(-1)?.uti;
          const ready = (nodes: AnyRedis[]): AnyRedis[] => nodes.filter((node) => node.status === 'ready');
          const everyone = { standalone, cluster: ready(cluster.nodes('master')), duplicate: ready(copy.nodes('master')) };
          for (const [kind, list] of Object.entries(everyone)) {
            for (const client of list) {
              const utis = acceptedUtis(gateConnectionOf(azure.gates, client));
              assert.equal(utis.at(-1), latest, `${kind}: ${utis.map((uti) => log.tokens.findIndex((token) => token.uti === uti)).join(',')} of ${log.tokens.length}`);
            }
          }
        });
        assert.equal(tokenRequests(emulator), log.tokens.length, 'since start: exactly one request per token');
      });
    });
  }
});
