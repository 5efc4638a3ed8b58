import { debuglog } from 'node:util';
import { ProviderClosedError, TokenRequestTimeoutError, TokenInvalidError, type TokenRequestError } from '../errors.js';
import type { IdentityProvider } from '../identity/identity-provider.js';
import { AccessToken } from '../token/access-token.js';
import type { RenewalFailedEvent } from '../provider/types.js';
import { systemClock, type Clock, type TimerHandle } from './clock.js';
import type { ResolvedTokenManagerConfig } from './config.js';
import { classifyTokenError, computeBackoffMs } from './retry.js';
import { computeFailedRoundDelayMs, computeRefreshAtMs, computeRefreshDelayMs } from './schedule.js';

const debug = debuglog('redis-entraid');

/** Receives what the token manager learns. Every callback is optional; exceptions thrown by it are ignored. */
export interface TokenManagerListener {
  /** A new token (different from the previous one) is in use. `sequence` is 1 for the first, then 2, 3, … */
  onToken?(token: AccessToken, sequence: number): void;
  /** One attempt failed. The manager keeps trying while it is started; see `nextAttemptInMs`. */
  onRenewalFailed?(event: RenewalFailedEvent): void;
}

/** Injectable dependencies of a {@link TokenManager}. */
export interface TokenManagerDeps {
  /** Time and timers; default {@link systemClock}. */
  readonly clock?: Clock;
  /** Jitter source returning numbers in [0, 1); default `Math.random`. */
  readonly random?: () => number;
  /**
   * Extra check of each new token (e.g. that it has an `oid`); throw a {@link TokenInvalidError} to reject it,
   * which counts as a failed attempt. Default: none.
   */
  readonly validate?: (token: AccessToken) => void;
}

/**
 * Keeps an access token fresh: fetches it on demand (one request in flight at a time), renews it in the
 * background while started, retries with backoff and never gives up while started.
 */
export class TokenManager {
  readonly #identity: IdentityProvider;
  readonly #config: ResolvedTokenManagerConfig;
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #validate: ((token: AccessToken) => void) | undefined;
  readonly #listeners = new Set<TokenManagerListener>();
  #current: AccessToken | undefined;
  #round: Promise<AccessToken> | undefined;
  #roundController: AbortController | undefined;
  #timer: TimerHandle | undefined;
  #running = false;
  #closed = false;
  #failedRounds = 0;
  #sequence = 0;

  /**
   * @param identity - where tokens come from.
   * @param config - a config from `resolveTokenManagerConfig`.
   * @param deps - clock, jitter source and token check, for tests and the provider.
   */
  constructor(identity: IdentityProvider, config: ResolvedTokenManagerConfig, deps: TokenManagerDeps = {}) {
    this.#identity = identity;
    this.#config = config;
    this.#clock = deps.clock ?? systemClock;
    this.#random = deps.random ?? Math.random;
    this.#validate = deps.validate;
  }

  /** Whether background renewal is running. */
  get running(): boolean {
    return this.#running;
  }

  /** Whether {@link TokenManager.close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** The token in use, if any (possibly expired while the platform is down). */
  currentToken(): AccessToken | undefined {
    return this.#current;
  }

