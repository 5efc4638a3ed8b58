/**
 * A binding: one credentials subscription shared by a client and every `duplicate()` made from it. Each
 * renewal updates and re-authenticates every connection of every member; the subscription is released when
 * the binding is disposed or the last member has ended.
 *
 * @module
 */
import { debuglog } from 'node:util';
import type { ReAuthenticationError } from '../errors.js';
import type {
  CredentialsListener,
  CredentialsSubscription,
  ReAuthenticationSkippedEvent,
  RedisCredentials,
} from '../provider/types.js';
import type { IoredisClient, RedisLike } from './client-shape.js';
import { classifyClient } from './client-shape.js';
import { ClusterMember } from './cluster-member.js';
import type { ClusterOwner } from './cluster-member.js';
import { ConnectionBinding } from './connection-binding.js';
import type { CredentialsSource } from './credentials-source.js';
import type { ResolvedIoredisOptions } from './options.js';
import { checkStaticPassword } from './static-password.js';

const debug = debuglog('redis-entraid:ioredis');

/** Handle returned by {@link bindEntraId}. */
export interface EntraIdBinding {
  /** Stops renewing: releases the subscription, every listener and timer. The client stays connected. Idempotent. */
  dispose(): void;
  /** Same as {@link EntraIdBinding.dispose}. */
  [Symbol.dispose](): void;
  /** True once disposed, or once every bound client has ended. */
  readonly disposed: boolean;
  /** Number of clients bound (the original and its live `duplicate()`s). */
  readonly clientCount: number;
}

interface Member {
  readonly client: object;
  renew(credentials: RedisCredentials): void;
  dispose(): void;
}

/** The binding implementation. Created by {@link bindEntraId} and {@link withEntraId}. */
export class Binding implements EntraIdBinding, ClusterOwner {
  readonly options: ResolvedIoredisOptions;
  readonly #source: CredentialsSource;
  readonly #members = new Map<object, { member: Member; restore: () => void }>();
  #credentials: RedisCredentials | undefined;
  #subscription: CredentialsSubscription | undefined;
  #disposed = false;

  constructor(source: CredentialsSource, options: ResolvedIoredisOptions) {
    this.#source = source;
    this.options = options;
  }

  /** The listener to hand to `source.subscribe`. */
  readonly listener: CredentialsListener = {
    onNext: (credentials) => this.#renew(credentials),
    onError: (error) => {
      debug('credentials source stopped (%s); connections keep their last token', error.message);
    },
  };

  /** Records the subscription and first credentials (from `source.subscribe`). */
  start(credentials: RedisCredentials, subscription: CredentialsSubscription): void {
    this.#subscription = subscription;
    if (this.#disposed) {
      subscription.dispose();
      return;
    }
    this.#credentials ??= credentials;
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  get clientCount(): number {
    return this.#members.size;
  }

  current(): RedisCredentials {
    if (this.#credentials === undefined) return this.#source.getCredentials();
    return this.#credentials;
  }

  reportSkipped(event: ReAuthenticationSkippedEvent): void {
    this.#source.reportReAuthenticationSkipped?.(event);
  }

  reportFailure(error: ReAuthenticationError, address: string): void {
    this.#source.reportReAuthenticationFailure?.(error, address);
  }

  connectionEnded(): void {
    // A standalone member's only connection ended: handled through clientEnded.
  }

  clientEnded(client: object): void {
    const entry = this.#members.get(client);
    if (entry === undefined) return;
    this.#members.delete(client);
    entry.member.dispose();
    entry.restore();
    if (this.#members.size === 0) this.dispose();
  }

  /** Binds a client (or a duplicate of a bound client). Throws for unsupported objects and static passwords. */
  add(value: unknown): void {
    const classified: IoredisClient = classifyClient(value);
    if (this.#disposed || this.#members.has(classified.client)) return;
    checkStaticPassword(classified, this.current());
    const member: Member =
      classified.kind === 'cluster'
        ? new ClusterMember(classified.client, this)
        : this.#standalone(classified.client);
    const client = classified.client;
    const originalDuplicate = client.duplicate;
    const hadOwn = Object.prototype.hasOwnProperty.call(client, 'duplicate');
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const binding = this;
    const duplicate = function (this: unknown, ...args: unknown[]): unknown {
      const copy = originalDuplicate.apply(this, args);
      // The copy inherits the (current) credentials from the options; bind it so it stays current.
      binding.add(copy);
      return copy;
    };
    client.duplicate = duplicate;
    const restore = (): void => {
      if (client.duplicate !== duplicate) return;
      if (hadOwn) client.duplicate = originalDuplicate;
      else delete (client as { duplicate?: unknown }).duplicate;
    };
    this.#members.set(client, { member, restore });
  }

  #standalone(redis: RedisLike): Member {
    const connection = new ConnectionBinding(redis, {
      options: this.options,
      current: () => this.current(),
      reportSkipped: (event) => this.reportSkipped(event),
      reportFailure: (error, address) => this.reportFailure(error, address),
      connectionEnded: () => this.clientEnded(redis),
    });
    return {
      client: redis,
      renew: (credentials) => connection.renew(credentials),
      dispose: () => connection.dispose(),
    };
  }

  #renew(credentials: RedisCredentials): void {
    if (this.#disposed) return;
    this.#credentials = credentials;
    for (const { member } of [...this.#members.values()]) member.renew(credentials);
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    for (const { member, restore } of this.#members.values()) {
      member.dispose();
      restore();
    }
    this.#members.clear();
    this.#subscription?.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}
