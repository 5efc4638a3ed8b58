// Watch renewal and re-authentication happen: prints each token and proves the connection survives expiry.
// Use it with short-lived tokens (the emulator: `redis-entraid emulator --token-lifetime 10`, or in CI 5 s tokens).
// Env: HOST, PORT, TENANT_ID, CLIENT_ID, CLIENT_SECRET, optional AUTHORITY_HOST, RENEWALS (default 2).
import { createClient } from 'redis';
import { createFromServicePrincipal, isRedisEntraIdError } from 'redis-entraid';

const { HOST = '', PORT = '10000', TENANT_ID = '', CLIENT_ID = '', CLIENT_SECRET = '', AUTHORITY_HOST } = process.env;
const RENEWALS = Number(process.env['RENEWALS'] ?? '2');

const credentialsProvider = createFromServicePrincipal({
  tenantId: TENANT_ID,
  clientId: CLIENT_ID,
  clientSecret: CLIENT_SECRET,
  authorityHost: AUTHORITY_HOST,
});

let renewed!: () => void;
const done = new Promise<void>((resolve) => (renewed = resolve));
credentialsProvider.on('tokenRenewed', ({ sequence, oid, expiresAtMs }) => {
  console.log(`token #${sequence} for ${oid}, valid for ${Math.round((expiresAtMs - Date.now()) / 1000)} s`);
  if (sequence > RENEWALS) renewed();
});
credentialsProvider.on('renewalFailed', ({ error, nextAttemptInMs }) => {
  console.error(`renewal failed: ${error.code} ${error.message}; retrying in ${nextAttemptInMs} ms`);
});
credentialsProvider.on('reAuthenticationFailed', ({ error }) => {
  console.error(`re-authentication failed on ${error.address ?? 'a connection'}: ${error.message}`);
});

const client = createClient({ socket: { host: HOST, port: Number(PORT), tls: true }, credentialsProvider });
client.on('error', (error: Error) => console.error('redis:', error.message));
await client.connect();

try {
  await done; // the first token has long expired by now: the connection lives on because it was re-authenticated
  console.log(`still connected after ${RENEWALS} renewals: ${await client.ping()}`);
} catch (error) {
  console.error(isRedisEntraIdError(error) ? `${error.code}: ${error.message}` : error);
  process.exitCode = 1;
} finally {
  client.destroy();
  await credentialsProvider.close();
}