  /** Adds a listener; returns a function that removes it. */
  addListener(listener: TokenManagerListener): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /**
   * Starts background renewal: schedules the next renewal of the current token, or fetches one now.
   * Idempotent. @throws {@link ProviderClosedError} after close.
   */
  start(): void {
    if (this.#closed) throw new ProviderClosedError('the token manager');
    if (this.#running) return;
    this.#running = true;
    debug('token manager started');
    if (this.#round !== undefined) return; // its completion schedules the next renewal
    const current = this.#current;
    const now = this.#clock.now();
    if (current !== undefined && current.expiresAtMs > now && now < computeRefreshAtMs(current, this.#config)) {
      this.#schedule(computeRefreshDelayMs(current, this.#config, now));
    } else {
      this.#startBackgroundRound();
    }
  }

  /** Stops background renewal. A request in flight completes (its waiters get their token). Idempotent. */
  stop(): void {
    if (!this.#running) return;
    this.#running = false;
    this.#timer?.cancel();
    this.#timer = undefined;
    debug('token manager stopped');
  }

  /**
   * Stops for good: cancels timers, aborts the request in flight (its waiters reject with
   * {@link ProviderClosedError}), forgets the token and the listeners. Idempotent.
   */
  close(): void {
    if (this.#closed) return;
    this.stop();
    this.#closed = true;
    this.#roundController?.abort(new ProviderClosedError('the token manager'));
    this.#current = undefined;
    this.#listeners.clear();
  }

  /**
   * The current token if it is valid (and, when background renewal is stopped, not yet due for renewal);
   * otherwise the result of the request in flight, or of a new one. Concurrent callers share one request.
   *
   * @throws {@link TokenRequestError} when the request round fails and no valid token is left;
   *   {@link ProviderClosedError} after close.
   */
  async getToken(): Promise<AccessToken> {
    if (this.#closed) throw new ProviderClosedError('the token manager');
    const current = this.#current;
    const now = this.#clock.now();
    if (current !== undefined && current.expiresAtMs > now) {
      if (this.#running || now < computeRefreshAtMs(current, this.#config)) return current;
    }
    try {
      return await this.#ensureRound(current !== undefined);
    } catch (error) {
      const fallback = this.#current;
      if (!this.#closed && fallback !== undefined && fallback.expiresAtMs > this.#clock.now()) return fallback;
      throw error;
    }
  }

  #startBackgroundRound(): void {
    this.#ensureRound(this.#current !== undefined).catch(() => {
      // reported through onRenewalFailed; the round schedules the next one
    });
  }

  #schedule(delayMs: number): void {
    this.#timer?.cancel();
    debug('next token renewal in %d ms', delayMs);
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      if (!this.#running || this.#round !== undefined) return;
      this.#startBackgroundRound();
    }, delayMs);
  }

  #ensureRound(forceRefresh: boolean): Promise<AccessToken> {
    if (this.#round !== undefined) return this.#round;
    const controller = new AbortController();
    this.#roundController = controller;
    const round = this.#runRound(forceRefresh, controller.signal).finally(() => {
      if (this.#round === round) {
        this.#round = undefined;
        this.#roundController = undefined;
      }
    });
    this.#round = round;
    return round;
  }

  async #runRound(forceRefresh: boolean, signal: AbortSignal): Promise<AccessToken> {
    const policy = this.#config.retryPolicy;
    for (let attempt = 1; ; attempt++) {
      let token: AccessToken;
      try {
        token = await this.#attempt(forceRefresh, signal);
      } catch (raw) {
        if (signal.aborted || this.#closed) throw new ProviderClosedError('the token manager');
        const error = classifyTokenError(raw, this.#clock.now());
        let delay = attempt < policy.maxAttempts && error.retryable ? computeBackoffMs(attempt, policy, this.#random) : undefined;
        if (delay !== undefined && error.retryAfterMs !== undefined) {
          // Never retry sooner than asked; a wait longer than the round allows moves to the round schedule.
          delay = error.retryAfterMs > policy.maxDelayInMs ? undefined : Math.max(delay, error.retryAfterMs);
        }
        if (delay === undefined) {
          this.#failedRounds++;
          const next = this.#running ? this.#failedRoundDelay(error.retryAfterMs) : undefined;
          this.#emitFailure(error, attempt, next);
          if (next !== undefined) this.#schedule(next);
          throw error;
        }
        this.#emitFailure(error, attempt, delay);
        await this.#sleep(delay, signal);
        if (signal.aborted || this.#closed) throw new ProviderClosedError('the token manager');
        continue;
      }
      return this.#accept(token, forceRefresh);
    }
  }

  #failedRoundDelay(retryAfterMs: number | undefined): number {
    return computeFailedRoundDelayMs(this.#failedRounds, this.#config, {
      expiresAtMs: this.#current?.expiresAtMs,
      nowMs: this.#clock.now(),
      retryAfterMs,
    });
  }

  #accept(token: AccessToken, forceRefresh: boolean): AccessToken {
    const current = this.#current;
    const now = this.#clock.now();
    if (current !== undefined && current.value() === token.value()) {
      // An opaque source (a cache) handed back the same token: nothing to deliver; try again later.
      if (forceRefresh) this.#failedRounds++;
      debug('the identity provider returned the token in use again');
      if (this.#running) {
        const due = computeRefreshAtMs(current, this.#config);
        this.#schedule(now < due ? due - now : this.#failedRoundDelay(undefined));
      }
      return current;
    }
    if (current !== undefined && token.expiresAtMs < current.expiresAtMs && current.expiresAtMs > now) {
      debug('dropped a token that expires before the one in use');
      if (this.#running) this.#schedule(computeRefreshDelayMs(current, this.#config, now));
      return current;
    }
    this.#current = token;
    this.#failedRounds = 0;
    this.#sequence++;
    if (this.#running) this.#schedule(computeRefreshDelayMs(token, this.#config, now));
    const sequence = this.#sequence;
    for (const listener of [...this.#listeners]) {
      try {
        listener.onToken?.(token, sequence);
      } catch {
        // a listener's failure is its own; the provider reports its subscribers' errors itself
      }
    }
    return token;
  }

  #emitFailure(error: TokenRequestError, attempt: number, nextAttemptInMs: number | undefined): void {
    const next = nextAttemptInMs === undefined ? 'not retried in this round' : `next in ${nextAttemptInMs} ms`;
    debug('token request attempt %d failed (%s); %s', attempt, error.message, next);
    const event: RenewalFailedEvent = {
      error,
      attempt,
      nextAttemptInMs,
      currentTokenExpiresAtMs: this.#current?.expiresAtMs,
    };
    for (const listener of [...this.#listeners]) {
      try {
        listener.onRenewalFailed?.(event);
      } catch {
        // ignored: see above
      }
    }
  }

  async #attempt(forceRefresh: boolean, roundSignal: AbortSignal): Promise<AccessToken> {
    const controller = new AbortController();
    const timeoutMs = this.#config.tokenRequestExecutionTimeoutInMs;
    const onRoundAbort = (): void => controller.abort(roundSignal.reason);
    roundSignal.addEventListener('abort', onRoundAbort, { once: true });
    const timer = this.#clock.setTimeout(() => controller.abort(new TokenRequestTimeoutError(timeoutMs)), timeoutMs);
    const aborted = new Promise<never>((_, reject) => {
      controller.signal.addEventListener('abort', () => reject(controller.signal.reason as Error), { once: true });
    });
    try {
      const request = Promise.resolve().then(() =>
        this.#identity.requestToken({ signal: controller.signal, forceRefresh }),
      );
      const result = await Promise.race([request, aborted]);
      if (typeof result !== 'object' || result === null || typeof result.token !== 'string') {
        throw new TokenInvalidError('the identity provider did not return a { token } object');
      }
      const token = AccessToken.parse(result.token, this.#clock.now(), { refreshAfterMs: result.refreshAfterMs });
      this.#validate?.(token);
      return token;
    } finally {
      timer.cancel();
      roundSignal.removeEventListener('abort', onRoundAbort);
    }
  }

  #sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = (): void => {
        timer.cancel();
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = this.#clock.setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
    });
  }
}
