import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createClient } from 'redis';
import { mintToken, useServerAndGate } from './fixtures.js';

describe('gate across a redis-server restart', () => {
  const stack = useServerAndGate();

  async function whoami(oid: string, token: string): Promise<unknown> {
    const c = createClient({ socket: { host: stack.gate().host, port: stack.gate().port, reconnectStrategy: false }, username: oid, password: token });
    c.on('error', () => undefined);
    await c.connect();
    try {
      return await c.sendCommand(['ACL', 'WHOAMI']);
    } finally {
      c.destroy();
    }
  }

  it('creates the principal ACL user again once the restarted server has lost it', async () => {
    const { token, oid } = mintToken();
    assert.equal(await whoami(oid, token), oid);
    const created = stack.gate().stats().aclUsersCreated;
    await stack.server().restart();
    // The same principal, same token, after the restart: the gate must not trust its stale cache.
    assert.equal(await whoami(oid, token), oid);
    assert.equal(stack.gate().stats().aclUsersCreated, created + 1);
  });
});
