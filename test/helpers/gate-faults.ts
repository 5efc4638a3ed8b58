// Faults injected at an emulator gate from a test.
import type { RedisGate } from '../../src/emulator/gate/redis-gate.js';

/**
 * Drops every connection at `gate` the moment it has read a re-AUTH (a plain AUTH on a connection that already
 * had one accepted), before the reply is written, `times` times. `stop()` removes the listener (idempotent).
 */
export function resetConnectionsOnReAuth(gate: RedisGate, times: number): { readonly resets: number; stop(): void } {
  let resets = 0;
  const onAuth = (record: { command: string; connectionId: number }): void => {
    const connection = gate.connections().find((c) => c.id === record.connectionId);
    if (resets < times && record.command === 'auth' && (connection?.acceptedAuthCount ?? 0) >= 1) {
      resets++;
      gate.closeAll();
    }
  };
  gate.on('auth', onAuth);
  return {
    get resets() {
      return resets;
    },
    stop: () => {
      gate.off('auth', onAuth);
    },
  };
}
