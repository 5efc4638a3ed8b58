// Real node-redis (6.3, 5.12 and 5.9; RESP2 and RESP3) against a real redis-server started here: the provider plugs
// into createClient({ credentialsProvider }) unchanged, the handshake uses its credentials and a renewal AUTHs.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createClient } from 'redis';
import { createClient as createClient5 } from 'redis5';
import { createClient as createClient59 } from 'redis59';
import { createFromIdentityProvider } from '../../../src/provider/create-from-identity-provider.js';
import { FakeIdentityProvider } from '../../helpers/fake-identity.js';

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function commandCalls(info: string, command: string): number {
  const match = new RegExp(`^cmdstat_${command}:calls=(\\d+)`, 'm').exec(info);
  return match ? Number(match[1]) : 0;
}

describe('EntraIdCredentialsProvider with real node-redis', () => {
  let server: ChildProcess | undefined;
  let port = 0;
  let admin: ReturnType<typeof createClient> | undefined;

  before(async () => {
    port = await freePort();
    server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    server.stdout?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    await until('redis-server to start', () => output.includes('Ready to accept connections'));
    admin = createClient({ socket: { host: '127.0.0.1', port } });
    admin.on('error', () => undefined);
    await admin.connect();
  });

  after(async () => {
    if (admin?.isOpen) await admin.close();
    if (server !== undefined && server.exitCode === null) {
      server.kill('SIGTERM');
      await once(server, 'exit');
    }
  });

  // node-redis 5 sends `HELLO <resp> AUTH …` whenever RESP is given; node-redis 6 sends `AUTH` for RESP2.
  type Provider = ReturnType<typeof createFromIdentityProvider>;
  interface MinimalClient {
    readonly isOpen: boolean;
    connect(): Promise<unknown>;
    sendCommand(args: string[]): Promise<unknown>;
    close(): Promise<unknown>;
  }
  const v6 = (resp: 2 | 3, provider: Provider): MinimalClient => {
    const client = createClient({ socket: { host: '127.0.0.1', port, reconnectStrategy: false }, RESP: resp, credentialsProvider: provider });
    client.on('error', () => undefined);
    return client;
  };
  const v5 = (resp: 2 | 3, provider: Provider): MinimalClient => {
    const client = createClient5({ socket: { host: '127.0.0.1', port, reconnectStrategy: false }, RESP: resp, credentialsProvider: provider });
    client.on('error', () => undefined);
    return client;
  };
  const v59 = (resp: 2 | 3, provider: Provider): MinimalClient => {
    const client = createClient59({ socket: { host: '127.0.0.1', port, reconnectStrategy: false }, RESP: resp, credentialsProvider: provider });
    client.on('error', () => undefined);
    return client;
  };
  const variants = [
    { library: 'redis@6.3', create: v6, resp: 2, handshake: 'auth', leftAfterClose: 0 },
    { library: 'redis@6.3', create: v6, resp: 3, handshake: 'hello', leftAfterClose: 0 },
    // 5.12 (the latest 5.x) publishes the same diagnostics channels as 6.3: its close is seen, nothing is left.
    { library: 'redis@5.12', create: v5, resp: 2, handshake: 'hello', leftAfterClose: 0 },
    { library: 'redis@5.12', create: v5, resp: 3, handshake: 'hello', leftAfterClose: 0 },
    // node-redis 5.9's close() returns early on an idle connection without disposing its subscription (no channels
    // to tell; watchNodeRedisClient releases it).
    { library: 'redis@5.9', create: v59, resp: 2, handshake: 'hello', leftAfterClose: 1 },
    { library: 'redis@5.9', create: v59, resp: 3, handshake: 'hello', leftAfterClose: 1 },
  ] as const;

  for (const variant of variants) {
    it(`${variant.library} RESP${variant.resp}: handshake with the token, AUTH on renewal`, async (t) => {
      const adminClient = admin;
      assert.ok(adminClient);
      // Each minted token becomes an ACL password of the token's oid before it is handed out.
      const identity = new FakeIdentityProvider({
        lifetimeMs: 2_500,
        oid: `oid-${variant.library}-${variant.resp}`,
        onMint: async (token, oid) => {
          await adminClient.sendCommand(['ACL', 'SETUSER', oid ?? 'none', 'on', `>${token}`, '~*', '&*', '+@all']);
        },
      });
      const provider = createFromIdentityProvider(identity);
      t.after(() => provider.close());
      await adminClient.sendCommand(['CONFIG', 'RESETSTAT']);

      const client = variant.create(variant.resp, provider);
      t.after(async () => {
        if (client.isOpen) await client.close();
      });
      await client.connect();
      assert.equal(await client.sendCommand(['ACL', 'WHOAMI']), identity.oid);
      const handshake = (await adminClient.sendCommand(['INFO', 'commandstats'])) as string;
      assert.equal(commandCalls(handshake, variant.handshake), 1);
      const authsAfterHandshake = variant.handshake === 'auth' ? 1 : 0;
      assert.equal(commandCalls(handshake, 'auth'), authsAfterHandshake);
      assert.equal(identity.requests.length, 1);

      let renewed = 0;
      provider.on('tokenRenewed', () => renewed++);
      await until('a renewal', () => renewed >= 1);
      await until('an AUTH with the new token', async () => {
        const info = (await adminClient.sendCommand(['INFO', 'commandstats'])) as string;
        return commandCalls(info, 'auth') === authsAfterHandshake + 1;
      });
      assert.equal(identity.requests[1]?.forceRefresh, true);
      // The connection now runs as the same user with the new token; the old password can go.
      await adminClient.sendCommand(['ACL', 'SETUSER', identity.oid ?? 'none', `<${identity.minted[0] ?? ''}`]);
      assert.equal(await client.sendCommand(['PING']), 'PONG');
      await client.close();
      assert.equal(provider.subscriberCount, variant.leftAfterClose);
      await provider.close();
      assert.equal(provider.subscriberCount, 0);
    });
  }
});
