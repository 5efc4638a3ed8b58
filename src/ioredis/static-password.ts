import { StaticPasswordConflictError } from '../errors.js';
import type { RedisCredentials } from '../provider/types.js';
import type { ConnectionOptionsLike, IoredisClient } from './client-shape.js';

/**
 * Throws {@link StaticPasswordConflictError} when a client carries a password that is not an Entra ID token
 * of this principal: a password set together with a different (or no) username. A password equal to the
 * current token, or any password under the principal's own username (an earlier token), is accepted.
 */
export function checkStaticPassword(classified: IoredisClient, credentials: RedisCredentials): void {
  const options: ConnectionOptionsLike | undefined =
    classified.kind === 'cluster' ? classified.client.options.redisOptions : classified.client.options;
  const field = classified.kind === 'cluster' ? 'redisOptions.password' : 'password';
  const password = options?.password;
  if (password === undefined || password === null || password === '') return;
  if (password === credentials.password || options?.username === credentials.username) return;
  throw new StaticPasswordConflictError(
    `redis-entraid/ioredis: the client was configured with a static "${field}"` +
      (options?.username ? ` for user "${options.username}"` : '') +
      `; remove it (and "username"): the Entra ID token is the password and the principal's object id the username`,
  );
}
