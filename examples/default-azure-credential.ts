// DefaultAzureCredential (environment, workload identity on AKS, managed identity, then developer tools) and ioredis.
// On AKS with workload identity the webhook sets AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_FEDERATED_TOKEN_FILE and
// AZURE_AUTHORITY_HOST; locally `az login` is enough. Env: HOST, PORT.
import { Redis } from 'ioredis';
import { createFromDefaultAzureCredential } from 'redis-entraid';
import { withEntraId } from 'redis-entraid/ioredis';

const { HOST = '', PORT = '10000' } = process.env;

const provider = createFromDefaultAzureCredential();
provider.on('renewalFailed', ({ error, attempt, nextAttemptInMs }) => {
  console.error(`token renewal attempt ${attempt} failed (${error.code}); next attempt in ${nextAttemptInMs} ms`);
});

const redis = await withEntraId(provider, (credentials) => new Redis({ host: HOST, port: Number(PORT), tls: {}, ...credentials }));
console.log(`INCR: ${await redis.incr('examples:default-azure-credential')}`);

await redis.quit();
await provider.close();
