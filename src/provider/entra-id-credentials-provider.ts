import { inspect } from 'node:util';
import { ConfigurationError, NoTokenError, ProviderClosedError, ReAuthenticationError, TokenInvalidError } from '../errors.js';
import type { IdentityProvider } from '../identity/identity-provider.js';
import { systemClock, type Clock } from '../manager/clock.js';
import { resolveTokenManagerConfig, type ResolvedTokenManagerConfig } from '../manager/config.js';
import { scrubSecrets } from '../manager/retry.js';
import { TokenManager } from '../manager/token-manager.js';
import type { AccessToken, TokenInfo } from '../token/access-token.js';
import {
  debug,
  publishReAuthenticationFailed,
  publishReAuthenticationSkipped,
  publishRenewalFailed,
  publishTokenRenewed,
} from './diagnostics.js';
import { DEFAULT_REAUTHENTICATION_JITTER_MS, type CredentialsMapper, type EntraIdProviderOptions } from './options.js';
import { takeRefusedAddress } from './node-redis/client-hook.js';
import { NodeRedisListenerAttribution } from './node-redis/listener-attribution.js';
import { TypedEvents } from './typed-events.js';
import type {
  CredentialsListener,
  CredentialsProviderEvents,
  CredentialsSubscription,
  ReAuthenticationSkippedEvent,
  RedisCredentials,
} from './types.js';

interface Subscriber {
  readonly listener: CredentialsListener;
  lastPassword: string | undefined;
  active: boolean;
  /** node-redis client id (see `node-redis/listener-attribution.ts`), when known. */
  clientId: string | undefined;
  readonly order: number;
  /** The tag came from a `watchNodeRedisClient` announcement: older listeners of the client are stale. */
  readonly supersedes: boolean;
  /** The watched node-redis client this listener belongs to (see `node-redis/client-hook.ts`), once known. */
  hookTag: string | undefined;
  /** Ends the subscription from our side (a superseded node-redis listener). */
  dispose(): void;
}

/** Default mapping: username = `oid`, password = the token. */
export const defaultCredentialsMapper: CredentialsMapper = (token) => {
  if (token.oid === undefined || token.oid === '') {
    throw new TokenInvalidError(
      'the token has no "oid" claim, which is the Redis username; pass credentialsMapper to choose another',
      { claim: 'oid' },
    );
  }
  return { username: token.oid, password: token.value() };
};

/** A re-authentication delay is at most this fraction of the time the previous token has left. */
const MAX_JITTER_FRACTION_OF_REMAINING_LIFE = 0.1;

function messageOf(error: unknown): string {
  return scrubSecrets(error instanceof Error ? error.message : String(error));
}

/**
 * Entra ID credentials for Redis clients. Implements node-redis's streaming credentials provider structurally
 * (`createClient({ credentialsProvider })`, `createCluster({ defaults: { credentialsProvider } })`), and serves
 * the ioredis adapter. Many subscribers share one token manager: it starts with the first subscriber and stops
 * when the last one leaves or on {@link EntraIdCredentialsProvider.close}.
 *
 * Renewal failures never end the stream: they are reported as `renewalFailed` events while the manager keeps
 * trying; listeners' `onError` is called only when the provider is closed.
 */
export class EntraIdCredentialsProvider implements AsyncDisposable {
  /** node-redis's discriminator for streaming providers. */
  readonly type = 'streaming-credentials-provider' as const;
  readonly #identity: IdentityProvider;
  readonly #manager: TokenManager;
  readonly #mapper: CredentialsMapper;
  readonly #config: ResolvedTokenManagerConfig;
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #reAuthenticationJitterMs: number;
  /** The token of the previous renewal (whose remaining life bounds the jitter of the next one). */
  #lastToken: AccessToken | undefined;
  readonly #subscribers = new Set<Subscriber>();
  readonly #credentials = new WeakMap<AccessToken, RedisCredentials>();
  readonly #events: TypedEvents<CredentialsProviderEvents>;
  readonly #attribution: NodeRedisListenerAttribution<Subscriber>;
  #closing: Promise<void> | undefined;

