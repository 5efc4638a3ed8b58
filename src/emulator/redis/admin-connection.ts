import { connect as netConnect, type Socket } from 'node:net';
import { encodeCommand } from './resp-encode.js';
import { RespErrorReply, RespReplyDecoder, type RespValue } from './resp-reply.js';

/** Where and as whom an {@link AdminConnection} connects. */
export interface AdminConnectionOptions {
  /** Server host. */
  readonly host: string;
  /** Server plain-TCP port. */
  readonly port: number;
  /** ACL user to `AUTH` as; omit to stay unauthenticated. */
  readonly username?: string;
  /** Its password. Secret: never logged. */
  readonly password?: string;
  /** How long to wait for the TCP connection, in ms. Default 5000. */
  readonly connectTimeoutMs?: number;
}

/** A command failed with an error reply from the server. */
export class RedisReplyError extends Error {
  readonly code = 'ERR_REDIS_REPLY' as const;
  /** The error reply, e.g. `NOAUTH Authentication required.` */
  readonly reply: string;

  constructor(command: string, reply: string) {
    super(`redis-server answered ${command} with: ${reply}`);
    this.reply = reply;
  }
}

interface Waiter {
  readonly command: string;
  resolve(value: RespValue): void;
  reject(error: Error): void;
}

/**
 * A tiny RESP2 connection for administrative commands (ACL SETUSER, CLUSTER ...). Commands are pipelined
 * and answered in order. Not a general-purpose client: no reconnects, no pub/sub.
 */
export class AdminConnection {
  readonly #socket: Socket;
  readonly #decoder = new RespReplyDecoder();
  readonly #waiters: Waiter[] = [];
  #closedError: Error | undefined;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('data', (chunk: Buffer) => {
      let values: RespValue[];
      try {
        values = this.#decoder.push(chunk);
      } catch (error) {
        this.#fail(error instanceof Error ? error : new Error(String(error)));
        socket.destroy();
        return;
      }
      for (const value of values) {
        const waiter = this.#waiters.shift();
        if (this.#waiters.length === 0) socket.unref();
        if (!waiter) continue;
        if (value instanceof RespErrorReply) waiter.reject(new RedisReplyError(waiter.command, value.message));
        else waiter.resolve(value);
      }
    });
    socket.on('error', (error) => this.#fail(error));
    socket.on('close', () => this.#fail(new Error('the admin connection to redis-server closed')));
  }

  /** Opens a connection and authenticates it when a username is given. */
  static async open(options: AdminConnectionOptions): Promise<AdminConnection> {
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = netConnect({ host: options.host, port: options.port });
      const timer = setTimeout(() => {
        s.destroy();
        reject(new Error(`connecting to redis-server at ${options.host}:${options.port} timed out`));
      }, options.connectTimeoutMs ?? 5000);
      timer.unref();
      s.once('connect', () => {
        clearTimeout(timer);
        s.removeListener('error', reject);
        resolve(s);
      });
      s.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
    socket.setNoDelay(true);
    socket.unref();
    const connection = new AdminConnection(socket);
    if (options.username !== undefined) {
      try {
        await connection.command(['AUTH', options.username, options.password ?? '']);
      } catch (error) {
        connection.close();
        throw error;
      }
    }
    return connection;
  }

  /** True until the connection closes or fails. */
  get usable(): boolean {
    return this.#closedError === undefined;
  }

  /**
   * Sends one command and resolves with its reply.
   *
   * @throws RedisReplyError on an error reply; Error when the connection is gone.
   */
  command(args: readonly (string | Buffer)[]): Promise<RespValue> {
    const name = String(args[0] ?? '').toUpperCase();
    if (this.#closedError) return Promise.reject(this.#closedError);
    return new Promise<RespValue>((resolve, reject) => {
      this.#waiters.push({ command: name, resolve, reject });
      // Referenced only while a reply is awaited: an idle admin connection never keeps the process alive.
      this.#socket.ref();
      this.#socket.write(encodeCommand(args));
    });
  }

  /** Sends a command and returns its reply as text (bulk or simple string). */
  async text(args: readonly (string | Buffer)[]): Promise<string> {
    const value = await this.command(args);
    return Buffer.isBuffer(value) ? value.toString('utf8') : String(value);
  }

  /** Closes the connection; pending commands fail. Idempotent. */
  close(): void {
    this.#fail(new Error('the admin connection was closed'));
    this.#socket.destroy();
  }

  #fail(error: Error): void {
    this.#closedError ??= error;
    for (const waiter of this.#waiters.splice(0)) waiter.reject(error);
  }
}
