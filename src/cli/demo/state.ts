/**
 * What the demo has seen so far: tokens, AUTHs per connection, commands, failures. Both renderers (live TTY
 * view and plain lines) read it; the demo feeds it from the provider's and the gate's events.
 *
 * @module
 */

/** One token the provider delivered (never the token itself). */
export interface TokenRecord {
  readonly sequence: number;
  readonly oid: string | undefined;
  readonly uti: string | undefined;
  readonly receivedAtMs: number;
  readonly expiresAtMs: number;
  /** When the provider will renew it, ms since the epoch. */
  readonly refreshAtMs: number;
}

/** One connection as the gate sees it. */
export interface ConnectionRecord {
  readonly id: number;
  readonly remotePort: number | undefined;
  acceptedAuths: number;
  rejectedAuths: number;
  /** Sequence number of the token of its last accepted AUTH. */
  tokenSequence: number | undefined;
  expiresAtMs: number | undefined;
  closedReason: string | undefined;
}

/** A line of the event log. */
export interface DemoEvent {
  readonly atMs: number;
  readonly kind: 'token' | 'renewal' | 'auth' | 'reauth' | 'auth-rejected' | 'expired' | 'failure' | 'info';
  readonly text: string;
}

/** The demo's mutable state. */
export class DemoState {
  readonly startedAtMs: number;
  readonly tokens: TokenRecord[] = [];
  readonly connections = new Map<number, ConnectionRecord>();
  readonly events: DemoEvent[] = [];
  commandsOk = 0;
  commandsFailed = 0;
  lastCommandError: string | undefined;
  renewalFailures = 0;
  reAuthFailures = 0;
  expiryClosures = 0;
  readonly #listeners = new Set<(event: DemoEvent) => void>();

  constructor(nowMs: number) {
    this.startedAtMs = nowMs;
  }

  /** Subscribes to new events (the plain renderer prints each). */
  onEvent(listener: (event: DemoEvent) => void): void {
    this.#listeners.add(listener);
  }

  /** Appends an event. */
  log(kind: DemoEvent['kind'], text: string, atMs = Date.now()): void {
    const event = { atMs, kind, text };
    this.events.push(event);
    if (this.events.length > 200) this.events.splice(0, this.events.length - 200);
    for (const listener of this.#listeners) listener(event);
  }

  /** Renewals so far (tokens after the first). */
  get renewals(): number {
    return Math.max(0, this.tokens.length - 1);
  }

  /** The newest token. */
  get currentToken(): TokenRecord | undefined {
    return this.tokens.at(-1);
  }

  /** The sequence number of the token with this `uti`, if known. */
  sequenceOf(uti: string | undefined): number | undefined {
    if (uti === undefined) return undefined;
    return this.tokens.find((t) => t.uti === uti)?.sequence;
  }

  /** Open connections, by id. */
  openConnections(): ConnectionRecord[] {
    return [...this.connections.values()].filter((c) => c.closedReason === undefined);
  }

  /** True when every open connection has AUTHed with the newest token. */
  allOnCurrentToken(): boolean {
    const current = this.currentToken?.sequence;
    const open = this.openConnections();
    return open.length > 0 && open.every((c) => c.tokenSequence === current);
  }

  /** Total accepted AUTHs after each connection's first one (re-authentications). */
  get reAuths(): number {
    let n = 0;
    for (const c of this.connections.values()) n += Math.max(0, c.acceptedAuths - 1);
    return n;
  }
}

/** `1234` → `1.2s`; negative → `0.0s`. */
export function seconds(ms: number): string {
  return `${(Math.max(0, ms) / 1000).toFixed(1)}s`;
}
