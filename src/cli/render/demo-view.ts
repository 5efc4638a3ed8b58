/**
 * The demo's two views of {@link DemoState}: a compact live frame redrawn in place on a terminal (ANSI
 * cursor control), and plain timestamped lines otherwise (pipes, CI logs).
 *
 * @module
 */
import { seconds, type DemoEvent, type DemoState } from '../demo/state.js';
import { shortId, type Style } from './style.js';

/** Static facts shown in the header. */
export interface DemoHeader {
  readonly identity: string;
  readonly client: string;
  readonly connections: number;
  readonly tokenLifetimeSeconds: number;
  readonly renewalsWanted: number;
  readonly target: string;
}

// eslint-disable-next-line no-control-regex -- matching ANSI escape sequences is the point
const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/g;

/** Fits `line` into `columns` (wrapped lines would break the in-place redraw). */
export function fit(line: string, columns: number): string {
  const visible = line.replace(ANSI, '');
  if (visible.length <= columns) return line;
  return `${visible.slice(0, Math.max(0, columns - 1))}…`;
}

function bar(fraction: number, width: number): string {
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * width);
  return `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
}

/** The live frame at `nowMs`, one string per line. */
export function renderFrame(state: DemoState, header: DemoHeader, style: Style, nowMs: number): string[] {
  const lines: string[] = [];
  lines.push(`${style.bold('redis-entraid demo')}  ${header.client} ×${header.connections} → ${header.target}  ${style.dim('(Ctrl-C to stop)')}`);
  lines.push(style.dim(`${header.identity}, ${header.tokenLifetimeSeconds} s tokens`));
  const token = state.currentToken;
  if (token) {
    const life = token.expiresAtMs - token.receivedAtMs;
    const left = token.expiresAtMs - nowMs;
    lines.push(
      `token #${token.sequence}  oid ${shortId(token.oid)}  expires in ${style.bold(seconds(left))}  ` +
        `${bar(life > 0 ? left / life : 0, 10)}  next renewal in ${style.cyan(seconds(token.refreshAtMs - nowMs))}`,
    );
  } else {
    lines.push('token    acquiring…');
  }
  const failed = state.commandsFailed > 0 ? style.red(`${state.commandsFailed} failed`) : style.green('0 failed');
  lines.push(
    `renewals ${state.renewals}/${header.renewalsWanted}   commands ${state.commandsOk} ok, ${failed}   ` +
      `re-AUTHs ${state.reAuths}   expiry closures ${state.expiryClosures === 0 ? '0' : style.red(String(state.expiryClosures))}`,
  );
  lines.push(style.dim('connections'));
  for (const c of [...state.connections.values()].slice(-6)) {
    const status = c.closedReason === undefined ? style.green('open') : c.closedReason === 'expired' ? style.red('closed: expired') : style.dim(`closed: ${c.closedReason}`);
    const expires = c.expiresAtMs === undefined || c.closedReason !== undefined ? '' : `  token #${c.tokenSequence ?? '?'} expires in ${seconds(c.expiresAtMs - nowMs)}`;
    lines.push(`  #${c.id}  AUTH ${c.acceptedAuths}${c.rejectedAuths ? style.red(` (${c.rejectedAuths} refused)`) : ''}  ${status}${expires}`);
  }
  lines.push(style.dim('recent'));
  for (const e of state.events.slice(-5)) lines.push(`  ${formatEvent(state, e, style)}`);
  return lines;
}

/** One event as a line: `+2.9s  text`. */
export function formatEvent(state: DemoState, event: DemoEvent, style: Style): string {
  const at = `+${((event.atMs - state.startedAtMs) / 1000).toFixed(1)}s`.padStart(7);
  const text = event.kind === 'failure' || event.kind === 'expired' || event.kind === 'auth-rejected' ? style.red(event.text) : event.text;
  return `${style.dim(at)}  ${text}`;
}

/** Redraws the frame in place; `stop()` leaves the last frame on screen and restores the cursor. */
export class LiveView {
  readonly #write: (text: string) => void;
  readonly #frame: () => string[];
  readonly #columns: () => number;
  #lines = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(write: (text: string) => void, frame: () => string[], columns: () => number) {
    this.#write = write;
    this.#frame = frame;
    this.#columns = columns;
  }

  /** Hides the cursor and redraws every `intervalMs`. */
  start(intervalMs = 100): void {
    this.#write('\u001b[?25l');
    this.draw();
    this.#timer = setInterval(() => this.draw(), intervalMs);
  }

  /** Draws one frame over the previous one. */
  draw(): void {
    const columns = Math.max(20, this.#columns() - 1);
    const lines = this.#frame().map((l) => fit(l, columns));
    let out = this.#lines > 0 ? `\r\u001b[${this.#lines}A` : '';
    for (const line of lines) out += `\u001b[2K${line}\n`;
    // Clear what is left of a taller previous frame.
    for (let i = lines.length; i < this.#lines; i++) out += '\u001b[2K\n';
    if (this.#lines > lines.length) out += `\u001b[${this.#lines - lines.length}A`;
    this.#write(out);
    this.#lines = lines.length;
  }

  /** Draws the final frame and shows the cursor again. Idempotent. */
  stop(): void {
    if (this.#timer === undefined) return;
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.draw();
    this.#write('\u001b[?25h');
  }
}
