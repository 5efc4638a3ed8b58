// A RESP2 subscriber with node-redis: Redis refuses AUTH in RESP2 subscribe mode, so node-redis skips the
// re-authentication and the server would close the connection at expiry. watchNodeRedisClient makes that visible
// (`reAuthenticationSkipped`) and reconnects the subscriber with the fresh token on each renewal; node-redis
// resubscribes by itself. Prefer RESP: 3 when you can (see pubsub.ts).
// Env: HOST, PORT, TENANT_ID, CLIENT_ID, CLIENT_SECRET, optional AUTHORITY_HOST, RENEWALS (default 2).
import { createClient } from 'redis';
import { createFromServicePrincipal, watchNodeRedisClient } from 'redis-entraid';

const { HOST = '', PORT = '10000', TENANT_ID = '', CLIENT_ID = '', CLIENT_SECRET = '', AUTHORITY_HOST, RENEWALS = '2' } = process.env;

const credentialsProvider = createFromServicePrincipal({
  tenantId: TENANT_ID,
  clientId: CLIENT_ID,
  clientSecret: CLIENT_SECRET,
  authorityHost: AUTHORITY_HOST,
});
let skipped = 0;
credentialsProvider.on('reAuthenticationSkipped', () => skipped++);

const socket = { host: HOST, port: Number(PORT), tls: true as const, reconnectStrategy: () => 100 };
const publisher = createClient({ socket, RESP: 3, credentialsProvider });
const subscriber = createClient({ socket, RESP: 2, credentialsProvider });
publisher.on('error', (error: Error) => console.error('publisher:', error.message));
// Each reconnect the watch makes (QUIT, then node-redis reconnects) is reported by node-redis as a closed socket.
subscriber.on('error', (error: Error) => {
  if (!/Socket closed unexpectedly/.test(error.message)) console.error('subscriber:', error.message);
});
const watch = watchNodeRedisClient(subscriber, credentialsProvider);
await Promise.all([publisher.connect(), subscriber.connect()]);

const received: string[] = [];
await subscriber.subscribe('examples:resp2', (message) => received.push(message));

/** Publishes until the subscriber has the message (a message sent during a reconnect is not delivered). */
async function deliver(message: string): Promise<void> {
  while (!received.includes(message)) {
    await publisher.publish('examples:resp2', message);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

await deliver('before any renewal');
for (let renewal = 1; renewal <= Number(RENEWALS); renewal++) {
  await new Promise((resolve) => credentialsProvider.once('tokenRenewed', resolve));
  await deliver(`after renewal ${renewal}`);
}
console.log(`renewals: ${RENEWALS}; skipped re-AUTHs reported: ${skipped}; subscriber reconnects: ${watch.reconnects}`);
console.log(`last message: ${received.at(-1)}`);

await subscriber.close();
watch.dispose();
await publisher.close();
await credentialsProvider.close();
