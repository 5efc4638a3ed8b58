// Pub/sub with node-redis over RESP3: a subscribed connection can take AUTH, so it is re-authenticated in place
// and keeps its subscriptions. (RESP2 cannot AUTH in subscribe mode; see docs/how-it-works.md.)
// Env: HOST, PORT, TENANT_ID, CLIENT_ID, CLIENT_SECRET, optional AUTHORITY_HOST.
import { createClient } from 'redis';
import { createFromServicePrincipal } from 'redis-entraid';

const { HOST = '', PORT = '10000', TENANT_ID = '', CLIENT_ID = '', CLIENT_SECRET = '', AUTHORITY_HOST } = process.env;

const credentialsProvider = createFromServicePrincipal({
  tenantId: TENANT_ID,
  clientId: CLIENT_ID,
  clientSecret: CLIENT_SECRET,
  authorityHost: AUTHORITY_HOST,
});

// One provider, two connections: both are re-authenticated after each renewal.
const publisher = createClient({ socket: { host: HOST, port: Number(PORT), tls: true }, RESP: 3, credentialsProvider });
const subscriber = publisher.duplicate();
publisher.on('error', (error: Error) => console.error('publisher:', error.message));
subscriber.on('error', (error: Error) => console.error('subscriber:', error.message));
await Promise.all([publisher.connect(), subscriber.connect()]);

const received = new Promise<string>((resolve) => {
  void subscriber.subscribe('examples:news', (message) => resolve(message));
});
await new Promise((resolve) => setTimeout(resolve, 100)); // let SUBSCRIBE reach the server
await publisher.publish('examples:news', 'hello from Entra ID');
console.log(`received: ${await received}`);

subscriber.destroy();
publisher.destroy();
await credentialsProvider.close();
