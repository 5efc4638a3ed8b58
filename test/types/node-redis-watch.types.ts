// Compile-time check (run by `npm run typecheck`, never executed): the watch helpers take node-redis 5.x and 6.x
// clients, pools and clusters as users create them, without casts.
import { createClient, createClientPool, createCluster } from 'redis';
import { createClient as createClient5, createClientPool as createClientPool5, createCluster as createCluster5 } from 'redis5';
import { watchNodeRedisClient, watchNodeRedisCluster, watchNodeRedisPool, type EntraIdCredentialsProvider } from '../../src/index.js';

export function watchEveryKind(provider: EntraIdCredentialsProvider): void {
  const credentialsProvider = provider;
  watchNodeRedisClient(createClient({ credentialsProvider, RESP: 3 }), provider);
  watchNodeRedisClient(createClient5({ credentialsProvider }), provider);
  watchNodeRedisPool(createClientPool({ credentialsProvider, RESP: 3 }, { minimum: 2 }), provider);
  watchNodeRedisPool(createClientPool5({ credentialsProvider }), provider);
  watchNodeRedisCluster(createCluster({ rootNodes: [], defaults: { credentialsProvider } }), provider);
  watchNodeRedisCluster(createCluster5({ rootNodes: [], RESP: 3, defaults: { credentialsProvider } }), provider);
}
