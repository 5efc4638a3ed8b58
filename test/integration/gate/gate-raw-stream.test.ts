import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { describe, it, type TestContext } from 'node:test';
import type { RedisGate } from '../../../src/emulator/gate/redis-gate.js';
import { encodeCommand } from '../../../src/emulator/redis/resp-encode.js';
import { mintToken, useServerAndGate, waitFor } from './fixtures.js';

/** A raw TCP client collecting everything the gate sends back. */
async function rawClient(t: TestContext, gate: RedisGate): Promise<{ socket: Socket; received: () => string; ended: () => boolean }> {
  const socket = connect({ host: gate.host, port: gate.port });
  let data = '';
  let ended = false;
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => (data += chunk));
  socket.on('close', () => (ended = true));
  socket.on('error', () => undefined);
  t.after(() => socket.destroy());
  await new Promise((resolve) => socket.once('connect', resolve));
  return { socket, received: () => data, ended: () => ended };
}

describe('gate with raw RESP streams', () => {
  const stack = useServerAndGate();

  it('keeps order when a pipeline with AUTH arrives one byte at a time (user created on the way)', async (t) => {
    const { token, oid } = mintToken();
    const client = await rawClient(t, stack.gate());
    const stream = Buffer.concat([
      encodeCommand(['GET', 'before-auth']),
      encodeCommand(['AUTH', oid, token]),
      encodeCommand(['SET', 'raw', 'x']),
      Buffer.from('GET raw\r\n'),
      encodeCommand(['AUTH', oid, 'not-a-token']),
      encodeCommand(['ACL', 'WHOAMI']),
    ]);
    for (const byte of stream) {
      const ok = client.socket.write(Buffer.from([byte]));
      if (!ok) await new Promise((resolve) => client.socket.once('drain', resolve));
    }
    const expected =
      '-NOAUTH Authentication required.\r\n' +
      '+OK\r\n' +
      '+OK\r\n' +
      '$1\r\nx\r\n' +
      '-WRONGPASS invalid username-password pair or user is disabled.\r\n' +
      `$${oid.length}\r\n${oid}\r\n`;
    await waitFor(() => client.received().length >= expected.length, 5000, 'all replies');
    assert.equal(client.received(), expected);
  });

  it('answers bytes that are not RESP with a protocol error and closes', async (t) => {
    const client = await rawClient(t, stack.gate());
    client.socket.write('*1\r\n+PING\r\n');
    await waitFor(() => client.ended(), 5000, 'the connection to close');
    assert.equal(client.received(), "-ERR Protocol error: expected '$', got '+'\r\n");
    assert.equal(stack.gate().connections().at(-1)?.closedReason, 'protocol-error');
  });
});
