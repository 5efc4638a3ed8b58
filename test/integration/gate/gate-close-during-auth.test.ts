import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createClient } from 'redis';
import { mintToken, useServerAndGate } from './fixtures.js';

describe('gate: a connection closed while its AUTH is being accepted', () => {
  const stack = useServerAndGate();

  it('is not counted as an expiry closure when its token later expires', async () => {
    const { token, oid, expMs } = mintToken({ lifetimeSec: 1.5 });
    stack.gate().once('auth', () => stack.gate().closeAll());
    const c = createClient({ socket: { host: stack.gate().host, port: stack.gate().port, reconnectStrategy: false }, username: oid, password: token });
    c.on('error', () => undefined);
    await c.connect().catch(() => undefined);
    if (c.isOpen) c.destroy();
    // Wait past the token's expiry: a stale expiry timer would fire by then.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, expMs - Date.now()) + 500));
    assert.equal(stack.gate().stats().expiryClosures, 0);
    const [info] = stack.gate().connections();
    assert.equal(info?.closedReason, 'gate');
  });
});
