import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { inspect } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { createClient } from 'redis';
import { AdminConnection, RedisReplyError } from '../../../src/emulator/redis/admin-connection.js';
import { RedisEmulatorError } from '../../../src/emulator/redis/errors.js';
import { startRedisServer, type RedisServerHandle } from '../../../src/emulator/redis/redis-server.js';
import { testCertificateAuthority } from '../../helpers/test-ca.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Sends raw bytes and resolves with the first reply line. */
function rawRequest(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let data = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      data += chunk;
      if (data.includes('\r\n')) {
        socket.destroy();
        resolve(data.slice(0, data.indexOf('\r\n')));
      }
    });
    socket.on('error', reject);
    socket.write(bytes);
  });
}

describe('startRedisServer', () => {
  let server: RedisServerHandle;
  before(async () => {
    server = await startRedisServer({ tls: { ca: testCertificateAuthority() } });
  });
  after(() => server.stop());

  it('refuses unauthenticated commands with NOAUTH, like Azure', async () => {
    assert.equal(await rawRequest(server.port, 'PING\r\n'), '-NOAUTH Authentication required.');
    const anonymous = await AdminConnection.open({ host: server.host, port: server.port });
    try {
      await assert.rejects(anonymous.command(['GET', 'x']), (error: unknown) => {
        assert.ok(error instanceof RedisReplyError);
        assert.equal(error.reply, 'NOAUTH Authentication required.');
        return true;
      });
      await assert.rejects(anonymous.command(['AUTH', 'default', '']), /WRONGPASS/);
    } finally {
      anonymous.close();
    }
  });

  it('never serializes or prints its admin password (JSON.stringify, util.inspect, nested in other objects)', () => {
    assert.ok(server.adminPassword.length >= 32);
    const outputs = [JSON.stringify(server), inspect(server), JSON.stringify({ servers: [server] }), inspect({ servers: [server] }, { depth: 5 })];
    for (const output of outputs) {
      assert.ok(!output.includes(server.adminPassword), output);
      assert.match(output, /redacted/);
    }
    assert.match(inspect(server), new RegExp(`:${server.port}`));
  });

  it('has an admin user with every permission', async () => {
    const admin = await server.admin();
    try {
      assert.equal(await admin.text(['ACL', 'WHOAMI']), server.adminUser);
      assert.equal(await admin.text(['SET', 'k', 'v']), 'OK');
      const appendonly = (await admin.command(['CONFIG', 'GET', 'appendonly'])) as Buffer[];
      assert.deepEqual(appendonly.map(String), ['appendonly', 'no']);
      const save = (await admin.command(['CONFIG', 'GET', 'save'])) as Buffer[];
      assert.deepEqual(save.map(String), ['save', '']);
    } finally {
      admin.close();
    }
  });

  it('serves TLS with a certificate from the CA', async () => {
    assert.ok(server.tlsPort);
    const client = createClient({
      socket: { host: '127.0.0.1', port: server.tlsPort, tls: true, ca: testCertificateAuthority().certPem, reconnectStrategy: false },
      username: server.adminUser,
      password: server.adminPassword,
    });
    await client.connect();
    try {
      assert.equal(await client.ping(), 'PONG');
    } finally {
      client.destroy();
    }
  });

  it('restarts on the same port with a new process, and comes back after kill()', async () => {
    const firstPid = server.pid;
    await server.restart();
    assert.notEqual(server.pid, firstPid);
    assert.equal(alive(firstPid), false);
    const secondPid = server.pid;
    await server.kill();
    assert.equal(alive(secondPid), false);
    await assert.rejects(rawRequest(server.port, 'PING\r\n'), /ECONNREFUSED/);
    await server.restart();
    assert.equal(await rawRequest(server.port, 'PING\r\n'), '-NOAUTH Authentication required.');
  });
});

describe('startRedisServer lifecycle', () => {
  it('stop() ends the process and is idempotent', async () => {
    const server = await startRedisServer();
    const pid = server.pid;
    assert.equal(alive(pid), true);
    await Promise.all([server.stop(), server.stop()]);
    await server.stop();
    assert.equal(alive(pid), false);
  });

  it('names the missing binary and how to install Redis', async () => {
    await assert.rejects(startRedisServer({ binary: 'redis-server-that-does-not-exist' }), (error: unknown) => {
      assert.ok(error instanceof RedisEmulatorError);
      assert.equal(error.code, 'ERR_REDIS_SERVER_NOT_FOUND');
      assert.match(error.message, /"redis-server-that-does-not-exist" was not found/);
      assert.match(error.message, /apt-get install redis-server/);
      assert.match(error.message, /brew install redis/);
      return true;
    });
  });

  it('puts the log tail in the error when the server cannot start', async () => {
    await assert.rejects(startRedisServer({ extraConfig: ['no-such-directive yes'], startTimeoutMs: 3000 }), (error: unknown) => {
      assert.ok(error instanceof RedisEmulatorError);
      assert.equal(error.code, 'ERR_REDIS_SERVER_START');
      assert.match(error.message, /no-such-directive/);
      return true;
    });
  });
});
