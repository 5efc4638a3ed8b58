// A custom token source: implement IdentityProvider (one method) when neither msal-node nor a TokenCredential fits.
// This one calls the Entra ID v2 token endpoint itself (client-credentials grant with a secret).
// Env: HOST, PORT, TENANT_ID, CLIENT_ID, CLIENT_SECRET, optional AUTHORITY_HOST.
import { createClient } from 'redis';
import { createFromIdentityProvider, REDIS_SCOPE_DEFAULT, type IdentityProvider } from 'redis-entraid';

const { HOST = '', PORT = '10000', TENANT_ID = '', CLIENT_ID = '', CLIENT_SECRET = '' } = process.env;
const AUTHORITY_HOST = process.env['AUTHORITY_HOST'] ?? 'https://login.microsoftonline.com';

const identity: IdentityProvider = {
  name: 'my-token-endpoint',
  async requestToken({ signal }) {
    const response = await fetch(`${AUTHORITY_HOST}/${TENANT_ID}/oauth2/v2.0/token`, {
      method: 'POST',
      signal, // aborted on tokenRequestExecutionTimeoutInMs or close()
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        scope: REDIS_SCOPE_DEFAULT,
      }),
    });
    if (!response.ok) throw new Error(`token endpoint answered HTTP ${response.status}`);
    const body = (await response.json()) as { access_token: string };
    return { token: body.access_token }; // expiry is read from the token's exp claim
  },
};

const credentialsProvider = createFromIdentityProvider(identity);
const client = createClient({ socket: { host: HOST, port: Number(PORT), tls: true }, credentialsProvider });
client.on('error', (error: Error) => console.error('redis:', error.message));
await client.connect();
console.log(`SET: ${await client.set('examples:identity-provider', 'ok')}`);

client.destroy();
await credentialsProvider.close();
