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

  it('after the restart, the user is created once for every later and concurrent connection of the principal', async () => {
    const { token, oid } = mintToken();
    assert.equal(await whoami(oid, token), oid);
    await stack.server().restart();
    const created = stack.gate().stats().aclUsersCreated;
    assert.equal(await whoami(oid, token), oid);
    assert.deepEqual(await Promise.all([whoami(oid, token), whoami(oid, token), whoami(oid, token)]), [oid, oid, oid]);
    assert.equal(await whoami(oid, token), oid);
    assert.equal(stack.gate().stats().aclUsersCreated, created + 1, 'one ACL SETUSER after the restart, not one per connection');
  });
});
