// ioredis Cluster: every node connection (and nodes found later) is re-authenticated on each renewal.
// Env: HOST, PORT, TENANT_ID, CLIENT_ID, CLIENT_SECRET, optional AUTHORITY_HOST.
import { Cluster } from 'ioredis';
import { createFromServicePrincipal } from 'redis-entraid';
import { withEntraId } from 'redis-entraid/ioredis';

const { HOST = '', PORT = '10000', TENANT_ID = '', CLIENT_ID = '', CLIENT_SECRET = '', AUTHORITY_HOST } = process.env;

const provider = createFromServicePrincipal({
  tenantId: TENANT_ID,
  clientId: CLIENT_ID,
  clientSecret: CLIENT_SECRET,
  authorityHost: AUTHORITY_HOST,
});

const cluster = await withEntraId(provider, (credentials) =>
  new Cluster([{ host: HOST, port: Number(PORT) }], {
    redisOptions: { tls: {}, ...credentials },
    // Azure announces shards by IP address; keep TLS names right with natMap or dnsLookup (docs/ioredis.md).
  }),
);

for (const key of ['alpha', 'bravo', 'charlie', 'delta']) await cluster.set(`examples:ioredis-cluster:${key}`, key);
console.log(`masters: ${cluster.nodes('master').length}; delta = ${await cluster.get('examples:ioredis-cluster:delta')}`);

await cluster.quit();
await provider.close();