  /**
   * Prefer the factories (`createFromIdentityProvider`, `createFromServicePrincipal`, …).
   *
   * @param identity - the token source.
   * @param options - token manager config, credentials mapper, clock and jitter source.
   * @throws {@link ConfigurationError} for an invalid option.
   */
  constructor(identity: IdentityProvider, options: EntraIdProviderOptions = {}) {
    if (typeof identity !== 'object' || identity === null || typeof identity.requestToken !== 'function') {
      throw new ConfigurationError('identityProvider', 'must be an object with a requestToken(request) method');
    }
    if (typeof options !== 'object' || options === null) {
      throw new ConfigurationError('options', 'must be an object');
    }
    if (options.credentialsMapper !== undefined && typeof options.credentialsMapper !== 'function') {
      throw new ConfigurationError('credentialsMapper', 'must be a function (token) => { username, password }');
    }
    if (options.random !== undefined && typeof options.random !== 'function') {
      throw new ConfigurationError('random', 'must be a function returning a number in [0, 1)');
    }
    if (options.clock !== undefined && (typeof options.clock?.now !== 'function' || typeof options.clock.setTimeout !== 'function')) {
      throw new ConfigurationError('clock', 'must have now() and setTimeout(callback, delayMs) methods');
    }
    const jitterMs = options.reAuthenticationJitterMs;
    if (jitterMs !== undefined && (typeof jitterMs !== 'number' || !Number.isFinite(jitterMs) || jitterMs < 0)) {
      const got = typeof jitterMs === 'number' ? String(jitterMs) : jitterMs === null ? 'null' : typeof jitterMs;
      throw new ConfigurationError('reAuthenticationJitterMs', `must be a finite number >= 0 (milliseconds), got ${got}`);
    }
    this.#identity = identity;
    this.#clock = options.clock ?? systemClock;
    this.#random = options.random ?? Math.random;
    this.#reAuthenticationJitterMs = jitterMs ?? DEFAULT_REAUTHENTICATION_JITTER_MS;
    this.#config = resolveTokenManagerConfig(options.tokenManagerConfig, 'tokenManagerConfig');
    this.#mapper = options.credentialsMapper ?? defaultCredentialsMapper;
    this.#events = new TypedEvents((event, error) => {
      debug('%s: a listener of "%s" threw: %s', identity.name, String(event), messageOf(error));
    });
    this.#manager = new TokenManager(identity, this.#config, {
      ...(options.clock === undefined ? {} : { clock: options.clock }),
      ...(options.random === undefined ? {} : { random: options.random }),
      validate: (token) => {
        this.#credentialsFor(token);
      },
    });
    this.#attribution = new NodeRedisListenerAttribution<Subscriber>({
      deliver: (subscriber, again) => this.#deliver(subscriber, again),
      dispose: (subscriber) => subscriber.dispose(),
      reportFailure: (error, address) => this.reportReAuthenticationFailure(error, address),
      clock: this.#clock,
    });
    this.#manager.addListener({
      onToken: (token, sequence) => this.#onToken(token, sequence),
      onRenewalFailed: (event) => {
        publishRenewalFailed(this.#identity.name, event);
        this.#events.emit('renewalFailed', event);
      },
    });
  }

  /** Whether {@link EntraIdCredentialsProvider.close} was called. */
  get closed(): boolean {
    return this.#closing !== undefined;
  }

  /** The resolved token manager config (frozen). */
  get config(): ResolvedTokenManagerConfig {
    return this.#config;
  }

  /** Number of live subscriptions (connections, for node-redis). */
  get subscriberCount(): number {
    return this.#subscribers.size;
  }

  /**
   * node-redis entry point: resolves the current credentials and streams later ones to `listener.onNext`
   * (only when the token changed). Starts background renewal on the first subscription.
   *
   * @returns the initial credentials and a disposable ending the subscription (idempotent).
   * @throws {@link ProviderClosedError} after close; the first-token failure (a `TokenRequestError`).
   */
  async subscribe(listener: CredentialsListener): Promise<[RedisCredentials, CredentialsSubscription]> {
    this.#assertOpen();
    if (typeof listener !== 'object' || listener === null || typeof listener.onNext !== 'function') {
      throw new ConfigurationError('listener', 'must be an object with onNext(credentials) and onError(error)');
    }
    let disposed = false;
    const subscriber: Subscriber = {
      listener,
      lastPassword: undefined,
      active: false,
      hookTag: undefined,
      ...this.#attribution.tag(),
      dispose: () => {
        if (disposed) return;
        disposed = true;
        this.#remove(subscriber);
      },
    };
    this.#subscribers.add(subscriber);
    this.#attribution.supersedeOlder(subscriber, this.#subscribers);
    this.#attribution.start(() => this.#subscribers);
    this.#manager.start();
    let token: AccessToken;
    try {
      token = await this.#manager.getToken();
    } catch (error) {
      this.#remove(subscriber);
      throw error;
    }
    if (this.closed || !this.#subscribers.has(subscriber)) throw new ProviderClosedError();
    const latest = this.#manager.currentToken();
    if (latest !== undefined && latest.expiresAtMs >= token.expiresAtMs) token = latest;
    const credentials = this.#credentialsFor(token);
    subscriber.lastPassword = credentials.password;
    subscriber.active = true;
    return [credentials, { dispose: subscriber.dispose }];
  }

  /** node-redis calls this when a re-authentication failed; emits `reAuthenticationFailed`. Never throws. */
  onReAuthenticationError(error: unknown): void {
    // node-redis 6.3+: the failed AUTH was already reported, with its address, from node-redis's command trace.
    if (this.#attribution.consumeEcho()) return;
    // A watched client (also on node-redis before 5.12) saw the refusal just before node-redis reported it.
    this.reportReAuthenticationFailure(error, takeRefusedAddress());
  }

  /**
   * For adapters: a connection could not be re-authenticated. Emits `reAuthenticationFailed` with a
   * {@link ReAuthenticationError} wrapping `error`. Ignored after close. Never throws.
   */
  reportReAuthenticationFailure(error: unknown, address?: string): void {
    if (this.closed) return;
    const wrapped =
      error instanceof ReAuthenticationError && (address === undefined || error.address === address)
        ? error
        : new ReAuthenticationError(`re-authentication failed: ${messageOf(error)}`, {
            cause: error,
            ...(address === undefined ? {} : { address }),
          });
    publishReAuthenticationFailed(this.#identity.name, { error: wrapped });
    this.#events.emit('reAuthenticationFailed', { error: wrapped });
  }

  /** For adapters: a connection cannot take AUTH (e.g. RESP2 subscriber). Emits `reAuthenticationSkipped`. */
  reportReAuthenticationSkipped(event: ReAuthenticationSkippedEvent): void {
    if (this.closed) return;
    publishReAuthenticationSkipped(this.#identity.name, event);
    this.#events.emit('reAuthenticationSkipped', event);
  }

  /**
   * The credentials of the current token, synchronously.
   * @throws {@link NoTokenError} when there is no valid token yet (or it expired); {@link ProviderClosedError}.
   */
  getCredentials(): RedisCredentials {
    this.#assertOpen();
    const token = this.#manager.currentToken();
    if (token === undefined) {
      throw new NoTokenError('no token yet: await getCredentialsAsync() or subscribe() first');
    }
    if (token.remainingMs(this.#clock.now()) <= 0) {
      throw new NoTokenError(
        `the current token expired at ${new Date(token.expiresAtMs).toISOString()} and no new one could be obtained yet`,
      );
    }
    return this.#credentialsFor(token);
  }

  /** The credentials of a valid token, fetching one if needed (concurrent callers share one request). */
  async getCredentialsAsync(): Promise<RedisCredentials> {
    return this.#credentialsFor(await this.getAccessToken());
  }

  /** The token itself (explicit raw-token access: `token.value()` is the secret). */
  async getAccessToken(): Promise<AccessToken> {
    this.#assertOpen();
    return this.#manager.getToken();
  }

  /** Metadata of the current token (oid, expiry, …, never the token), or undefined if there is none. */
  getTokenInfo(): TokenInfo | undefined {
    return this.#closing === undefined ? this.#manager.currentToken()?.info() : undefined;
  }

  /** Adds an event listener. */
  on<K extends keyof CredentialsProviderEvents>(event: K, listener: (...args: CredentialsProviderEvents[K]) => void): this {
    this.#events.on(event, listener);
    return this;
  }

  /** Adds a listener called at most once. */
  once<K extends keyof CredentialsProviderEvents>(event: K, listener: (...args: CredentialsProviderEvents[K]) => void): this {
    this.#events.on(event, listener, true);
    return this;
  }

  /** Removes an event listener. */
  off<K extends keyof CredentialsProviderEvents>(event: K, listener: (...args: CredentialsProviderEvents[K]) => void): this {
    this.#events.off(event, listener);
    return this;
  }

  /**
   * Stops renewal, aborts a request in flight, tells every subscriber (`onError` with a
   * {@link ProviderClosedError}), closes the identity provider and emits `closed`. Idempotent: concurrent
   * and later callers share one promise.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  /** Same as {@link EntraIdCredentialsProvider.close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #close(): Promise<void> {
    this.#manager.close();
    this.#attribution.stop();
    const subscribers = [...this.#subscribers].filter((s) => s.active);
    this.#subscribers.clear();
    for (const subscriber of subscribers) {
      try {
        subscriber.listener.onError?.(new ProviderClosedError());
      } catch (error) {
        debug('%s: a listener threw in onError: %s', this.#identity.name, messageOf(error));
      }
    }
    try {
      await this.#identity.close?.();
    } catch (error) {
      debug('%s: closing the identity provider failed: %s', this.#identity.name, messageOf(error));
    }
    this.#events.emit('closed');
    this.#events.clear();
  }

  #assertOpen(): void {
    if (this.#closing !== undefined) throw new ProviderClosedError();
  }

  #remove(subscriber: Subscriber): void {
    if (!this.#subscribers.delete(subscriber)) return;
    if (this.#subscribers.size === 0 && !this.closed) {
      this.#manager.stop();
      this.#attribution.stop();
    }
  }

  #credentialsFor(token: AccessToken): RedisCredentials {
    const cached = this.#credentials.get(token);
    if (cached !== undefined) return cached;
    const mapped = this.#mapper(token);
    if (typeof mapped !== 'object' || mapped === null || typeof mapped.username !== 'string' || typeof mapped.password !== 'string') {
      throw new TokenInvalidError('credentialsMapper must return { username: string, password: string }');
    }
    const credentials = Object.freeze({ username: mapped.username, password: mapped.password });
    this.#credentials.set(token, credentials);
    return credentials;
  }

  #onToken(token: AccessToken, sequence: number): void {
    const event = { ...token.info(), sequence };
    publishTokenRenewed(this.#identity.name, event);
    this.#events.emit('tokenRenewed', event);
    const credentials = this.#credentialsFor(token);
    const boundMs = this.#jitterBoundMs(this.#lastToken);
    this.#lastToken = token;
    this.#attribution.deliverAll(
      [...this.#subscribers].filter((s) => s.active && s.lastPassword !== credentials.password),
      boundMs > 0 ? () => Math.floor(this.#random() * boundMs) : undefined,
    );
  }

  /** Largest re-authentication delay for a renewal replacing `previous`, in ms; 0 for the first token. */
  #jitterBoundMs(previous: AccessToken | undefined): number {
    if (previous === undefined || this.#reAuthenticationJitterMs === 0) return 0;
    const remainingMs = Math.max(0, previous.remainingMs(this.#clock.now()));
    return Math.min(this.#reAuthenticationJitterMs, remainingMs * MAX_JITTER_FRACTION_OF_REMAINING_LIFE);
  }

  /**
   * Hands the current credentials to one subscriber (called by the node-redis listener attribution, maybe
   * after a jitter delay). Skips a subscriber disposed meanwhile; always the newest token, never an older one,
   * never an expired one. `again`: also when the subscriber already has this token (retry of a refused AUTH).
   */
  #deliver(subscriber: Subscriber, again = false): void {
    const token = this.#manager.currentToken();
    if (token === undefined || !this.#subscribers.has(subscriber)) return;
    if (token.remainingMs(this.#clock.now()) <= 0) return;
    const credentials = this.#credentialsFor(token);
    if (subscriber.lastPassword === credentials.password && !again) return;
    subscriber.lastPassword = credentials.password;
    try {
      subscriber.listener.onNext(credentials);
    } catch (error) {
      this.reportReAuthenticationFailure(error);
    }
  }

  /** Metadata only. */
  toJSON(): { type: string; identity: string; subscribers: number; closed: boolean; token: TokenInfo | undefined } {
    return {
      type: this.type,
      identity: this.#identity.name,
      subscribers: this.#subscribers.size,
      closed: this.closed,
      token: this.getTokenInfo(),
    };
  }

  [inspect.custom](): string {
    const info = this.getTokenInfo();
    const token =
      info === undefined ? 'none' : `{ oid: ${inspect(info.oid)}, expiresAt: ${new Date(info.expiresAtMs).toISOString()} }`;
    return `EntraIdCredentialsProvider { identity: ${inspect(this.#identity.name)}, subscribers: ${this.#subscribers.size}, token: ${token}, closed: ${this.closed} }`;
  }
}
