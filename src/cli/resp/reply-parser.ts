/**
 * A small incremental parser for the server→client direction of RESP2 (and the RESP3 types a plain
 * `check` can meet): enough to read AUTH, PING, DBSIZE and CLUSTER replies.
 *
 * @module
 */

/** A Redis error reply (`-ERR …`). */
export class RedisReplyError extends Error {
  readonly code = 'ERR_REDIS_REPLY' as const;

  constructor(message: string) {
    super(message);
    this.name = 'RedisReplyError';
  }
}

/** A decoded reply. Errors are values here; the connection turns them into rejections. */
export type Reply = string | number | bigint | null | boolean | RedisReplyError | readonly Reply[];

const CRLF = '\r\n';

type Step = { value: Reply; next: number } | undefined;

function parseAt(buf: Buffer, offset: number): Step {
  if (offset >= buf.length) return undefined;
  const eol = buf.indexOf(CRLF, offset, 'latin1');
  if (eol === -1) return undefined;
  const type = String.fromCharCode(buf[offset] as number);
  const line = buf.toString('utf8', offset + 1, eol);
  const next = eol + 2;
  switch (type) {
    case '+':
      return { value: line, next };
    case '-':
    case '!':
      return { value: new RedisReplyError(line), next };
    case ':':
      return { value: Number(line), next };
    case '(':
      return { value: BigInt(line), next };
    case ',':
      return { value: Number(line), next };
    case '#':
      return { value: line === 't', next };
    case '_':
      return { value: null, next };
    case '$':
    case '=': {
      const length = Number(line);
      if (length < 0) return { value: null, next };
      if (next + length + 2 > buf.length) return undefined;
      return { value: buf.toString('utf8', next, next + length), next: next + length + 2 };
    }
    case '*':
    case '~':
    case '>':
    case '%': {
      const count = Number(line) * (type === '%' ? 2 : 1);
      if (count < 0) return { value: null, next };
      const items: Reply[] = [];
      let at = next;
      for (let i = 0; i < count; i++) {
        const item = parseAt(buf, at);
        if (item === undefined) return undefined;
        items.push(item.value);
        at = item.next;
      }
      return { value: items, next: at };
    }
    default:
      throw new Error(`not a RESP reply (type byte ${JSON.stringify(type)})`);
  }
}

/** Collects bytes and yields complete replies. */
export class ReplyParser {
  #buffer: Buffer = Buffer.alloc(0);

  /** Adds a chunk; returns the replies it completed. Throws when the bytes are not RESP. */
  push(chunk: Buffer): Reply[] {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    const replies: Reply[] = [];
    let offset = 0;
    for (;;) {
      const step = parseAt(this.#buffer, offset);
      if (step === undefined) break;
      replies.push(step.value);
      offset = step.next;
    }
    this.#buffer = this.#buffer.subarray(offset);
    return replies;
  }
}
