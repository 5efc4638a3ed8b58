import type { TokenInfo } from '../token/access-token.js';
import type { ResolvedTokenManagerConfig } from './config.js';

/**
 * When a token should be renewed, in ms since the epoch. Pure.
 *
 * - ratio time: `receivedAt + expirationRefreshRatio × (expiresAt − receivedAt)`;
 * - lower-bound time: `expiresAt − lowerRefreshBoundMillis`, but never earlier than half the token's life
 *   (a lower bound close to the lifetime would otherwise renew right after receipt, again and again);
 * - the earlier of the two; when the lower bound is at or before `receivedAt` (tokens shorter than the bound,
 *   e.g. seconds-long test tokens) the ratio time alone;
 * - the credential's `refreshAfterMs`, when it is earlier and after `receivedAt`;
 * - finally at least `minRefreshIntervalMs` after `receivedAt`.
 *
 * @param token - expiry, receipt and suggested refresh times.
 * @param config - ratio, lower bound and minimum interval.
 */
export function computeRefreshAtMs(
  token: Pick<TokenInfo, 'expiresAtMs' | 'receivedAtMs' | 'refreshAfterMs'>,
  config: Pick<ResolvedTokenManagerConfig, 'expirationRefreshRatio' | 'lowerRefreshBoundMillis' | 'minRefreshIntervalMs'>,
): number {
  const { expiresAtMs, receivedAtMs } = token;
  const lifeMs = Math.max(0, expiresAtMs - receivedAtMs);
  const ratioAt = receivedAtMs + config.expirationRefreshRatio * lifeMs;
  const boundAt = expiresAtMs - config.lowerRefreshBoundMillis;
  let at = boundAt <= receivedAtMs ? ratioAt : Math.min(ratioAt, Math.max(boundAt, receivedAtMs + lifeMs / 2));
  const hint = token.refreshAfterMs;
  if (hint !== undefined && Number.isFinite(hint) && hint > receivedAtMs && hint < at) at = hint;
  return Math.round(Math.max(at, receivedAtMs + config.minRefreshIntervalMs));
}

/**
 * Delay until the next scheduled renewal of `token`, in ms from `nowMs`: never below `minRefreshIntervalMs`,
 * so a renewal that is overdue (or a token already past its refresh time) cannot cause a tight loop.
 */
export function computeRefreshDelayMs(
  token: Pick<TokenInfo, 'expiresAtMs' | 'receivedAtMs' | 'refreshAfterMs'>,
  config: Pick<ResolvedTokenManagerConfig, 'expirationRefreshRatio' | 'lowerRefreshBoundMillis' | 'minRefreshIntervalMs'>,
  nowMs: number,
): number {
  return Math.max(config.minRefreshIntervalMs, computeRefreshAtMs(token, config) - nowMs);
}

/**
 * Delay before the next renewal round after `failedRounds` consecutive failed rounds, in ms:
 * `failedRenewalRetryIntervalMs × 2^(failedRounds−1)` capped at `maxFailedRenewalRetryIntervalMs`, and, while
 * a token is still valid, at most half of its remaining life (so several rounds fit before it expires);
 * never below `minRefreshIntervalMs` nor below the platform's `Retry-After`.
 *
 * @param failedRounds - consecutive failed rounds, >= 1.
 * @param config - the resolved config.
 * @param options.expiresAtMs - expiry of the token still in use, if any.
 * @param options.nowMs - now, in ms since the epoch.
 * @param options.retryAfterMs - the platform's `Retry-After`, in ms, if it sent one.
 */
export function computeFailedRoundDelayMs(
  failedRounds: number,
  config: Pick<
    ResolvedTokenManagerConfig,
    'failedRenewalRetryIntervalMs' | 'maxFailedRenewalRetryIntervalMs' | 'minRefreshIntervalMs'
  >,
  options: { expiresAtMs?: number | undefined; nowMs: number; retryAfterMs?: number | undefined },
): number {
  const exponent = Math.min(30, Math.max(0, failedRounds - 1));
  let delay = Math.min(config.maxFailedRenewalRetryIntervalMs, config.failedRenewalRetryIntervalMs * 2 ** exponent);
  if (options.expiresAtMs !== undefined && options.expiresAtMs > options.nowMs) {
    delay = Math.min(delay, Math.floor((options.expiresAtMs - options.nowMs) / 2));
  }
  return Math.max(delay, config.minRefreshIntervalMs, options.retryAfterMs ?? 0);
}
