/**
 * Reading the gates' per-connection AUTH records: how many AUTHs each connection received in a time window,
 * and when each AUTH with a given token arrived.
 *
 * @module
 */
import type { GateConnectionInfo, RedisGate } from '../../src/emulator/index.js';

/** Connections open for the whole of [fromMs, toMs] (opened before, not closed before the end). */
export function liveThroughout(gates: readonly RedisGate[], fromMs: number, toMs: number): GateConnectionInfo[] {
  return gates
    .flatMap((gate) => gate.connections())
    .filter((c) => c.openedAtMs <= fromMs && (c.closedAtMs === undefined || c.closedAtMs >= toMs) && c.acceptedAuthCount > 0);
}

/** AUTH commands on `connection` in [fromMs, toMs). */
export function authsIn(connection: GateConnectionInfo, fromMs: number, toMs: number): number {
  return connection.auths.filter((a) => a.atMs >= fromMs && a.atMs < toMs).length;
}

/** Mean AUTHs per live connection in [fromMs, toMs), and the connection count. */
export function meanAuthsPerConnection(gates: readonly RedisGate[], fromMs: number, toMs: number): { mean: number; max: number; connections: number } {
  const live = liveThroughout(gates, fromMs, toMs);
  const counts = live.map((c) => authsIn(c, fromMs, toMs));
  const total = counts.reduce((a, b) => a + b, 0);
  return { mean: live.length === 0 ? Number.NaN : total / live.length, max: Math.max(0, ...counts), connections: live.length };
}

/** Connections closed in [fromMs, toMs], by reason (e.g. `expired`: the token ran out before a fresh AUTH). */
export function closuresIn(gates: readonly RedisGate[], fromMs: number, toMs: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of gates.flatMap((gate) => gate.connections())) {
    if (c.closedAtMs === undefined || c.closedAtMs < fromMs || c.closedAtMs > toMs) continue;
    const reason = c.closedReason ?? 'unknown';
    out[reason] = (out[reason] ?? 0) + 1;
  }
  return out;
}
