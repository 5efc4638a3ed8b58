import { shortId, type Style } from './style.js';
import type { DemoState } from '../demo/state.js';
import type { DemoHeader } from './demo-view.js';

/** The outcome of a demo run. */
export interface DemoOutcome {
  readonly ok: boolean;
  /** Why it ended: `renewals`, `signal` (Ctrl-C) or `timeout`. */
  readonly endedBy: 'renewals' | 'signal' | 'timeout';
  readonly reasons: readonly string[];
}

/** Decides the outcome: OK only when no command failed, no connection was closed at expiry, and the run completed. */
export function demoOutcome(state: DemoState, header: DemoHeader, endedBy: DemoOutcome['endedBy']): DemoOutcome {
  const reasons: string[] = [];
  if (state.commandsFailed > 0) reasons.push(`${state.commandsFailed} command(s) failed (last: ${state.lastCommandError ?? '?'})`);
  if (state.expiryClosures > 0) reasons.push(`${state.expiryClosures} connection(s) were closed because their token expired before a re-AUTH`);
  if (state.commandsOk === 0) reasons.push('no command succeeded');
  if (endedBy === 'timeout') reasons.push(`only ${state.renewals} of ${header.renewalsWanted} renewals happened before the time limit`);
  return { ok: reasons.length === 0, endedBy, reasons };
}

/** The summary printed at the end, as text. */
export function renderSummary(state: DemoState, header: DemoHeader, outcome: DemoOutcome, style: Style, nowMs: number): string {
  const row = (k: string, v: string): string => `  ${k.padEnd(18)} ${v}\n`;
  const perConnection = [...state.connections.values()].map((c) => `#${c.id}: ${c.acceptedAuths}`).join(', ');
  const rejected = [...state.connections.values()].reduce((n, c) => n + c.rejectedAuths, 0);
  let text = `\n${style.bold('Summary')} (${((nowMs - state.startedAtMs) / 1000).toFixed(1)} s, ended by ${outcome.endedBy === 'signal' ? 'Ctrl-C' : outcome.endedBy})\n`;
  text += row('identity', `${header.identity}, oid ${state.currentToken?.oid ?? '?'}`);
  text += row('client', `${header.client}, ${header.connections} connection(s) to ${header.target}`);
  text += row('tokens', `${state.tokens.length} issued (1 initial + ${state.renewals} renewals), lifetime ${header.tokenLifetimeSeconds} s`);
  text += row('AUTHs', `${state.reAuths} re-AUTHs after the first AUTH; accepted per connection: ${perConnection || 'none'}; refused ${rejected}`);
  text += row('expiry closures', String(state.expiryClosures));
  text += row('commands', `${state.commandsOk} ok, ${state.commandsFailed} failed`);
  text += row('renewal failures', `${state.renewalFailures} (retried by the provider)`);
  if (state.reAuthFailures > 0) text += row('re-auth failures', String(state.reAuthFailures));
  text += outcome.ok
    ? `${style.green('OK')}: every command succeeded across ${state.renewals} token renewal(s); token of oid ${shortId(state.currentToken?.oid)} kept every connection authenticated.\n`
    : `${style.red('FAILED')}: ${outcome.reasons.join('; ')}\n`;
  return text;
}
