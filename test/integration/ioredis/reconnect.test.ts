// Every reconnect of a bound standalone client — the network dropping it (gate.closeAll()), disconnect(true),
// a redis-server restart — authenticates with the newest token, taken while the renewal's own re-AUTH is still
// pending (1 s jitter), and the reconnected connection then gets exactly one AUTH per renewal.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Emulator } from '../../../src/emulator/index.js';
import type { GateConnectionInfo } from '../../../src/emulator/gate/gate-types.js';
import { withEntraId } from '../../../src/ioredis/index.js';
import type { EntraIdCredentialsProvider } from '../../../src/provider/entra-id-credentials-provider.js';
import { IOREDIS5, IOREDIS6, IOVALKEY, type AnyRedis, type Flavour } from './helpers/clients.js';
import {
  acceptedUtis,
  eventually,
  gateConnectionOf,
  newestTokenAt,
  nextEvent,
  realProvider,
  startStack,
  waitFor,
  waitForTokens,
  type TokenLog,
} from './helpers/stack.js';


describe('reconnects use the current token', { concurrency: true }, () => {
  for (const flavour of [IOREDIS6, IOREDIS5, IOVALKEY] satisfies Flavour[]) {
    describe(flavour.name, () => {
      let emulator: Emulator;
      let provider: EntraIdCredentialsProvider;
      let log: TokenLog;
      let client: AnyRedis | undefined;
      before(async () => {
        emulator = await startStack();
        ({ provider, log } = realProvider(emulator));
      });
      after(async () => {
        client?.disconnect();
        await provider.close();
        await emulator.close();
      });

      test('gate.closeAll(), disconnect(true), servers[0].restart()', async () => {
        const azure = emulator.redis;
        assert.ok(azure);
        const gate = azure.gates[0];
        const server = azure.servers[0];
        assert.ok(gate && server);
        const redis = await withEntraId(
          provider,
          (credentials) => {
            client = flavour.create({ host: azure.host, port: azure.port, tls: { ca: emulator.ca.certPem }, retryStrategy: () => 50, ...credentials });
            client.on('error', () => undefined);
            return client;
          },
          { reAuthJitterMs: 1000 },
        );
        const byId = (id: number): GateConnectionInfo | undefined => gate.connections().find((info) => info.id === id);
        const actions: [string, () => Promise<void> | void][] = [
          ['gate.closeAll()', () => gate.closeAll()],
          ['disconnect(true)', () => redis.disconnect(true)],
          [
            'servers[0].restart()',
            () => server.restart(),
          ],
        ];
        for (const [name, action] of actions) {
          const before = gateConnectionOf(azure.gates, redis);
          assert.ok(before, name);
          const stale = before.auths.at(-1)?.uti;
          const renewal = log.tokens.length;
          await waitForTokens(log, renewal + 1);
          const ready = nextEvent(redis, 'ready');
          await action();
          await ready;
          const info = gateConnectionOf(azure.gates, redis);
          assert.ok(info, name);
          assert.notEqual(info.id, before.id, `${name}: a new connection`);
          const handshake = info.auths[0];
          assert.equal(handshake?.ok, true, name);
          assert.notEqual(handshake.uti, stale, `${name}: not the token of the previous connection`);
          assert.equal(handshake.uti, newestTokenAt(log, handshake.atMs), `${name}: the newest token`);
          assert.equal(await redis.set('reconnect', name), 'OK');
          // the next renewal: exactly one AUTH on the new connection (the pending jittered re-AUTH sent none)
          const start = log.tokens.findIndex((token) => token.uti === handshake.uti);
          await waitForTokens(log, start + 2);
          await eventually(() =>
            assert.deepEqual(acceptedUtis(byId(info.id)), log.tokens.slice(start, start + 2).map((token) => token.uti), name),
          );
          assert.equal(byId(info.id)?.authCount, 2, name);
        }
        assert.equal(gate.stats().expiryClosures, 0);
        redis.disconnect();
        await waitFor('the client to end', () => redis.status === 'end');
        assert.equal(provider.subscriberCount, 0);
      });
    });
  }
});
