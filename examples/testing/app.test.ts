// Testing your own app against the emulator with node:test: node --import tsx --test examples/testing/app.test.ts
// Needs redis-server on PATH. The same set-up works in vitest (beforeAll/afterAll) or jest.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createFromManagedIdentity, ManagedIdentityType } from 'redis-entraid';
import { DEFAULT_SYSTEM_ASSIGNED_IDENTITY, startEmulator, type Emulator } from 'redis-entraid/emulator';
import { connectApp, recordVisit } from './app.js';

let emulator: Emulator;

before(async () => {
  emulator = await startEmulator(); // local Entra ID + a TLS redis-server behind an Azure-like gate, on free ports
  // The managed-identity endpoint is plain HTTP (as on Azure), so this process has no CA to trust for tokens;
  // the Redis connection trusts the emulator's CA through the `ca` option.
  Object.assign(process.env, emulator.identity.env.imdsManagedIdentity());
});

after(() => emulator.close());

test('records visits as the managed identity', async () => {
  const redis = emulator.redis!;
  const credentialsProvider = createFromManagedIdentity({ identityType: ManagedIdentityType.SYSTEM_ASSIGNED });
  const client = await connectApp({ host: redis.host, port: redis.port, ca: emulator.ca.certPem, credentialsProvider });
  try {
    assert.equal(await recordVisit(client, 'home'), 1);
    assert.equal(await recordVisit(client, 'home'), 2);
    assert.equal(await client.aclWhoAmI(), DEFAULT_SYSTEM_ASSIGNED_IDENTITY.objectId);
  } finally {
    client.destroy();
    await credentialsProvider.close();
  }
});
