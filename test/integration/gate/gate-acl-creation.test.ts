// The gate creates a principal's ACL user on the server before it can answer that principal's first AUTH. While
// the server restarts, that creation fails or the connection goes away first: neither is a refused token. And the
// time a creation takes is the gate's, never the client's: it does not count against the token's life.
// A scripted fake server stands in for redis-server so each ordering is deterministic.
import assert from 'node:assert/strict';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { describe, it, type TestContext } from 'node:test';
import { startRedisGate, type RedisGate } from '../../../src/emulator/gate/redis-gate.js';
import { encodeCommand } from '../../../src/emulator/redis/resp-encode.js';
import { mintToken, verifier, waitFor } from './fixtures.js';

const ADMIN = { username: 'gate-admin', password: 'admin-password' };

/** What the fake server does with the gate's admin connection (recognised by its `AUTH gate-admin`). */
type AdminScript = (socket: Socket) => void;

/** A TCP server that keeps client (upstream) connections open and silent, and hands admin connections to `script`. */
async function fakeServer(t: TestContext, script: AdminScript): Promise<Server> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.once('data', (chunk: Buffer) => {
      if (chunk.includes(ADMIN.username)) script(socket);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  return server;
}

async function gateFor(t: TestContext, server: Server): Promise<RedisGate> {
  const address = server.address();
  assert.ok(typeof address === 'object' && address);
  const gate = await startRedisGate({ target: { host: '127.0.0.1', port: address.port }, admin: ADMIN, verifier });
  t.after(() => gate.close());
  return gate;
}

/** Connects a raw client and sends `AUTH oid token`; resolves with the socket and whether it has closed. */
async function authenticate(t: TestContext, gate: RedisGate, lifetimeSec?: number): Promise<{ socket: Socket; closed: () => boolean }> {
  const { token, oid } = mintToken(lifetimeSec === undefined ? {} : { lifetimeSec });
  const socket = connect({ host: gate.host, port: gate.port });
  let closed = false;
  socket.on('close', () => (closed = true));
  socket.on('error', () => undefined);
  t.after(() => socket.destroy());
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write(encodeCommand(['AUTH', oid, token]));
  await waitFor(() => gate.stats().connectionsTotal === 1, 5000, 'the gate connection');
  return { socket, closed: () => closed };
}

describe('gate: ACL user creation while the server is unavailable', () => {
  it('the server cannot be reached: the connection is closed as by the server, the token is not refused', async (t) => {
    const server = await fakeServer(t, (admin) => admin.destroy());
    const gate = await gateFor(t, server);
    const client = await authenticate(t, gate);
    await waitFor(client.closed, 5000, 'the client connection to close');
    const [info] = gate.connections();
    assert.equal(info?.closedReason, 'server');
    assert.equal(info?.authCount, 0);
    assert.deepEqual(gate.auths(), []);
    assert.equal(gate.stats().authRejected, 0);
    assert.equal(gate.stats().authAccepted, 0);
  });

  it('the server answers with an error: the AUTH is refused (acl-error)', async (t) => {
    const server = await fakeServer(t, (admin) => admin.write('-ERR not today\r\n'));
    const gate = await gateFor(t, server);
    await authenticate(t, gate);
    await waitFor(() => gate.stats().authRejected === 1, 5000, 'the refusal');
    assert.equal(gate.auths()[0]?.reason, 'acl-error');
    assert.equal(gate.connections()[0]?.closedReason, undefined);
  });

  for (const outcome of ['fails', 'succeeds'] as const) {
    it(`the client leaves while the creation is in flight, which then ${outcome}: nothing is counted`, async (t) => {
      let release: () => void = () => undefined;
      const server = await fakeServer(t, (admin) => {
        // Hold the admin AUTH until the client has left, then fail the creation or let it succeed.
        release = () => {
          if (outcome === 'fails') {
            admin.destroy();
            return;
          }
          admin.on('data', () => admin.write('+OK\r\n')); // ACL SETUSER
          admin.write('+OK\r\n'); // AUTH
        };
      });
      const gate = await gateFor(t, server);
      const client = await authenticate(t, gate);
      client.socket.destroy();
      await waitFor(() => gate.connections()[0]?.closedReason === 'client', 5000, 'the gate to see the client leave');
      release();
      if (outcome === 'succeeds') await waitFor(() => gate.stats().aclUsersCreated === 1, 5000, 'the ACL user');
      else await new Promise((resolve) => setTimeout(resolve, 100));
      assert.deepEqual(gate.auths(), []);
      assert.equal(gate.stats().authRejected, 0);
      assert.equal(gate.stats().authAccepted, 0);
      assert.equal(gate.stats().expiryClosures, 0);
    });
  }
});

/** An admin connection that authenticates at once and answers each `ACL SETUSER` when the test says so. */
function heldCreations(): { script: AdminScript; held: () => number; releaseAll: () => void; answerAtOnce: (yes: boolean) => void } {
  const waiting: (() => void)[] = [];
  let atOnce = false;
  const script: AdminScript = (admin) => {
    admin.write('+OK\r\n'); // AUTH
    admin.on('data', () => {
      const answer = (): void => {
        admin.write('+OK\r\n');
      };
      if (atOnce) answer();
      else waiting.push(answer);
    });
  };
  return {
    script,
    held: () => waiting.length,
    releaseAll: () => {
      for (const answer of waiting.splice(0)) answer();
    },
    answerAtOnce: (yes) => {
      atOnce = yes;
    },
  };
}

describe('gate: the time spent creating an ACL user is not taken from the token', () => {
  it('an AUTH accepted after its token would have expired keeps the time it was held', async (t) => {
    const creations = heldCreations();
    const gate = await gateFor(t, await fakeServer(t, creations.script));
    await authenticate(t, gate, 0.5);
    await waitFor(() => creations.held() === 1, 5000, 'the ACL SETUSER');
    await new Promise((resolve) => setTimeout(resolve, 800)); // past the token's exp
    creations.releaseAll();
    await waitFor(() => gate.stats().authAccepted === 1, 5000, 'the acceptance');
    const acceptedAtMs = Date.now();
    assert.equal(gate.connections()[0]?.closedReason, undefined, 'not closed at once');
    await waitFor(() => gate.connections()[0]?.closedReason === 'expired', 5000, 'the expiry closure');
    assert.ok(Date.now() - acceptedAtMs >= 300, 'closed once the time it was held has passed again');
    assert.equal(gate.stats().expiryClosures, 1);
  });

  it('a re-AUTH received before the deadline and still waiting for its ACL user holds off the expiry closure', async (t) => {
    const creations = heldCreations();
    const gate = await gateFor(t, await fakeServer(t, creations.script));
    creations.answerAtOnce(true);
    const client = await authenticate(t, gate, 0.6);
    await waitFor(() => gate.stats().authAccepted === 1, 5000, 'the first AUTH');
    creations.answerAtOnce(false);
    // Another principal: its user is created first, and that creation is held past the first token's exp.
    const second = mintToken();
    client.socket.write(encodeCommand(['AUTH', second.oid, second.token]));
    await waitFor(() => creations.held() === 1, 5000, 'the second ACL SETUSER');
    await new Promise((resolve) => setTimeout(resolve, 900));
    assert.equal(gate.connections()[0]?.closedReason, undefined, 'not closed while the re-AUTH is decided');
    creations.releaseAll();
    await waitFor(() => gate.stats().authAccepted === 2, 5000, 'the re-AUTH');
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(gate.connections()[0]?.closedReason, undefined);
    assert.equal(gate.connections()[0]?.expiresAtMs, second.expMs);
    assert.equal(gate.stats().expiryClosures, 0);
  });
});
