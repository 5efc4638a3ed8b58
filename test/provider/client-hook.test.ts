// The node-redis client hook (src/provider/node-redis/client-hook.ts) on a fake client shaped like node-redis's:
// a view created with Object.create(instance) whose instance owns `reAuthenticate`, called by listeners the way
// node-redis's own listener does. Each case names the behaviour the provider relies on.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { captureHookedClient, hookReAuthenticate, takeRefusedAddress } from '../../src/provider/node-redis/client-hook.js';

class FakeInstance {
  isOpen = true;
  readonly sent: object[] = [];
  fail: Error | undefined;
  /** A RESP2 connection in subscribe mode: node-redis skips the AUTH. */
  resp2Subscribed = false;
  sendCommand(args: unknown[]): Promise<void> {
    this.sent.push(args[1] as object);
    return this.fail === undefined ? Promise.resolve() : Promise.reject(this.fail);
  }
  // node-redis 5.x/6.x: a per-instance arrow-function property, called by the client's credentials listeners; it
  // sends AUTH through this.sendCommand unless the connection is a RESP2 subscriber.
  reAuthenticate = async (credentials: object): Promise<void> => {
    if (this.resp2Subscribed) return;
    await this.sendCommand(['AUTH', credentials]);
  };
  /** What node-redis's listener does with new credentials. */
  listener(): { onNext(credentials: object): void } {
    return {
      onNext: (credentials) => {
        this.reAuthenticate(credentials).catch(() => undefined);
      },
    };
  }
}

function fakeClient(): { instance: FakeInstance; view: FakeInstance } {
  const instance = new FakeInstance();
  return { instance, view: Object.create(instance) as FakeInstance };
}

const credentials = (n: number): object => Object.freeze({ username: 'oid', password: `token-${n}` });

describe('node-redis client hook', () => {
  it('hooks the instance behind a view, names the client of a listener, and forwards the first call', () => {
    const { instance, view } = fakeClient();
    const unhook = hookReAuthenticate(view, 'watch:a', () => undefined);
    assert.ok(unhook);
    const first = credentials(1);
    const seen = captureHookedClient(() => instance.listener().onNext(first));
    assert.deepEqual(seen, { tag: 'watch:a', outcome: 'forwarded' });
    assert.deepEqual(instance.sent, [first]);
  });

  it('a second listener of the same client with the same credentials sends nothing (duplicate)', () => {
    const { instance, view } = fakeClient();
    hookReAuthenticate(view, 'watch:b', () => undefined);
    const token = credentials(2);
    captureHookedClient(() => instance.listener().onNext(token));
    const again = captureHookedClient(() => instance.listener().onNext(token));
    assert.deepEqual(again, { tag: 'watch:b', outcome: 'duplicate' });
    assert.equal(instance.sent.length, 1);
    const next = captureHookedClient(() => instance.listener().onNext(credentials(3)));
    assert.equal(next.outcome, 'forwarded');
    assert.equal(instance.sent.length, 2);
  });

  it('a listener of a closed client is reported as closed and sends nothing', () => {
    const { instance, view } = fakeClient();
    hookReAuthenticate(view, 'watch:c', () => undefined);
    instance.isOpen = false;
    const seen = captureHookedClient(() => instance.listener().onNext(credentials(4)));
    assert.deepEqual(seen, { tag: 'watch:c', outcome: 'closed' });
    assert.deepEqual(instance.sent, []);
  });

  it('a refused AUTH calls onRefused once, and the same credentials may then be sent again', async () => {
    const { instance, view } = fakeClient();
    const refused: unknown[] = [];
    hookReAuthenticate(view, 'watch:d', (error) => refused.push(error));
    instance.fail = new Error('WRONGPASS');
    const token = credentials(5);
    instance.listener().onNext(token);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(refused.length, 1);
    assert.equal((refused[0] as Error).message, 'WRONGPASS');
    instance.fail = undefined;
    const retry = captureHookedClient(() => instance.listener().onNext(token));
    assert.equal(retry.outcome, 'forwarded', 'a failed AUTH is not a reason to skip the retry');
    assert.equal(instance.sent.length, 2);
  });

  it('a refusal leaves the address for the listener reacting next, and only for that run of reactions', async () => {
    const { instance, view } = fakeClient();
    hookReAuthenticate(view, 'watch:h', () => undefined, () => '10.0.0.1:6380');
    instance.fail = new Error('WRONGPASS');
    let seenByListener: string | undefined;
    instance.reAuthenticate(credentials(7)).catch(() => {
      seenByListener = takeRefusedAddress();
    });
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(seenByListener, '10.0.0.1:6380');
    assert.equal(takeRefusedAddress(), undefined, 'taken once');
    instance.reAuthenticate(credentials(8)).catch(() => undefined);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(takeRefusedAddress(), undefined, 'not left over for a later, unrelated report');
  });

  it('a skipped AUTH (RESP2 subscriber) calls onSkipped; a sent one does not; sendCommand is restored', async () => {
    const { instance, view } = fakeClient();
    let skipped = 0;
    hookReAuthenticate(view, 'watch:s', () => undefined, undefined, () => skipped++);
    instance.listener().onNext(credentials(10));
    assert.equal(skipped, 0);
    instance.resp2Subscribed = true;
    instance.listener().onNext(credentials(11));
    assert.equal(skipped, 1);
    assert.equal(instance.sent.length, 1);
    assert.equal(Object.prototype.hasOwnProperty.call(instance, 'sendCommand'), false, 'the probe is gone');
    await new Promise((resolve) => setImmediate(resolve));
  });

  it('an onRefused that throws does not become an unhandled rejection; node-redis still sees the error', async () => {
    const { instance, view } = fakeClient();
    hookReAuthenticate(view, 'watch:e', () => {
      throw new Error('watch bug');
    });
    instance.fail = new Error('WRONGPASS');
    await assert.rejects(instance.reAuthenticate(credentials(6)), /WRONGPASS/);
  });

  it('unhook restores the original; outside a capture nothing is reported; unhookable objects are left alone', () => {
    const { instance, view } = fakeClient();
    const original = instance.reAuthenticate;
    const unhook = hookReAuthenticate(view, 'watch:f', () => undefined);
    assert.notEqual(instance.reAuthenticate, original);
    unhook?.();
    unhook?.();
    assert.equal(instance.reAuthenticate, original);
    assert.deepEqual(
      captureHookedClient(() => undefined),
      { tag: undefined, outcome: undefined },
    );
    assert.equal(hookReAuthenticate({ isOpen: true }, 'watch:g', () => undefined), undefined);
  });
});
