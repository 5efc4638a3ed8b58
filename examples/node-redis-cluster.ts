// node-redis cluster (Azure Managed Redis with the OSS cluster policy, or a clustered Azure Cache for Redis).
// One provider serves every node connection. Env: HOST, PORT, TENANT_ID, CLIENT_ID, CLIENT_SECRET, optional AUTHORITY_HOST.
import { createCluster } from 'redis';
import { createFromServicePrincipal } from 'redis-entraid';

const { HOST = '', PORT = '10000', TENANT_ID = '', CLIENT_ID = '', CLIENT_SECRET = '', AUTHORITY_HOST } = process.env;

const credentialsProvider = createFromServicePrincipal({
  tenantId: TENANT_ID,
  clientId: CLIENT_ID,
  clientSecret: CLIENT_SECRET,
  authorityHost: AUTHORITY_HOST,
});

const cluster = createCluster({
  rootNodes: [{ socket: { host: HOST, port: Number(PORT) } }],
  defaults: { socket: { tls: true }, credentialsProvider },
  // Azure announces shards by IP address; when TLS names do not match, map them to the cache's host name:
  // nodeAddressMap: (address) => ({ host: HOST, port: Number(address.split(':')[1]) }),
});
cluster.on('error', (error: Error) => console.error('redis cluster:', error.message));
await cluster.connect();

for (const key of ['alpha', 'bravo', 'charlie', 'delta']) await cluster.set(`examples:cluster:${key}`, key);
console.log(`masters: ${cluster.masters.length}; delta = ${await cluster.get('examples:cluster:delta')}`);

cluster.destroy();
await credentialsProvider.close();
