/**
 * The public entry points of `redis-entraid/ioredis`.
 *
 * @module
 */
import { ReAuthenticationError } from '../errors.js';
import type { RedisCredentials } from '../provider/types.js';
import { Binding } from './binding.js';
import type { EntraIdBinding } from './binding.js';
import type { EmitterLike } from './client-shape.js';
import { addressOf, classifyClient } from './client-shape.js';
import type { CredentialsSource } from './credentials-source.js';
import type { EntraIdIoredisOptions } from './options.js';
import { resolveIoredisOptions } from './options.js';

/**
 * Binds an existing ioredis `Redis` or `Cluster` (or iovalkey) client to a credentials source: its options
 * are updated with the current token (so every reconnect, new cluster node and `duplicate()` uses it) and its
 * live connections are re-authenticated after every renewal. The binding ends by itself when the client ends
 * (`quit()` / `disconnect()`); `dispose()` ends it earlier.
 *
 * @param client - an ioredis `Redis` or `Cluster`; created with `lazyConnect: true` or with the source's
 *   current credentials, so its first handshake already carries the token.
 * @param source - the credentials provider (e.g. from `createFromManagedIdentity`).
 * @param options - jitter and readiness options; see {@link EntraIdIoredisOptions}.
 * @returns the binding handle.
 * @throws {@link UnsupportedClientError} for an object that is neither a Redis nor a Cluster.
 * @throws {@link StaticPasswordConflictError} when the client carries a static password of another user.
 */
export async function bindEntraId(
  client: object,
  source: CredentialsSource,
  options?: EntraIdIoredisOptions,
): Promise<EntraIdBinding> {
  const resolved = resolveIoredisOptions(options);
  classifyClient(client); // fail before subscribing
  const binding = new Binding(source, resolved);
  const [credentials, subscription] = await source.subscribe(binding.listener);
  binding.start(credentials, subscription);
  try {
    binding.add(client);
  } catch (error) {
    binding.dispose();
    throw error;
  }
  return binding;
}

/**
 * Creates an ioredis client with the current Entra ID credentials and keeps it authenticated.
 *
 * ```ts
 * const redis = await withEntraId(provider, (creds) => new Redis({ host, port: 10000, tls: {}, ...creds }));
 * const cluster = await withEntraId(provider, (creds) => new Cluster(nodes, { redisOptions: { tls: {}, ...creds } }));
 * ```
 *
 * @param source - the credentials provider.
 * @param factory - builds the client from `{ username, password }` of the current token.
 * @param options - see {@link EntraIdIoredisOptions}.
 * @returns the client, once it is ready (a `lazyConnect` client is connected first).
 * @throws {@link UnsupportedClientError}, {@link StaticPasswordConflictError}; rejects with
 *   {@link ReAuthenticationError} when the server refuses the token, or with ioredis's own error when the
 *   client ends (gives up reconnecting) or `readyTimeoutMs` passes before it is ready. On rejection the
 *   client is disconnected and unbound.
 */
export async function withEntraId<T extends object>(
  source: CredentialsSource,
  factory: (credentials: RedisCredentials) => T,
  options?: EntraIdIoredisOptions,
): Promise<T> {
  const resolved = resolveIoredisOptions(options);
  const binding = new Binding(source, resolved);
  const [credentials, subscription] = await source.subscribe(binding.listener);
  binding.start(credentials, subscription);
  let client: T;
  try {
    client = factory({ username: credentials.username, password: credentials.password });
    binding.add(client);
  } catch (error) {
    binding.dispose();
    throw error;
  }
  try {
    await waitUntilReady(client, resolved.readyTimeoutMs);
  } catch (error) {
    binding.dispose();
    (client as unknown as { disconnect(): void }).disconnect();
    throw error;
  }
  return client;
}

const AUTH_REPLY = /^(WRONGPASS|NOAUTH|NOPERM|ERR invalid password|ERR invalid username|ERR AUTH)/;

function waitUntilReady(value: object, timeoutMs: number): Promise<void> {
  const classified = classifyClient(value);
  const client = classified.client;
  if (client.status === 'ready') return Promise.resolve();
  const emitter: EmitterLike = client;
  return new Promise<void>((resolve, reject) => {
    let lastError: Error | undefined;
    let timer: NodeJS.Timeout | undefined;
    const cleanup = (): void => {
      if (timer !== undefined) clearTimeout(timer);
      emitter.removeListener('ready', onReady);
      emitter.removeListener('end', onEnd);
      emitter.removeListener('error', onError);
    };
    const fail = (error: Error): void => {
      cleanup();
      reject(error);
    };
    const onReady = (): void => {
      cleanup();
      resolve();
    };
    const onError = (error: Error): void => {
      lastError = error;
      if (error instanceof Error && AUTH_REPLY.test(error.message)) {
        const address = classified.kind === 'redis' ? addressOf(classified.client.options) : undefined;
        const copy = new Error(error.message);
        copy.name = error.name;
        fail(
          new ReAuthenticationError(
            `redis-entraid/ioredis: the server${address ? ` at ${address}` : ''} refused the Entra ID token ` +
              `(${error.message.split('\n')[0] ?? ''}); check that the principal has a Redis access policy ` +
              `assignment and that the username is its object id`,
            { cause: copy, ...(address === undefined ? {} : { address }) },
          ),
        );
      }
    };
    const onEnd = (): void => {
      fail(lastError ?? new Error('redis-entraid/ioredis: the client ended before it became ready'));
    };
    emitter.on('ready', onReady);
    emitter.once('end', onEnd);
    emitter.on('error', onError);
    if (timeoutMs > 0) {
      timer = setTimeout(() => {
        fail(
          new Error(
            `redis-entraid/ioredis: the client was not ready within ${timeoutMs} ms (readyTimeoutMs)` +
              (lastError ? `; last error: ${lastError.message}` : ''),
            lastError ? { cause: lastError } : undefined,
          ),
        );
      }, timeoutMs);
      timer.unref();
    }
    if (client.status === 'wait') {
      client.connect().catch((error: unknown) => {
        if (error instanceof Error) lastError ??= error;
      });
    }
  });
}
