/**
 * Keeps one ioredis connection (a standalone client, a cluster node or a cluster subscriber) authenticated
 * with the current token: updates its options so every reconnect uses the fresh token, re-AUTHs it in place
 * after each renewal, defers an AUTH that would land inside a `MULTI` until `EXEC`/`DISCARD`, and
 * reconnects connections that cannot take `AUTH` (RESP2 subscribe mode, `MONITOR`).
 *
 * @module
 */
import { debuglog } from 'node:util';
import { ReAuthenticationError } from '../errors.js';
import type { ReAuthenticationSkippedEvent, RedisCredentials } from '../provider/types.js';
import type { CommandLike, RedisLike } from './client-shape.js';
import { addressOf } from './client-shape.js';
import { passwordUsedAtConnect } from './internals.js';
import type { ResolvedIoredisOptions } from './options.js';

const debug = debuglog('redis-entraid:ioredis');

/** What a connection binding needs from the binding that owns it. */
export interface ConnectionOwner {
  readonly options: ResolvedIoredisOptions;
  /** The latest credentials. */
  current(): RedisCredentials;
  reportSkipped(event: ReAuthenticationSkippedEvent): void;
  reportFailure(error: ReAuthenticationError, address: string): void;
  /** Called once when the connection ended for good (status `end`). */
  connectionEnded(binding: ConnectionBinding): void;
}

type SendCommand = RedisLike['sendCommand'];

/** Copies a server reply error without ioredis's `command.args` (which would hold the token). */
function redactedCause(error: unknown): Error {
  if (!(error instanceof Error)) return new Error(String(error));
  const copy = new Error(error.message);
  copy.name = error.name;
  return copy;
}

/** Binds one ioredis connection to the owner's credentials. */
export class ConnectionBinding {
  readonly redis: RedisLike;
  readonly #owner: ConnectionOwner;
  #inTransaction = false;
  #authDeferred = false;
  #authedPassword: string | undefined;
  #timer: NodeJS.Timeout | undefined;
  #disposed = false;
  readonly #wrapper: SendCommand;
  readonly #hadOwnSendCommand: boolean;
  readonly #originalSendCommand: SendCommand;
  readonly #onReady = (): void => this.#handleReady();
  readonly #onClose = (): void => {
    this.#inTransaction = false;
    this.#authDeferred = false;
  };
  readonly #onEnd = (): void => {
    this.dispose();
    this.#owner.connectionEnded(this);
  };

  constructor(redis: RedisLike, owner: ConnectionOwner) {
    this.redis = redis;
    this.#owner = owner;
    this.#hadOwnSendCommand = Object.prototype.hasOwnProperty.call(redis, 'sendCommand');
    this.#originalSendCommand = redis.sendCommand;
    const original = this.#originalSendCommand;
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const binding = this;
    // Every command, pipelined or not, passes through sendCommand: the one place to see MULTI/EXEC/DISCARD.
    this.#wrapper = function (this: RedisLike, command: CommandLike, ...rest: unknown[]): unknown {
      const result = original.call(this, command, ...rest);
      binding.#observe(command);
      return result;
    };
    redis.sendCommand = this.#wrapper;
    redis.on('ready', this.#onReady);
    redis.on('close', this.#onClose);
    redis.once('end', this.#onEnd);
    this.applyCredentials(owner.current());
    if (redis.status === 'ready') this.#handleReady();
  }

  /** `host:port` of the connection. */
  get address(): string {
    return addressOf(this.redis.options);
  }

  /** Writes the credentials into the connection's options, which ioredis reads on every (re)connect. */
  applyCredentials(credentials: RedisCredentials): void {
    this.redis.options.username = credentials.username;
    this.redis.options.password = credentials.password;
  }

  /** After a renewal: update the options now, re-authenticate the live connection after a random jitter. */
  renew(credentials: RedisCredentials): void {
    if (this.#disposed) return;
    this.applyCredentials(credentials);
    this.#schedule();
  }

  #schedule(): void {
    if (this.#timer !== undefined) return; // a pending re-AUTH will read the newest token when it fires
    const { reAuthJitterMs, random } = this.#owner.options;
    const delayMs = reAuthJitterMs === 0 ? 0 : Math.floor(random() * reAuthJitterMs);
    if (delayMs === 0) {
      this.#reAuthenticate();
      return;
    }
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#reAuthenticate();
    }, delayMs);
    this.#timer.unref();
  }

  #handleReady(): void {
    this.#inTransaction = false;
    this.#authDeferred = false;
    this.#authedPassword = passwordUsedAtConnect(this.redis) ?? this.redis.options.password;
    // A handshake that started before a renewal used the previous token: bring it up to date.
    if (this.#authedPassword !== this.#owner.current().password) this.#schedule();
  }

  #observe(command: CommandLike): void {
    if (this.#disposed) return;
    const name = command.name.toLowerCase();
    if (name === 'multi') {
      this.#inTransaction = true;
    } else if (name === 'exec' || name === 'discard') {
      this.#inTransaction = false;
      if (this.#authDeferred) {
        this.#authDeferred = false;
        // Written right after EXEC/DISCARD on the same connection, so it runs outside the transaction.
        this.#reAuthenticate();
      }
    }
  }

  #reAuthenticate(): void {
    if (this.#disposed || this.redis.status !== 'ready') return; // a reconnect reads the fresh options
    const credentials = this.#owner.current();
    this.applyCredentials(credentials);
    if (this.#authedPassword === credentials.password) return;
    const mode = this.redis.mode;
    if (mode === 'subscriber' || mode === 'monitor') {
      this.#owner.reportSkipped({
        address: this.address,
        reason: mode === 'subscriber' ? 'resp2-subscriber' : 'monitor',
        action: 'reconnect-before-expiry',
      });
      debug('reconnecting %s (%s mode cannot AUTH) with the renewed token', this.address, mode);
      this.#authedPassword = credentials.password;
      this.redis.disconnect(true);
      return;
    }
    if (this.#inTransaction) {
      debug('deferring AUTH on %s until the open transaction ends', this.address);
      this.#authDeferred = true;
      return;
    }
    this.#authedPassword = credentials.password;
    this.redis.auth(credentials.username, credentials.password).then(
      () => debug('re-authenticated %s', this.address),
      (error: unknown) => this.#authFailed(error),
    );
  }

  #authFailed(error: unknown): void {
    if (this.#disposed) return;
    // Only a reply from the server is a rejection; a closed connection re-authenticates on reconnect.
    if (!(error instanceof Error) || error.name !== 'ReplyError') {
      debug('AUTH on %s did not complete: %s', this.address, error instanceof Error ? error.message : error);
      return;
    }
    const address = this.address;
    const failure = new ReAuthenticationError(
      `redis-entraid/ioredis: the server at ${address} rejected AUTH with the renewed token ` +
        `(${error.message.split('\n')[0] ?? ''}); reconnecting with the current token`,
      { cause: redactedCause(error), address },
    );
    this.#owner.reportFailure(failure, address);
    this.#authedPassword = undefined;
    this.redis.disconnect(true);
  }

  /** Stops tracking the connection and restores its `sendCommand`. Idempotent. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.redis.removeListener('ready', this.#onReady);
    this.redis.removeListener('close', this.#onClose);
    this.redis.removeListener('end', this.#onEnd);
    if (this.redis.sendCommand === this.#wrapper) {
      if (this.#hadOwnSendCommand) this.redis.sendCommand = this.#originalSendCommand;
      else delete (this.redis as Partial<RedisLike>).sendCommand;
    }
  }
}
