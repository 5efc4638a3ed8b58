/**
 * One TLS (or plaintext) connection to a Redis server that sends commands one at a time and times each
 * step, so `check` can say exactly which step failed and how long each took.
 *
 * @module
 */
import { connect as connectTcp, type Socket } from 'node:net';
import { connect as connectTls, type PeerCertificate, type TLSSocket } from 'node:tls';
import { encodeCommand } from '../../emulator/redis/resp-encode.js';
import { ReplyParser, RedisReplyError, type Reply } from './reply-parser.js';

/** A connection-level failure with a node-style `code` (ECONNREFUSED, ERR_TLS_CERT_ALTNAME_INVALID, …). */
export class ConnectionError extends Error {
  readonly code: string;

  constructor(message: string, code: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConnectionError';
    this.code = code;
  }
}

/** Facts about the server certificate, for the TLS step. */
export interface ServerCertificate {
  readonly subject: string;
  readonly issuer: string;
  readonly subjectAltNames: string | undefined;
  readonly validTo: string;
  /** Days until the certificate expires (negative when expired). */
  readonly expiresInDays: number;
  readonly protocol: string | null;
  /** Whether the chain and name were verified (false with --insecure-skip-verify). */
  readonly verified: boolean;
  /** Why verification failed, when it was skipped. */
  readonly verificationError: string | undefined;
}

/** How to connect. */
export interface ConnectOptions {
  readonly host: string;
  readonly port: number;
  /** TLS (default true). */
  readonly tls: boolean;
  /** Name to check the certificate against, default `host`. */
  readonly servername?: string | undefined;
  readonly rejectUnauthorized: boolean;
  readonly timeoutMs: number;
}

function describeName(name: PeerCertificate['subject'] | undefined): string {
  if (!name) return '';
  return Object.entries(name)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : String(v)}`)
    .join(', ');
}

/** A connected RESP connection. */
export class RespConnection {
  readonly #socket: Socket;
  readonly #parser = new ReplyParser();
  readonly #waiting: { resolve: (r: Reply) => void; reject: (e: Error) => void }[] = [];
  readonly #timeoutMs: number;
  #closedError: Error | undefined;
  /** The server certificate (TLS only). */
  readonly certificate: ServerCertificate | undefined;

  private constructor(socket: Socket, timeoutMs: number, certificate: ServerCertificate | undefined) {
    this.#socket = socket;
    this.#timeoutMs = timeoutMs;
    this.certificate = certificate;
    socket.on('data', (chunk: Buffer) => {
      let replies: Reply[];
      try {
        replies = this.#parser.push(chunk);
      } catch (cause) {
        this.#fail(new ConnectionError(cause instanceof Error ? cause.message : String(cause), 'ERR_PROTOCOL'));
        return;
      }
      for (const reply of replies) {
        const waiter = this.#waiting.shift();
        if (!waiter) continue;
        if (reply instanceof RedisReplyError) waiter.reject(reply);
        else waiter.resolve(reply);
      }
    });
    socket.on('error', (error: NodeJS.ErrnoException) => this.#fail(new ConnectionError(error.message, error.code ?? 'ECONNRESET', { cause: error })));
    socket.on('close', () => this.#fail(new ConnectionError('the server closed the connection', 'ERR_CONNECTION_CLOSED')));
  }

  #fail(error: Error): void {
    this.#closedError ??= error;
    for (const waiter of this.#waiting.splice(0)) waiter.reject(error);
  }

  /** Connects (and completes the TLS handshake). Rejects with a {@link ConnectionError}. */
  static open(options: ConnectOptions): Promise<RespConnection> {
    return new Promise((resolve, reject) => {
      let socket: Socket | undefined;
      const timer = setTimeout(() => {
        socket?.destroy();
        reject(new ConnectionError(`no connection to ${options.host}:${options.port} within ${options.timeoutMs} ms`, 'ERR_CHECK_TIMEOUT'));
      }, options.timeoutMs);
      const onError = (error: NodeJS.ErrnoException): void => {
        clearTimeout(timer);
        socket?.destroy();
        reject(new ConnectionError(error.message, error.code ?? 'ECONNRESET', { cause: error }));
      };
      if (!options.tls) {
        const tcp = connectTcp({ host: options.host, port: options.port }, () => {
          clearTimeout(timer);
          tcp.off('error', onError);
          resolve(new RespConnection(tcp, options.timeoutMs, undefined));
        });
        socket = tcp;
        tcp.once('error', onError);
        return;
      }
      const servername = options.servername ?? options.host;
      const tls: TLSSocket = connectTls(
        {
          host: options.host,
          port: options.port,
          // SNI must not be an IP address; the name check below still uses `servername`.
          ...(/^[\d.]+$|:/.test(servername) ? {} : { servername }),
          rejectUnauthorized: options.rejectUnauthorized,
          ...(options.rejectUnauthorized ? {} : { checkServerIdentity: () => undefined }),
        },
        () => {
          clearTimeout(timer);
          tls.off('error', onError);
          const peer = tls.getPeerCertificate();
          const validToMs = Date.parse(peer.valid_to);
          resolve(
            new RespConnection(tls, options.timeoutMs, {
              subject: describeName(peer.subject),
              issuer: describeName(peer.issuer),
              subjectAltNames: peer.subjectaltname,
              validTo: Number.isNaN(validToMs) ? peer.valid_to : new Date(validToMs).toISOString(),
              expiresInDays: Math.floor((validToMs - Date.now()) / 86_400_000),
              protocol: tls.getProtocol(),
              verified: tls.authorized,
              verificationError: tls.authorizationError === null ? undefined : String(tls.authorizationError),
            }),
          );
        },
      );
      socket = tls;
      tls.once('error', onError);
    });
  }

  /** Sends one command; resolves with its reply, rejects with a {@link RedisReplyError} or {@link ConnectionError}. */
  command(args: readonly string[]): Promise<Reply> {
    if (this.#closedError) return Promise.reject(this.#closedError);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const error = new ConnectionError(`no reply to ${args[0] ?? ''} within ${this.#timeoutMs} ms`, 'ERR_CHECK_TIMEOUT');
        this.#fail(error);
        this.#socket.destroy();
      }, this.#timeoutMs);
      this.#waiting.push({
        resolve: (reply) => {
          clearTimeout(timer);
          resolve(reply);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.#socket.write(encodeCommand(args));
    });
  }

  /** Closes the connection. */
  close(): void {
    this.#socket.destroy();
  }
}

/**
 * Sends `PING` in plaintext and returns the first reply line (e.g. `+PONG`, `-NOAUTH …`), or undefined when
 * nothing RESP-like answers within `timeoutMs`. Tells a plaintext Redis port from a silent one.
 */
export function probePlaintext(host: string, port: number, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connectTcp({ host, port });
    let data = '';
    const done = (value: string | undefined): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(value);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk: Buffer) => {
      data += chunk.toString('latin1');
      const eol = data.indexOf('\r\n');
      if (eol !== -1) done(/^[+\-:$*]/.test(data) ? data.slice(0, eol) : undefined);
    });
    socket.on('error', () => done(undefined));
    socket.on('close', () => done(undefined));
  });
}
