// The README's quick start: a service principal (client secret) and node-redis.
// Run against Azure:  HOST=<cache>.redis.azure.net PORT=10000 TENANT_ID=… CLIENT_ID=… CLIENT_SECRET=… node --import tsx examples/quick-start.ts
// AUTHORITY_HOST is optional (default https://login.microsoftonline.com); CI points it at the emulator.
import { createClient } from 'redis';
import {
  createFromServicePrincipal,
  DEFAULT_LOWER_REFRESH_BOUND_MILLIS,
  DEFAULT_TOKEN_REQUEST_EXECUTION_TIMEOUT_IN_MS,
} from 'redis-entraid';

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`set the ${name} environment variable`);
  return value;
}
const HOST = env('HOST');
const PORT = Number(env('PORT'));
const TENANT_ID = env('TENANT_ID');
const CLIENT_ID = env('CLIENT_ID');
const CLIENT_SECRET = env('CLIENT_SECRET');

const credentialsProvider = createFromServicePrincipal({
  clientId: CLIENT_ID,
  clientSecret: CLIENT_SECRET,
  tenantId: TENANT_ID,
  authorityHost: process.env['AUTHORITY_HOST'],
  tokenManagerConfig: {
    expirationRefreshRatio: 0.9,
    lowerRefreshBoundMillis: DEFAULT_LOWER_REFRESH_BOUND_MILLIS,
    tokenRequestExecutionTimeoutInMs: DEFAULT_TOKEN_REQUEST_EXECUTION_TIMEOUT_IN_MS,
    retryPolicy: { maxAttempts: 5, delayInMs: 50 },
  },
});

// Test the provider. Asynchronous: fetches a token if there is none yet.
await credentialsProvider.getCredentialsAsync();
// Synchronous: the current token's credentials (throws NoTokenError before the first token arrived).
credentialsProvider.getCredentials();

// Azure enforces TLS. The provider supplies username (the token's oid) and password (the token),
// and re-authenticates the connection before each token expires.
const client = createClient({ socket: { host: HOST, port: PORT, tls: true }, credentialsProvider });
client.on('error', (error: Error) => console.error('redis:', error.message));
await client.connect();
console.log(`The database size is: ${await client.dbSize()}`);

client.destroy();
await credentialsProvider.close();
