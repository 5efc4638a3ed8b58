import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import { Cluster as Cluster6 } from 'ioredis';
import { Cluster as Cluster5 } from 'ioredis5';
import { withEntraId } from '../../src/ioredis/index.js';
import { AclCredentialsSource, startAclCluster, USER, waitFor } from './helpers/acl-redis.js';
import type { TestRedis } from './helpers/acl-redis.js';

type AnyCluster = Cluster6 | Cluster5;
const versions = [
  { name: 'ioredis 6', create: (nodes: object[], options: object): AnyCluster => new Cluster6(nodes, options), resp3: true },
  { name: 'ioredis 5', create: (nodes: object[], options: object): AnyCluster => new Cluster5(nodes, options), resp3: false },
];

for (const version of versions) {
  describe(`cluster ${version.name}`, () => {
    let nodes: TestRedis[];
    let source: AclCredentialsSource;
    const clusters: AnyCluster[] = [];
    const totalAuth = async (): Promise<number> =>
      (await Promise.all(nodes.map((node) => node.authCalls()))).reduce((a, b) => a + b, 0);
    const open = async (): Promise<AnyCluster> => {
      const cluster = await withEntraId(
        source,
        (creds) => {
          const c = version.create([{ host: '127.0.0.1', port: nodes[0]!.port }], { redisOptions: { ...creds } });
          c.on('error', () => {});
          clusters.push(c);
          return c;
        },
        { reAuthJitterMs: 0 },
      );
      return cluster;
    };

    before(async () => {
      nodes = await startAclCluster();
      source = await new AclCredentialsSource(nodes.map((node) => node.admin)).init();
    });
    afterEach(async () => {
      const closing = clusters.splice(0);
      await Promise.all(closing.map((cluster) => cluster.quit().catch(() => undefined)));
      await waitFor(() => closing.every((cluster) => cluster.status === 'end'), 'clusters to end');
      assert.equal(source.listeners.size, 0, 'every binding released its subscription');
    });
    after(async () => {
      await Promise.all(nodes.map((node) => node.stop()));
    });

    test('every node connection is re-AUTHed exactly once per renewal; new connections use the current token', async () => {
      const cluster = await open();
      const keys = ['a', 'b', 'c', 'd', 'e', 'f'];
      for (const key of keys) await cluster.set(key, key);
      await waitFor(() => cluster.nodes('all').filter((n) => n.status === 'ready').length === 3, 'three node connections');
      const before = await totalAuth();
      await source.renew();
      await waitFor(async () => (await totalAuth()) >= before + 3, 'three AUTHs');
      for (const key of keys) assert.equal(await cluster.get(key), key);
      assert.equal(await totalAuth(), before + 3);
      // Drop every connection: the old password is gone, so only the current token lets them back in.
      await source.renew();
      await Promise.all(nodes.map((node) => node.admin.call('CLIENT', 'KILL', 'USER', USER)));
      await waitFor(async () => {
        try {
          for (const key of keys) if ((await cluster.get(key)) !== key) return false;
          return true;
        } catch {
          return false;
        }
      }, 'cluster to recover', 10_000);
    });

    test('the cluster subscriber keeps receiving across a renewal', async () => {
      const cluster = await open();
      const received: string[] = [];
      cluster.on('message', (_channel: string, message: string) => received.push(message));
      await cluster.subscribe('cluster-news');
      await source.renew();
      await waitFor(async () => {
        await nodes[1]!.admin.publish('cluster-news', 'after-renewal');
        return received.includes('after-renewal');
      }, 'message after renewal');
      if (!version.resp3) assert.equal(source.skipped.at(-1)?.reason, 'resp2-subscriber');
    });

    test('duplicate() of a bound cluster is bound too', async () => {
      const cluster = await open();
      const copy = cluster.duplicate() as AnyCluster;
      copy.on('error', () => {});
      clusters.push(copy);
      await copy.set('dup', '1');
      await source.renew();
      await Promise.all(nodes.map((node) => node.admin.call('CLIENT', 'KILL', 'USER', USER)));
      await waitFor(async () => {
        try {
          return (await copy.get('dup')) === '1';
        } catch {
          return false;
        }
      }, 'duplicate to recover', 10_000);
    });
  });
}
