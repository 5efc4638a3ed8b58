/**
 * A minimal incremental decoder for server→client RESP2/RESP3 replies, enough for the emulator's admin
 * connection (the emulator does not depend on a Redis client package at run time).
 *
 * @module
 */

/** A decoded reply. Errors are values (`RespErrorReply`) so that callers decide whether to throw. */
export type RespValue = string | number | bigint | boolean | null | Buffer | RespErrorReply | readonly RespValue[];

/** An error reply (`-ERR ...`, `-NOAUTH ...`, `-WRONGPASS ...`). */
export class RespErrorReply {
  constructor(
    /** The whole error line, e.g. `WRONGPASS invalid username-password pair or user is disabled.` */
    readonly message: string,
  ) {}

  /** The first word of the message, e.g. `WRONGPASS`. */
  get prefix(): string {
    return this.message.split(' ', 1)[0] ?? '';
  }
}

const CRLF_CR = 13;

type Decoded = { value: RespValue; next: number } | undefined;

/** Decodes replies from a byte stream; bulk strings are returned as Buffers, simple strings as strings. */
export class RespReplyDecoder {
  #buffer: Buffer = Buffer.alloc(0);

  /** Feeds bytes and returns every reply they complete, in order. */
  push(chunk: Buffer): RespValue[] {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    const values: RespValue[] = [];
    let offset = 0;
    for (;;) {
      const decoded = decodeAt(this.#buffer, offset);
      if (!decoded) break;
      values.push(decoded.value);
      offset = decoded.next;
    }
    this.#buffer = this.#buffer.subarray(offset);
    return values;
  }
}

function line(buf: Buffer, offset: number): { text: string; next: number } | undefined {
  const cr = buf.indexOf(CRLF_CR, offset);
  if (cr === -1 || cr + 1 >= buf.length) return undefined;
  return { text: buf.toString('utf8', offset, cr), next: cr + 2 };
}

function decodeAt(buf: Buffer, offset: number): Decoded {
  if (offset >= buf.length) return undefined;
  const type = String.fromCharCode(buf[offset] as number);
  const head = line(buf, offset + 1);
  if (!head) return undefined;
  switch (type) {
    case '+':
      return { value: head.text, next: head.next };
    case '-':
    case '!':
      return { value: new RespErrorReply(head.text), next: head.next };
    case ':':
      return { value: Number(head.text), next: head.next };
    case '(':
      return { value: BigInt(head.text), next: head.next };
    case ',':
      return { value: Number(head.text), next: head.next };
    case '#':
      return { value: head.text === 't', next: head.next };
    case '_':
      return { value: null, next: head.next };
    case '$':
    case '=': {
      const length = Number(head.text);
      if (length < 0) return { value: null, next: head.next };
      if (head.next + length + 2 > buf.length) return undefined;
      return { value: buf.subarray(head.next, head.next + length), next: head.next + length + 2 };
    }
    case '*':
    case '~':
    case '>':
    case '%': {
      const count = Number(head.text) * (type === '%' ? 2 : 1);
      if (count < 0) return { value: null, next: head.next };
      const items: RespValue[] = [];
      let next = head.next;
      for (let i = 0; i < count; i++) {
        const item = decodeAt(buf, next);
        if (!item) return undefined;
        items.push(item.value);
        next = item.next;
      }
      return { value: items, next };
    }
    default:
      throw new Error(`unexpected RESP type byte ${JSON.stringify(type)}`);
  }
}
