/**
 * An incremental parser for the client→server direction of RESP: arrays of bulk strings (what every
 * client library sends) and inline commands (what `telnet` sends), pipelined and split across chunks at
 * any byte.
 *
 * Each call to {@link RespCommandParser.push} returns the commands completed by that chunk, as views into
 * one buffer (no per-byte copying), so a proxy can forward unchanged commands as contiguous slices.
 *
 * @module
 */

/** One complete command found by {@link RespCommandParser}. */
export interface ParsedCommand {
  /** The arguments, command name first, as views into {@link ParsedBatch.buffer}. */
  readonly args: readonly Buffer[];
  /** Byte offset of the frame's first byte in {@link ParsedBatch.buffer}. */
  readonly start: number;
  /** Byte offset just past the frame's last byte in {@link ParsedBatch.buffer}. */
  readonly end: number;
  /** True for an inline (space-separated, CRLF-terminated) command. */
  readonly inline: boolean;
}

/** The commands completed by one chunk. */
export interface ParsedBatch {
  /** The bytes the commands' offsets refer to. */
  readonly buffer: Buffer;
  /** Complete commands, in stream order. Empty when the chunk only extended a partial frame. */
  readonly commands: readonly ParsedCommand[];
}

/** The client sent bytes that are not RESP. */
export class RespProtocolError extends Error {
  readonly code = 'ERR_RESP_PROTOCOL' as const;
}

/** Largest accepted multibulk length and bulk length, like redis-server's defaults (1M args, 512 MB). */
const MAX_ARGS = 1024 * 1024;
const MAX_BULK = 512 * 1024 * 1024;
/** Largest inline command or header line, like redis-server's 64 KB limit. */
const MAX_INLINE = 64 * 1024;

const CR = 13;
const LF = 10;

/** Outcome of parsing one frame at an offset. */
type FrameResult = ParsedCommand | { readonly need: number } | null;

/**
 * Parses the client→server RESP stream incrementally. Keeps only the bytes of the one incomplete frame
 * between calls; a large bulk string arriving in many chunks is joined once, when it is complete.
 */
export class RespCommandParser {
  #pending: Buffer[] = [];
  #pendingLength = 0;
  /** Total bytes needed before another parse attempt can succeed (a lower bound). */
  #need = 0;

  /**
   * Feeds a chunk of the stream.
   *
   * @returns the commands completed so far (possibly none).
   * @throws RespProtocolError when the stream is not RESP; the stream cannot be resumed after that.
   */
  push(chunk: Buffer): ParsedBatch {
    if (this.#pendingLength > 0 || chunk.length === 0) {
      this.#pending.push(chunk);
      this.#pendingLength += chunk.length;
      if (this.#pendingLength < this.#need) return { buffer: chunk, commands: [] };
      chunk = this.#pending.length === 1 ? (this.#pending[0] as Buffer) : Buffer.concat(this.#pending, this.#pendingLength);
      this.#pending = [];
      this.#pendingLength = 0;
    }
    const commands: ParsedCommand[] = [];
    let offset = 0;
    while (offset < chunk.length) {
      const result = parseFrame(chunk, offset);
      if (result === null) {
        // An empty inline line: skipped, like redis-server does.
        const lf = chunk.indexOf(LF, offset);
        offset = lf + 1;
        continue;
      }
      if ('need' in result) {
        const rest = chunk.subarray(offset);
        this.#pending = [rest];
        this.#pendingLength = rest.length;
        this.#need = result.need - offset;
        break;
      }
      commands.push(result);
      offset = result.end;
    }
    if (offset >= chunk.length) this.#need = 0;
    return { buffer: chunk, commands };
  }

  /** Bytes held for an incomplete frame. */
  get pendingBytes(): number {
    return this.#pendingLength;
  }
}

/** Reads a CRLF-terminated decimal at `offset`; returns the value and the offset after CRLF, or `need`. */
function readLength(buf: Buffer, offset: number, what: string): { value: number; next: number } | { need: number } {
  const cr = buf.indexOf(CR, offset);
  if (cr === -1 || cr + 1 >= buf.length) {
    if (buf.length - offset > MAX_INLINE) throw new RespProtocolError(`too big ${what} header`);
    return { need: buf.length + 1 };
  }
  if (buf[cr + 1] !== LF) throw new RespProtocolError(`expected CRLF after ${what} length`);
  let value = 0;
  if (cr === offset) throw new RespProtocolError(`invalid ${what} length`);
  for (let i = offset; i < cr; i++) {
    const digit = (buf[i] as number) - 48;
    // Negative lengths (null arrays) are never sent by clients; redis-server refuses them too.
    if (digit < 0 || digit > 9) throw new RespProtocolError(`invalid ${what} length`);
    value = value * 10 + digit;
    if (value > MAX_BULK) throw new RespProtocolError(`invalid ${what} length`);
  }
  return { value, next: cr + 2 };
}

function parseFrame(buf: Buffer, start: number): FrameResult {
  if (buf[start] !== 42 /* * */) return parseInline(buf, start);
  const header = readLength(buf, start + 1, 'multibulk');
  if ('need' in header) return header;
  if (header.value > MAX_ARGS) throw new RespProtocolError('invalid multibulk length');
  const args: Buffer[] = [];
  let offset = header.next;
  for (let i = 0; i < header.value; i++) {
    if (offset >= buf.length) return { need: offset + 1 };
    if (buf[offset] !== 36 /* $ */) throw new RespProtocolError(`expected '$', got '${String.fromCharCode(buf[offset] as number)}'`);
    const bulk = readLength(buf, offset + 1, 'bulk');
    if ('need' in bulk) return bulk;
    const end = bulk.next + bulk.value;
    if (end + 2 > buf.length) return { need: end + 2 };
    if (buf[end] !== CR || buf[end + 1] !== LF) throw new RespProtocolError('expected CRLF after bulk string');
    args.push(buf.subarray(bulk.next, end));
    offset = end + 2;
  }
  return { args, start, end: offset, inline: false };
}

function parseInline(buf: Buffer, start: number): FrameResult {
  const lf = buf.indexOf(LF, start);
  if (lf === -1) {
    if (buf.length - start > MAX_INLINE) throw new RespProtocolError('too big inline request');
    return { need: buf.length + 1 };
  }
  const lineEnd = lf > start && buf[lf - 1] === CR ? lf - 1 : lf;
  const args: Buffer[] = [];
  let i = start;
  while (i < lineEnd) {
    while (i < lineEnd && (buf[i] === 32 || buf[i] === 9)) i++;
    if (i >= lineEnd) break;
    const from = i;
    while (i < lineEnd && buf[i] !== 32 && buf[i] !== 9) i++;
    args.push(buf.subarray(from, i));
  }
  if (args.length === 0) return null;
  return { args, start, end: lf + 1, inline: true };
}
