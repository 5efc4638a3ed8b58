// Compile-time check (run by `npm run typecheck`, never executed): the watch helpers take node-redis 5.9, 5.12 and 6.3
// clients, pools and clusters as users create them, without casts.
import { createClient, createClientPool, createCluster } from 'redis';
import { createClient as createClient5, createClientPool as createClientPool5, createCluster as createCluster5 } from 'redis5';
import { createClient as createClient59, createClientPool as createClientPool59, createCluster as createCluster59 } from 'redis59';
import { watchNodeRedisClient, watchNodeRedisCluster, watchNodeRedisPool, type EntraIdCredentialsProvider } from '../../src/index.js';

export function watchEveryKind(provider: EntraIdCredentialsProvider): void {
  const credentialsProvider = provider;
  watchNodeRedisClient(createClient({ credentialsProvider, RESP: 3 }), provider);
  watchNodeRedisClient(createClient5({ credentialsProvider }), provider);
  watchNodeRedisPool(createClientPool({ credentialsProvider, RESP: 3 }, { minimum: 2 }), provider);
  watchNodeRedisPool(createClientPool5({ credentialsProvider }), provider);
  watchNodeRedisCluster(createCluster({ rootNodes: [], defaults: { credentialsProvider } }), provider);
  watchNodeRedisCluster(createCluster5({ rootNodes: [], RESP: 3, defaults: { credentialsProvider } }), provider);
  watchNodeRedisClient(createClient59({ credentialsProvider }), provider);
  watchNodeRedisPool(createClientPool59({ credentialsProvider }), provider);
  watchNodeRedisCluster(createCluster59({ rootNodes: [], defaults: { credentialsProvider } }), provider);
}
