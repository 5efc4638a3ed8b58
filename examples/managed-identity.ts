// A managed identity (on Azure App Service, Functions, VMs, AKS, Container Apps…) and node-redis.
// System-assigned by default; set MANAGED_IDENTITY_CLIENT_ID to use a user-assigned identity.
// Env: HOST, PORT. The managed-identity endpoint is found by msal-node from the platform's environment.
import { createClient } from 'redis';
import { createFromManagedIdentity, ManagedIdentityIdType, ManagedIdentityType } from 'redis-entraid';

const { HOST = '', PORT = '10000', MANAGED_IDENTITY_CLIENT_ID } = process.env;

const credentialsProvider = MANAGED_IDENTITY_CLIENT_ID
  ? createFromManagedIdentity({
      identityType: ManagedIdentityType.USER_ASSIGNED,
      idType: ManagedIdentityIdType.CLIENT_ID,
      id: MANAGED_IDENTITY_CLIENT_ID,
    })
  : createFromManagedIdentity({ identityType: ManagedIdentityType.SYSTEM_ASSIGNED });

const client = createClient({ socket: { host: HOST, port: Number(PORT), tls: true }, credentialsProvider });
client.on('error', (error: Error) => console.error('redis:', error.message));
await client.connect();

const info = credentialsProvider.getTokenInfo(); // metadata only, never the token
console.log(`connected as ${info?.oid}; token expires at ${new Date(info?.expiresAtMs ?? 0).toISOString()}`);
console.log(`PING: ${await client.ping()}`);

client.destroy();
await credentialsProvider.close();
