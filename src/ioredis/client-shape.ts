/**
 * The parts of ioredis (and iovalkey) objects the adapter uses, as structural types. The adapter never
 * imports ioredis at run time: it works on the objects the caller hands in.
 *
 * @module
 */
import { UnsupportedClientError } from '../errors.js';

/** An event emitter, as far as the adapter uses one. */
export interface EmitterLike {
  on(event: string, listener: (...args: never[]) => void): unknown;
  once(event: string, listener: (...args: never[]) => void): unknown;
  removeListener(event: string, listener: (...args: never[]) => void): unknown;
}

/** The options of one connection that the adapter reads or updates. */
export interface ConnectionOptionsLike {
  host?: string;
  port?: number;
  path?: string;
  username?: string;
  password?: string;
}

/** One command as ioredis passes it to `sendCommand`. */
export interface CommandLike {
  readonly name: string;
}

/** A standalone ioredis `Redis` connection (also a cluster node or cluster subscriber). */
export interface RedisLike extends EmitterLike {
  readonly isCluster?: boolean;
  options: ConnectionOptionsLike;
  readonly status: string;
  /** `'normal'`, `'subscriber'` (RESP2 subscribe mode, where AUTH is refused) or `'monitor'`. */
  readonly mode?: string;
  auth(username: string, password: string): Promise<unknown>;
  connect(): Promise<void>;
  disconnect(reconnect?: boolean): void;
  duplicate(...args: unknown[]): unknown;
  sendCommand(command: CommandLike, ...rest: unknown[]): unknown;
}

/** An ioredis `Cluster`. */
export interface ClusterLike extends EmitterLike {
  readonly isCluster: true;
  options: { redisOptions?: ConnectionOptionsLike };
  readonly status: string;
  nodes(role?: string): RedisLike[];
  connect(): Promise<void>;
  disconnect(reconnect?: boolean): void;
  duplicate(...args: unknown[]): unknown;
}

/** Either kind of client. */
export type IoredisClient = { kind: 'redis'; client: RedisLike } | { kind: 'cluster'; client: ClusterLike };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function hasMethods(value: Record<string, unknown>, names: readonly string[]): boolean {
  return names.every((name) => typeof value[name] === 'function');
}

/** True when `value` looks like an ioredis `Redis` instance. */
export function isRedisLike(value: unknown): value is RedisLike {
  return (
    isObject(value) &&
    value['isCluster'] !== true &&
    isObject(value['options']) &&
    typeof value['status'] === 'string' &&
    hasMethods(value, ['on', 'once', 'removeListener', 'auth', 'connect', 'disconnect', 'duplicate', 'sendCommand'])
  );
}

/** True when `value` looks like an ioredis `Cluster` instance. */
export function isClusterLike(value: unknown): value is ClusterLike {
  return (
    isObject(value) &&
    value['isCluster'] === true &&
    isObject(value['options']) &&
    typeof value['status'] === 'string' &&
    hasMethods(value, ['on', 'once', 'removeListener', 'nodes', 'connect', 'disconnect', 'duplicate'])
  );
}

/** Classifies a client, or throws {@link UnsupportedClientError}. */
export function classifyClient(value: unknown): IoredisClient {
  if (isClusterLike(value)) return { kind: 'cluster', client: value };
  if (isRedisLike(value)) return { kind: 'redis', client: value };
  const what = value === null ? 'null' : isObject(value) ? (value.constructor?.name ?? 'object') : typeof value;
  throw new UnsupportedClientError(
    `redis-entraid/ioredis: expected an ioredis (or iovalkey) Redis or Cluster instance, got ${what}; ` +
      'pass the object returned by `new Redis(...)` or `new Cluster(...)`',
  );
}

/** `host:port` (or the socket path) of a connection, for events and errors. */
export function addressOf(options: ConnectionOptionsLike): string {
  if (options.path) return options.path;
  return `${options.host ?? 'localhost'}:${options.port ?? 6379}`;
}
