// Any @azure/identity credential (or your own TokenCredential), here a ClientSecretCredential, and node-redis.
// Env: HOST, PORT, TENANT_ID, CLIENT_ID, CLIENT_SECRET, optional AUTHORITY_HOST.
import { ClientSecretCredential } from '@azure/identity';
import { createClient } from 'redis';
import { createFromCredential } from 'redis-entraid';

const { HOST = '', PORT = '10000', TENANT_ID = '', CLIENT_ID = '', CLIENT_SECRET = '', AUTHORITY_HOST } = process.env;

const credential = new ClientSecretCredential(TENANT_ID, CLIENT_ID, CLIENT_SECRET, {
  // A non-public-cloud authority (sovereign cloud, emulator) needs instance discovery turned off.
  ...(AUTHORITY_HOST ? { authorityHost: AUTHORITY_HOST, disableInstanceDiscovery: true } : {}),
});
const credentialsProvider = createFromCredential(credential);

const client = createClient({ socket: { host: HOST, port: Number(PORT), tls: true }, credentialsProvider });
client.on('error', (error: Error) => console.error('redis:', error.message));
await client.connect();
console.log(`ACL WHOAMI: ${await client.aclWhoAmI()}`);

client.destroy();
await credentialsProvider.close();
