import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isAuthOrHello, parseAuthCommand } from '../../../src/emulator/gate/auth-command.js';
import { encodeCommand } from '../../../src/emulator/redis/resp-encode.js';

const b = (...args: string[]): Buffer[] => args.map((a) => Buffer.from(a));

describe('auth-command', () => {
  it('recognises AUTH and HELLO in any case, and nothing else', () => {
    for (const name of ['AUTH', 'auth', 'Auth', 'HELLO', 'hello', 'hElLo']) assert.equal(isAuthOrHello(Buffer.from(name)), true, name);
    for (const name of ['GET', 'AUTHX', 'HELL', 'ACL', 'bUTH', '']) assert.equal(isAuthOrHello(Buffer.from(name)), false, name);
    assert.equal(isAuthOrHello(undefined), false);
  });

  it('parses AUTH user token and rewrites it', () => {
    const parsed = parseAuthCommand(b('auth', 'oid-1', 'tok'));
    assert.equal(parsed?.kind, 'auth');
    assert.equal(parsed?.username, 'oid-1');
    assert.equal(parsed?.password, 'tok');
    assert.deepEqual(parsed?.rewrite('u', 'p'), encodeCommand(['AUTH', 'u', 'p']));
  });

  it('parses the one-argument AUTH with no username', () => {
    const parsed = parseAuthCommand(b('AUTH', 'tok'));
    assert.equal(parsed?.username, undefined);
    assert.equal(parsed?.password, 'tok');
  });

  it('leaves AUTH with a wrong argument count to the server', () => {
    assert.equal(parseAuthCommand(b('AUTH')), undefined);
    assert.equal(parseAuthCommand(b('AUTH', 'a', 'b', 'c')), undefined);
  });

  it('rewrites HELLO 3 AUTH … SETNAME …, keeping version and name', () => {
    const parsed = parseAuthCommand(b('HELLO', '3', 'SETNAME', 'conn', 'AUTH', 'oid', 'tok'));
    assert.equal(parsed?.kind, 'hello');
    assert.equal(parsed?.username, 'oid');
    assert.equal(parsed?.password, 'tok');
    assert.deepEqual(parsed?.rewrite('u', 'p'), encodeCommand(['HELLO', '3', 'SETNAME', 'conn', 'AUTH', 'u', 'p']));
    const after = parseAuthCommand(b('hello', '2', 'auth', 'oid', 'tok', 'setname', 'n'));
    assert.deepEqual(after?.rewrite('u', 'p'), encodeCommand(['hello', '2', 'AUTH', 'u', 'p', 'setname', 'n']));
  });

  it('passes HELLO without AUTH through', () => {
    assert.equal(parseAuthCommand(b('HELLO')), undefined);
    assert.equal(parseAuthCommand(b('HELLO', '3')), undefined);
    assert.equal(parseAuthCommand(b('HELLO', '3', 'SETNAME', 'auth')), undefined);
    assert.equal(parseAuthCommand(b('HELLO', '3', 'AUTH', 'only-user')), undefined);
  });
});
