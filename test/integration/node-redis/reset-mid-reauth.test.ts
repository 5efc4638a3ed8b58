// Regression: the gate resets the connection while a re-AUTH is in flight (twice). The AUTH fails with a
// connection error, node-redis reconnects and subscribes again; the listener attribution must keep the live
// connection's listener (never dispose it on the failure path) so every later renewal re-AUTHs it exactly once.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createClient } from 'redis';
import type { ReAuthenticationError } from '../../../src/errors.js';
import {
  DEFAULT_SECRET_PRINCIPAL,
  assertOneAuthPerToken,
  gateTotal,
  renewals,
  servicePrincipalProvider,
  useTestEmulator,
  until,
} from './fixtures.js';
import { resetConnectionsOnReAuth } from '../../helpers/gate-faults.js';

const OID = DEFAULT_SECRET_PRINCIPAL.objectId;

describe('node-redis: connection reset in the middle of a re-AUTH', () => {
  const env = useTestEmulator();

  for (const resp of [3, 2] as const) {
    it(`redis@6 RESP${resp}: the reconnected connection is re-AUTHed on every later renewal, once`, async (t) => {
      const redis = env.emulator.redis;
      assert.ok(redis);
      const gate = redis.gates[0];
      assert.ok(gate);
      const firstConnection = gate.stats().connectionsTotal + 1;
      const rejectedBefore = gateTotal(redis.gates, 'authRejected');
      const provider = servicePrincipalProvider(env.emulator);
      t.after(() => provider.close());
      const failures: ReAuthenticationError[] = [];
      provider.on('reAuthenticationFailed', ({ error }) => failures.push(error));
      const client = createClient({
        socket: { host: redis.host, port: redis.port, tls: true, reconnectStrategy: () => 50 },
        RESP: resp,
        credentialsProvider: provider,
      });
      client.on('error', () => undefined);
      t.after(() => client.destroy());
      await client.connect();
      // Reset every connection as soon as the gate has read a re-AUTH, before its reply is written: twice.
      const fault = resetConnectionsOnReAuth(gate, 2);
      t.after(() => fault.stop());
      await until('two resets mid re-AUTH', () => fault.resets >= 2, 20_000);
      await until('the client to be ready again', () => client.isReady);
      await renewals(provider, 2);
      let ok = 0;
      for (let i = 0; i < 20; i++) {
        await client.set(`reset-mid-reauth:${resp}`, String(i));
        ok++;
      }
      assert.equal(ok, 20);
      const mine = gate.connections().filter((c) => c.id >= firstConnection);
      // Two reset connections and the live one, which holds the current token.
      assert.deepEqual(
        mine.map((c) => c.closedReason),
        ['gate', 'gate', undefined],
      );
      const current = provider.getTokenInfo();
      assert.ok(current);
      const live = mine[2];
      assert.ok(live);
      await until('the live connection to hold the current token', () => gate.connections().find((c) => c.id === live.id)?.expiresAtMs === current.expiresAtMs, 5_000);
      assertOneAuthPerToken(redis.gates, OID);
      assert.equal(gateTotal(redis.gates, 'authRejected'), rejectedBefore);
      // AUTHs cut by a reset are reported with the node's address (RESP2 was seen reporting 1 of the 2: open).
      assert.ok(failures.length >= 1 && failures.length <= 2, `${failures.length} re-AUTH failures reported`);
      for (const error of failures) assert.deepEqual([error.code, error.address], ['ERR_REAUTH_FAILED', `${redis.host}:${redis.port}`]);
      assert.equal(provider.subscriberCount, 1, "node-redis's own listener is kept, the superseded ones are gone");
      await client.close();
      assert.equal(provider.subscriberCount, 0);
    });
  }
});
