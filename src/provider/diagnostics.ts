import { channel } from 'node:diagnostics_channel';
import { debuglog } from 'node:util';
import type {
  ReAuthenticationFailedEvent,
  ReAuthenticationSkippedEvent,
  RenewalFailedEvent,
  TokenRenewedEvent,
} from './types.js';

/** Names of the `diagnostics_channel` channels this library publishes to. Messages carry metadata only. */
export const DIAGNOSTICS_CHANNELS = Object.freeze({
  /** `{ provider, oid, tenantId, expiresAtMs, receivedAtMs, sequence }` after each new token. */
  tokenRenewed: 'redis-entraid:token-renewed',
  /** `{ provider, kind, code, errorCode, status, message, attempt, nextAttemptInMs, currentTokenExpiresAtMs }`. */
  renewalFailed: 'redis-entraid:renewal-failed',
  /** `{ provider, address, message }` when a connection could not be re-authenticated. */
  reAuthenticationFailed: 'redis-entraid:reauthentication-failed',
  /** `{ provider, address, reason, action }` when a connection cannot take AUTH. */
  reAuthenticationSkipped: 'redis-entraid:reauthentication-skipped',
});

/** The library's `NODE_DEBUG=redis-entraid` logger. */
export const debug = debuglog('redis-entraid');

const tokenRenewed = channel(DIAGNOSTICS_CHANNELS.tokenRenewed);
const renewalFailed = channel(DIAGNOSTICS_CHANNELS.renewalFailed);
const reAuthFailed = channel(DIAGNOSTICS_CHANNELS.reAuthenticationFailed);
const reAuthSkipped = channel(DIAGNOSTICS_CHANNELS.reAuthenticationSkipped);

/** Publishes a `tokenRenewed` event's metadata. */
export function publishTokenRenewed(provider: string, event: TokenRenewedEvent): void {
  debug('%s: token #%d for oid %s, expires %s', provider, event.sequence, event.oid, new Date(event.expiresAtMs).toISOString());
  if (tokenRenewed.hasSubscribers) {
    tokenRenewed.publish({
      provider,
      oid: event.oid,
      tenantId: event.tenantId,
      expiresAtMs: event.expiresAtMs,
      receivedAtMs: event.receivedAtMs,
      sequence: event.sequence,
    });
  }
}

/** Publishes a `renewalFailed` event's metadata (the error's message is scrubbed; `cause` is left out). */
export function publishRenewalFailed(provider: string, event: RenewalFailedEvent): void {
  debug('%s: renewal attempt %d failed: %s', provider, event.attempt, event.error.message);
  if (renewalFailed.hasSubscribers) {
    renewalFailed.publish({
      provider,
      kind: event.error.kind,
      code: event.error.code,
      errorCode: event.error.errorCode,
      status: event.error.status,
      message: event.error.message,
      attempt: event.attempt,
      nextAttemptInMs: event.nextAttemptInMs,
      currentTokenExpiresAtMs: event.currentTokenExpiresAtMs,
    });
  }
}

/** Publishes a `reAuthenticationFailed` event's metadata. */
export function publishReAuthenticationFailed(provider: string, event: ReAuthenticationFailedEvent): void {
  debug('%s: re-authentication failed (%s): %s', provider, String(event.error.address), event.error.message);
  if (reAuthFailed.hasSubscribers) {
    reAuthFailed.publish({ provider, address: event.error.address, message: event.error.message });
  }
}

/** Publishes a `reAuthenticationSkipped` event's metadata. */
export function publishReAuthenticationSkipped(provider: string, event: ReAuthenticationSkippedEvent): void {
  debug('%s: re-authentication skipped (%s): %s → %s', provider, String(event.address), event.reason, event.action);
  if (reAuthSkipped.hasSubscribers) {
    reAuthSkipped.publish({ provider, address: event.address, reason: event.reason, action: event.action });
  }
}
