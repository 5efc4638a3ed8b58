import assert from 'node:assert/strict';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { createClient } from 'redis';
import { startRedisGate } from '../../../src/emulator/gate/redis-gate.js';
import type { GateConnectionInfo } from '../../../src/emulator/gate/gate-types.js';
import { mintToken, useServerAndGate, verifier, waitFor } from './fixtures.js';

describe('gate closes connections at token expiry, like Azure', () => {
  const stack = useServerAndGate();

  it('closes a connection that does not re-AUTH at exp, keeps one that does', async (t) => {
    const stale = mintToken({ lifetimeSec: 2 });
    const fresh = mintToken({ lifetimeSec: 2 });
    const make = (username: string, password: string) => {
      const c = createClient({ socket: { host: stack.gate().host, port: stack.gate().port, reconnectStrategy: false }, username, password });
      c.on('error', () => undefined);
      t.after(() => {
        if (c.isOpen) c.destroy();
      });
      return c;
    };
    const staleClient = make(stale.oid, stale.token);
    const freshClient = make(fresh.oid, fresh.token);
    await staleClient.connect();
    await freshClient.connect();
    const [staleInfo, freshInfo] = stack.gate().connections().slice(-2) as [GateConnectionInfo, GateConnectionInfo];
    const expired = once(stack.gate(), 'expired') as Promise<[GateConnectionInfo]>;

    // Re-authenticate the second connection with a 60 s token before its first one expires.
    const renewed = mintToken({ oid: fresh.oid, lifetimeSec: 60 });
    assert.equal(await freshClient.sendCommand(['AUTH', fresh.oid, renewed.token]), 'OK');

    const [closed] = await expired;
    const closedAtMs = Date.now();
    assert.equal(closed.id, staleInfo.id);
    assert.equal(closed.closedReason, 'expired');
    assert.equal(closed.oid, stale.oid);
    assert.equal(closed.expiresAtMs, stale.expMs);
    assert.ok(closedAtMs >= stale.expMs, `closed ${stale.expMs - closedAtMs} ms before exp`);
    assert.ok(closedAtMs < stale.expMs + 1000, `closed ${closedAtMs - stale.expMs} ms after exp`);
    await waitFor(() => !staleClient.isReady, 5000, 'node-redis to see the closed connection');
    await assert.rejects(staleClient.get('x'));

    // Wait past the first token's expiry of the renewed connection: it still works.
    await waitFor(() => Date.now() > fresh.expMs + 300, 5000, 'the first token to expire');
    assert.equal(await freshClient.set('still', 'open'), 'OK');
    const info = stack.gate().connections().find((c) => c.id === freshInfo.id);
    assert.equal(info?.closedReason, undefined);
    assert.equal(info?.expiresAtMs, renewed.expMs);
    assert.deepEqual(info?.auths.map((a) => a.uti), [fresh.uti, renewed.uti]);
    assert.equal(stack.gate().stats().expiryClosures, 1);
  });

  it('honours expiryGraceMs', async (t) => {
    const graceful = await startRedisGate({
      target: stack.server(),
      admin: { username: stack.server().adminUser, password: stack.server().adminPassword },
      verifier,
      expiryGraceMs: 700,
    });
    t.after(() => graceful.close());
    const token = mintToken({ lifetimeSec: 1 });
    const c = createClient({ socket: { host: graceful.host, port: graceful.port, reconnectStrategy: false }, username: token.oid, password: token.token });
    c.on('error', () => undefined);
    t.after(() => {
      if (c.isOpen) c.destroy();
    });
    await c.connect();
    const [closed] = (await once(graceful, 'expired')) as [GateConnectionInfo];
    const now = Date.now();
    assert.equal(closed.closedReason, 'expired');
    assert.ok(now >= token.expMs + 700, `closed ${token.expMs + 700 - now} ms early`);
    assert.ok(now < token.expMs + 1700);
  });
});
