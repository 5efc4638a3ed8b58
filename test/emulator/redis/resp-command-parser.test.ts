import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { RespCommandParser, RespProtocolError } from '../../../src/emulator/redis/resp-command-parser.js';
import { encodeCommand } from '../../../src/emulator/redis/resp-encode.js';

/** Feeds `chunks` and returns every command (as strings) and its raw bytes. */
function feed(chunks: Buffer[]): { args: string[][]; raw: Buffer[] } {
  const parser = new RespCommandParser();
  const args: string[][] = [];
  const raw: Buffer[] = [];
  for (const chunk of chunks) {
    const batch = parser.push(chunk);
    for (const command of batch.commands) {
      args.push(command.args.map((a) => a.toString('utf8')));
      raw.push(Buffer.from(batch.buffer.subarray(command.start, command.end)));
    }
  }
  assert.equal(parser.pendingBytes, 0, 'no bytes left over');
  return { args, raw };
}

describe('RespCommandParser', () => {
  const pipeline = [
    ['AUTH', 'user', 'tok.en.sig'],
    ['SET', 'key', 'va\r\nlue'],
    ['GET', 'key'],
    ['HELLO', '3', 'AUTH', 'u', 'p', 'SETNAME', 'x'],
    ['PING'],
    ['SET', 'empty', ''],
  ];
  const frames = pipeline.map((c) => encodeCommand(c));
  const stream = Buffer.concat(frames);

  it('parses a pipelined buffer in one chunk, keeping each frame’s exact bytes', () => {
    const { args, raw } = feed([stream]);
    assert.deepEqual(args, pipeline);
    assert.deepEqual(raw, frames);
  });

  it('parses the same stream split at every byte offset into two chunks', () => {
    for (let split = 0; split <= stream.length; split++) {
      const { args, raw } = feed([stream.subarray(0, split), stream.subarray(split)]);
      assert.deepEqual(args, pipeline, `split at ${split}`);
      assert.deepEqual(raw, frames, `split at ${split}`);
    }
  });

  it('parses the stream delivered one byte at a time', () => {
    const bytes = [...stream].map((b) => Buffer.from([b]));
    assert.deepEqual(feed(bytes).args, pipeline);
  });

  it('returns nothing for a partial frame and the command once it completes', () => {
    const parser = new RespCommandParser();
    const frame = encodeCommand(['SET', 'k', 'v']);
    assert.equal(parser.push(frame.subarray(0, 10)).commands.length, 0);
    assert.equal(parser.pendingBytes, 10);
    const batch = parser.push(frame.subarray(10));
    assert.deepEqual(batch.commands.map((c) => c.args.map(String)), [['SET', 'k', 'v']]);
    assert.equal(parser.pendingBytes, 0);
  });

  it('parses inline commands, with CRLF or LF, skipping empty lines', () => {
    const { args } = feed([Buffer.from('PING\r\n\r\nSET  a   b\nAUTH u t\r\n')]);
    assert.deepEqual(args, [['PING'], ['SET', 'a', 'b'], ['AUTH', 'u', 't']]);
  });

  it('parses a mix of inline and multibulk commands', () => {
    const { args } = feed([Buffer.from('PING\r\n'), encodeCommand(['GET', 'x']), Buffer.from('QUIT\r\n')]);
    assert.deepEqual(args, [['PING'], ['GET', 'x'], ['QUIT']]);
  });

  it('parses a 5 MB bulk string delivered in 64 KB chunks, joining it once', () => {
    const big = Buffer.alloc(5 * 1024 * 1024, 0x61);
    const frame = encodeCommand(['SET', 'big', big]);
    const chunks: Buffer[] = [];
    for (let i = 0; i < frame.length; i += 65536) chunks.push(frame.subarray(i, i + 65536));
    const parser = new RespCommandParser();
    const found = chunks.flatMap((c) => parser.push(c).commands);
    assert.equal(found.length, 1);
    assert.equal(found[0]?.args[2]?.length, big.length);
    assert.ok(found[0]?.args[2]?.equals(big));
  });

  it('parses 100k pipelined commands quickly', () => {
    const one = encodeCommand(['INCR', 'counter']);
    const stream100k = Buffer.concat(Array.from({ length: 100_000 }, () => one));
    const parser = new RespCommandParser();
    const started = performance.now();
    let count = 0;
    for (let i = 0; i < stream100k.length; i += 65536) count += parser.push(stream100k.subarray(i, i + 65536)).commands.length;
    const elapsedMs = performance.now() - started;
    assert.equal(count, 100_000);
    assert.ok(elapsedMs < 2000, `took ${elapsedMs} ms`);
  });

  it('refuses bytes that are not RESP', () => {
    assert.throws(() => new RespCommandParser().push(Buffer.from('*1\r\n+PING\r\n')), RespProtocolError);
    assert.throws(() => new RespCommandParser().push(Buffer.from('*x\r\n')), RespProtocolError);
    assert.throws(() => new RespCommandParser().push(Buffer.from('*1\r\n$-1\r\n')), RespProtocolError);
    assert.throws(() => new RespCommandParser().push(Buffer.from('*1\r\n$1\r\nab\r\n')), RespProtocolError);
  });

  it('property: any commands, any chunking, yield the same commands and bytes', () => {
    const arg = fc.uint8Array({ minLength: 0, maxLength: 40 }).map((a) => Buffer.from(a));
    const command = fc.array(arg, { minLength: 1, maxLength: 6 });
    fc.assert(
      fc.property(fc.array(command, { minLength: 1, maxLength: 8 }), fc.array(fc.nat(), { maxLength: 10 }), (commands, cuts) => {
        const encoded = commands.map((c) => encodeCommand(c));
        const all = Buffer.concat(encoded);
        const points = [...new Set(cuts.map((c) => c % (all.length + 1)))].sort((a, b) => a - b);
        const chunks: Buffer[] = [];
        let from = 0;
        for (const p of points) {
          chunks.push(all.subarray(from, p));
          from = p;
        }
        chunks.push(all.subarray(from));
        const parser = new RespCommandParser();
        const got: Buffer[][] = [];
        const raw: Buffer[] = [];
        for (const chunk of chunks) {
          const batch = parser.push(chunk);
          for (const c of batch.commands) {
            got.push(c.args.map((a) => Buffer.from(a)));
            raw.push(Buffer.from(batch.buffer.subarray(c.start, c.end)));
          }
        }
        assert.deepEqual(got, commands);
        assert.deepEqual(raw, encoded);
      }),
      { numRuns: 300 },
    );
  });
});
