// A service principal with a client certificate, and an ioredis client.
// Env: HOST, PORT, AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_CERTIFICATE_PATH (PEM: certificate + private key),
// optional AZURE_AUTHORITY_HOST.
import { Redis } from 'ioredis';
import { createFromServicePrincipal } from 'redis-entraid';
import { withEntraId } from 'redis-entraid/ioredis';

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`set the ${name} environment variable`);
  return value;
}

const provider = createFromServicePrincipal({
  tenantId: env('AZURE_TENANT_ID'),
  clientId: env('AZURE_CLIENT_ID'),
  certificatePath: env('AZURE_CLIENT_CERTIFICATE_PATH'),
  authorityHost: process.env['AZURE_AUTHORITY_HOST'],
});

// withEntraId creates the client with the current credentials, keeps them fresh, and resolves when ready.
const redis = await withEntraId(provider, (credentials) =>
  new Redis({ host: env('HOST'), port: Number(env('PORT')), tls: {}, ...credentials }),
);
await redis.set('examples:certificate', 'ok');
console.log(`signed in as ${await redis.call('ACL', 'WHOAMI')}: ${await redis.get('examples:certificate')}`);

await redis.quit(); // unbinds the client; the binding drops its subscription
await provider.close();
