/**
 * `watchNodeRedisPool`: {@link watchNodeRedisClient} for every member of a node-redis client pool
 * (`createClientPool`), which keeps its clients private.
 *
 * A pool hands a member to every task it runs (`execute`, which its commands, `multi()` and `sendCommand` go
 * through). The watch wraps that method on the pool object, so each member is watched the first time it runs a
 * task; before each renewal is delivered it also runs an empty task on every idle member, so members that sat
 * idle are watched too. Each member then gets what a watched standalone client gets: one `AUTH` per renewal
 * however often it reconnected (node-redis before 5.12), and a reconnect with the current token when the server refused
 * its re-`AUTH`.
 *
 * @module
 */
import type { EntraIdCredentialsProvider } from '../entra-id-credentials-provider.js';
import { ConfigurationError } from '../../errors.js';
import { MemberWatches, type NodeRedisGroupWatch } from './member-watches.js';
import type { WatchableNodeRedisClient } from './watch-client.js';

/** The parts of a node-redis client pool (v5 or v6) the watch uses. */
export interface WatchableNodeRedisPool {
  /** node-redis: number of idle members. */
  readonly idleClients: number;
  /** node-redis: the pool is open. */
  readonly isOpen: boolean;
  /** node-redis: the pool is closing. */
  readonly isClosing: boolean;
  /** node-redis: runs `fn` with a member. */
  execute(fn: (client: WatchableNodeRedisClient) => unknown): Promise<unknown>;
}

type Execute = WatchableNodeRedisPool['execute'];

/**
 * Watches every member of a node-redis client pool that uses `provider` (see the module comment). Call it
 * before or after `pool.connect()`.
 *
 * @param pool - a node-redis v5 or v6 pool (`createClientPool(...)`).
 * @param provider - the provider the pool's clients authenticate with.
 * @returns a handle whose `dispose()` stops watching (call it after closing the pool: watching the close releases
 *   what node-redis before 5.12 leaves subscribed).
 * @throws {@link ConfigurationError} (`pool`) when `pool` is not a node-redis pool.
 */
export function watchNodeRedisPool(pool: WatchableNodeRedisPool, provider: EntraIdCredentialsProvider): NodeRedisGroupWatch {
  if (typeof pool !== 'object' || pool === null || typeof pool.execute !== 'function' || typeof pool.idleClients !== 'number') {
    throw new ConfigurationError('pool', 'must be a node-redis client pool (createClientPool)');
  }
  const members = new MemberWatches(provider);
  const target = pool as { execute: Execute };
  const hadOwnExecute = Object.prototype.hasOwnProperty.call(target, 'execute');
  const original = target.execute;
  const seeing = (fn: (client: WatchableNodeRedisClient) => unknown) => (client: WatchableNodeRedisClient) => {
    members.add(client);
    return fn(client);
  };
  const execute: Execute = function (this: unknown, fn) {
    return original.call(this, typeof fn === 'function' ? seeing(fn) : fn);
  };
  target.execute = execute;

  // Runs an empty task on each idle member (synchronously: a pool hands idle members out at once).
  const sweepIdle = (): void => {
    if (!pool.isOpen || pool.isClosing) return;
    for (let i = pool.idleClients; i > 0; i--) {
      original.call(pool, (client: WatchableNodeRedisClient) => members.add(client)).catch(() => undefined);
    }
  };
  provider.on('tokenRenewed', sweepIdle);
  sweepIdle();

  return members.handle(() => {
    provider.off('tokenRenewed', sweepIdle);
    if (target.execute === execute) {
      if (hadOwnExecute) target.execute = original;
      else delete (target as Partial<typeof target>).execute;
    }
  });
}
