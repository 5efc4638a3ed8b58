import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it, type TestContext } from 'node:test';
import { createClient } from 'redis';
import { startRedisGate, type RedisGate } from '../../../src/emulator/gate/redis-gate.js';
import { startRedisServer, type RedisServerHandle } from '../../../src/emulator/redis/redis-server.js';
import { mintToken, verifier, waitFor } from './fixtures.js';

const WRONGPASS = 'WRONGPASS invalid username-password pair or user is disabled.';

describe('gate with node-redis', () => {
  let server: RedisServerHandle;
  before(async () => {
    server = await startRedisServer();
  });
  after(() => server.stop());

  async function newGate(t: TestContext): Promise<RedisGate> {
    const gate = await startRedisGate({ target: server, admin: { username: server.adminUser, password: server.adminPassword }, verifier });
    t.after(() => gate.close());
    return gate;
  }

  function client(t: TestContext, gate: RedisGate, username: string | undefined, password: string | undefined, RESP: 2 | 3 = 2) {
    const c = createClient({
      socket: { host: gate.host, port: gate.port, reconnectStrategy: false },
      RESP,
      ...(username === undefined ? {} : { username }),
      ...(password === undefined ? {} : { password }),
    });
    c.on('error', () => undefined);
    t.after(() => {
      if (c.isOpen) c.destroy();
    });
    return c;
  }

  for (const RESP of [2, 3] as const) {
    it(`accepts a valid token (RESP${RESP}: ${RESP === 2 ? 'AUTH' : 'HELLO 3 AUTH'}) and serves commands as the oid's ACL user`, async (t) => {
      const gate = await newGate(t);
      const { token, oid, uti, expMs } = mintToken();
      const c = client(t, gate, oid, token, RESP);
      await c.connect();
      assert.equal(await c.set(`k${RESP}`, 'v'), 'OK');
      assert.equal(await c.get(`k${RESP}`), 'v');
      assert.equal(await c.sendCommand(['ACL', 'WHOAMI']), oid);
      const [auth, ...others] = gate.auths();
      assert.equal(others.length, 0);
      assert.deepEqual(auth, {
        connectionId: 1,
        command: RESP === 2 ? 'auth' : 'hello',
        ok: true,
        reason: undefined,
        username: oid,
        oid,
        uti,
        expiresAtMs: expMs,
        atMs: auth?.atMs,
      });
      const [info] = gate.connections();
      assert.equal(info?.oid, oid);
      assert.equal(info?.expiresAtMs, expMs);
      assert.equal(info?.authCount, 1);
      assert.equal(info?.closedReason, undefined);
    });
  }

  const refusals = [
    { name: 'a wrong signature', make: () => mintToken({ signWith: 'wrong' }), reason: 'bad-signature' },
    { name: 'a wrong audience', make: () => mintToken({ aud: 'https://storage.azure.com' }), reason: 'wrong-audience' },
    { name: 'an expired token', make: () => mintToken({ lifetimeSec: -10 }), reason: 'expired' },
    { name: 'a username that is not the oid', make: () => ({ ...mintToken(), oid: 'someone-else' }), reason: 'username-mismatch' },
    { name: 'a password that is not a JWT', make: () => ({ ...mintToken(), token: 'hunter2' }), reason: 'malformed' },
  ] as const;
  for (const refusal of refusals) {
    for (const RESP of [2, 3] as const) {
      it(`answers WRONGPASS to ${refusal.name} (RESP${RESP})`, async (t) => {
        const gate = await newGate(t);
        const { token, oid } = refusal.make();
        const c = client(t, gate, oid, token, RESP);
        await assert.rejects(c.connect(), (error: Error) => {
          assert.equal(error.message, WRONGPASS);
          return true;
        });
        assert.deepEqual(
          gate.auths().map((a) => [a.ok, a.reason, a.username]),
          [[false, refusal.reason, oid]],
        );
        assert.equal(gate.stats().authRejected, 1);
        assert.equal(gate.stats().authAccepted, 0);
      });
    }
  }

  it('refuses AUTH <token> without a username', async (t) => {
    const gate = await newGate(t);
    const { token } = mintToken();
    const c = client(t, gate, undefined, token);
    await assert.rejects(c.connect(), { message: WRONGPASS });
    assert.deepEqual(gate.auths().map((a) => a.reason), ['missing-username']);
  });

  it('answers NOAUTH to an unauthenticated command', async (t) => {
    const gate = await newGate(t);
    const c = client(t, gate, undefined, undefined);
    await c.connect();
    await assert.rejects(c.get('x'), { message: 'NOAUTH Authentication required.' });
    // Raw bytes too: inline command through the gate.
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = connect({ host: gate.host, port: gate.port });
      socket.setEncoding('utf8');
      socket.once('data', (data: string) => {
        socket.destroy();
        resolve(data);
      });
      socket.on('error', reject);
      socket.write('GET x\r\n');
    });
    assert.equal(reply, '-NOAUTH Authentication required.\r\n');
  });

  it('keeps order: a refused AUTH after a good one leaves the connection authenticated', async (t) => {
    const gate = await newGate(t);
    const good = mintToken();
    const c = client(t, gate, good.oid, good.token);
    await c.connect();
    const bad = mintToken({ oid: good.oid, signWith: 'wrong' });
    const results = await Promise.allSettled([
      c.set('order', '1'),
      c.sendCommand(['AUTH', good.oid, bad.token]),
      c.incr('order'),
      c.sendCommand(['AUTH', good.oid, mintToken({ oid: good.oid }).token]),
      c.incr('order'),
    ]);
    assert.deepEqual(
      results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message)),
      ['OK', WRONGPASS, 2, 'OK', 3],
    );
    assert.deepEqual(gate.auths().map((a) => a.ok), [true, false, true]);
  });

  it('counts connections and AUTHs exactly, and creates each ACL user once', async (t) => {
    const gate = await newGate(t);
    const alice = mintToken();
    const clients = [];
    for (let i = 0; i < 3; i++) {
      const c = client(t, gate, alice.oid, alice.token);
      await c.connect();
      clients.push(c);
    }
    const bad = mintToken({ signWith: 'wrong' });
    await assert.rejects(client(t, gate, bad.oid, bad.token).connect());
    for (const c of clients) await c.sendCommand(['AUTH', alice.oid, mintToken({ oid: alice.oid }).token]);
    clients[0]?.destroy();
    const stats = gate.stats();
    assert.equal(stats.connectionsTotal, 4);
    assert.equal(stats.authAccepted, 6);
    assert.equal(stats.authRejected, 1);
    assert.equal(stats.expiryClosures, 0);
    assert.equal(stats.aclUsersCreated, 1);
    assert.deepEqual(
      gate.connections().map((c) => [c.id, c.authCount, c.acceptedAuthCount, c.rejectedAuthCount]),
      [
        [1, 2, 2, 0],
        [2, 2, 2, 0],
        [3, 2, 2, 0],
        [4, 1, 0, 1],
      ],
    );
  });

  it('forwards 10k pipelined INCRs: the counter ends at exactly 10000', async (t) => {
    const gate = await newGate(t);
    const { token, oid } = mintToken();
    const c = client(t, gate, oid, token);
    await c.connect();
    await c.del('pipelined');
    const multi = c.multi();
    for (let i = 0; i < 10_000; i++) multi.incr('pipelined');
    const replies = await multi.execAsPipeline();
    assert.equal(replies.length, 10_000);
    assert.equal(replies.at(-1), 10_000);
    assert.equal(await c.get('pipelined'), '10000');
    const burst = await Promise.all(Array.from({ length: 10_000 }, () => c.incr('burst')));
    assert.equal(Math.max(...burst), 10_000);
  });

  it('closeAll() drops every connection with reason "gate"', async (t) => {
    const gate = await newGate(t);
    const { token, oid } = mintToken();
    const c = client(t, gate, oid, token);
    await c.connect();
    gate.closeAll();
    await waitFor(() => !c.isReady, 5000, 'the client to notice the closed connection');
    assert.equal(gate.stats().connectionsOpen, 0);
    assert.deepEqual(gate.connections().map((i) => i.closedReason), ['gate']);
  });
});
