// isServerReply tells a refusal the Redis server replied (worth retrying on the same connection) from a connection
// lost under the command (a reconnect authenticates anyway), with node-redis's own error classes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorReply, SimpleError, SocketClosedUnexpectedlyError } from 'redis';
import { ClientClosedError } from 'redis5';
import { isServerReply } from '../../src/provider/node-redis/listener-attribution.js';

describe('isServerReply', () => {
  it('is true for node-redis error replies and for messages that start with an error code', () => {
    assert.equal(isServerReply(new SimpleError('WRONGPASS invalid username-password pair or user is disabled.')), true);
    assert.equal(isServerReply(new ErrorReply('something')), true);
    assert.equal(isServerReply(new Error('NOPERM this user has no permissions')), true);
  });

  it('is false for lost or closed connections and for non-errors', () => {
    assert.equal(isServerReply(new SocketClosedUnexpectedlyError()), false);
    assert.equal(isServerReply(new ClientClosedError()), false);
    assert.equal(isServerReply(new Error('Connection timeout')), false);
    assert.equal(isServerReply('WRONGPASS as a string'), false);
    assert.equal(isServerReply(undefined), false);
  });
});
