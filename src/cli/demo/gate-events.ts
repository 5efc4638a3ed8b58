import { shortId } from '../render/style.js';
import type { RedisGate } from '../../emulator/gate/redis-gate.js';
import type { DemoState } from './state.js';

/** Feeds the gate's view of connections and AUTHs into the demo state. */
export function attachGate(gate: RedisGate, state: DemoState): void {
  gate.on('connection', (info) => {
    state.connections.set(info.id, {
      id: info.id,
      remotePort: info.remotePort,
      acceptedAuths: 0,
      rejectedAuths: 0,
      tokenSequence: undefined,
      expiresAtMs: undefined,
      closedReason: undefined,
    });
  });
  gate.on('auth', (record) => {
    const c = state.connections.get(record.connectionId);
    if (!c) return;
    if (record.ok) {
      c.acceptedAuths++;
      c.tokenSequence = state.sequenceOf(record.uti) ?? c.tokenSequence;
      c.expiresAtMs = record.expiresAtMs;
      const token = c.tokenSequence === undefined ? 'a token' : `token #${c.tokenSequence}`;
      if (c.acceptedAuths === 1) state.log('auth', `connection #${c.id} authenticated with ${token} (${record.command.toUpperCase()} as ${shortId(record.oid)})`);
      else state.log('reauth', `connection #${c.id} re-AUTH with ${token} ✓`);
    } else {
      c.rejectedAuths++;
      state.log('auth-rejected', `connection #${c.id}: AUTH refused (${record.reason ?? 'unknown'})`);
    }
  });
  gate.on('expired', (info) => {
    state.expiryClosures++;
    state.log('expired', `connection #${info.id} closed by the server: its token expired before a re-AUTH`);
  });
  gate.on('close', (info) => {
    const c = state.connections.get(info.id);
    if (c) c.closedReason = info.closedReason ?? 'closed';
  });
}
