import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DemoState } from '../../src/cli/demo/state.js';
import { demoOutcome, renderSummary } from '../../src/cli/render/demo-summary.js';
import { createStyle } from '../../src/cli/render/style.js';

const header = { identity: 'service principal (client secret)', client: 'node-redis', connections: 1, tokenLifetimeSeconds: 5, renewalsWanted: 2, target: '127.0.0.1:1' };

function state(): DemoState {
  const s = new DemoState(0);
  s.tokens.push({ sequence: 1, oid: 'a1111111-1111-4111-8111-0000000000a1', uti: 'u1', receivedAtMs: 0, expiresAtMs: 5000, refreshAtMs: 3000 });
  s.tokens.push({ sequence: 2, oid: 'a1111111-1111-4111-8111-0000000000a1', uti: 'u2', receivedAtMs: 3000, expiresAtMs: 8000, refreshAtMs: 6000 });
  s.tokens.push({ sequence: 3, oid: 'a1111111-1111-4111-8111-0000000000a1', uti: 'u3', receivedAtMs: 6000, expiresAtMs: 11000, refreshAtMs: 9000 });
  s.commandsOk = 10;
  return s;
}

describe('demo outcome (exit 0 only when no command failed)', () => {
  it('is OK after the renewals with no failure', () => {
    assert.deepEqual(demoOutcome(state(), header, 'renewals'), { ok: true, endedBy: 'renewals', reasons: [] });
    assert.deepEqual(demoOutcome(state(), header, 'signal'), { ok: true, endedBy: 'signal', reasons: [] });
  });

  it('fails on a failed command, an expiry closure, no traffic, or a timeout', () => {
    const failed = state();
    failed.commandsFailed = 2;
    failed.lastCommandError = 'Socket closed unexpectedly';
    assert.deepEqual(demoOutcome(failed, header, 'renewals').reasons, ['2 command(s) failed (last: Socket closed unexpectedly)']);
    const expired = state();
    expired.expiryClosures = 1;
    assert.deepEqual(demoOutcome(expired, header, 'renewals').reasons, ['1 connection(s) were closed because their token expired before a re-AUTH']);
    const idle = state();
    idle.commandsOk = 0;
    assert.deepEqual(demoOutcome(idle, header, 'renewals').reasons, ['no command succeeded']);
    const slow = new DemoState(0);
    slow.commandsOk = 1;
    assert.deepEqual(demoOutcome(slow, header, 'timeout').reasons, ['only 0 of 2 renewals happened before the time limit']);
  });

  it('says FAILED and why in the summary', () => {
    const failed = state();
    failed.commandsFailed = 1;
    failed.lastCommandError = 'WRONGPASS';
    const text = renderSummary(failed, header, demoOutcome(failed, header, 'renewals'), createStyle(false), 12_000);
    assert.match(text, /^\nSummary \(12\.0 s, ended by renewals\)\n/);
    assert.match(text, /\n {2}commands {11}10 ok, 1 failed\n/);
    assert.match(text, /\nFAILED: 1 command\(s\) failed \(last: WRONGPASS\)\n$/);
  });
});
