import type { ServerResponse } from 'node:http';
import { sendJson, sendMalformedJson } from './core.js';
import type { InjectedFault } from './faults.js';
import { OAUTH_ERRORS, oauthErrorBody } from './oauth-errors.js';

/** Token overrides a fault asks for, when the request otherwise succeeds. @internal */
export interface TokenFault {
  readonly omitOid: boolean;
  readonly expired: boolean;
}

/**
 * Answers a request according to `fault` when the fault replaces the answer (status, 429, hang, reset,
 * malformed JSON) and returns the status sent (0 for hang/reset). Returns a {@link TokenFault} when the
 * fault only changes the token (or there is none). @internal
 */
export function applyFault(fault: InjectedFault | undefined, res: ServerResponse, style: 'oauth' | 'managed-identity'): number | TokenFault {
  const errorBody = (status: number): Record<string, unknown> =>
    style === 'oauth'
      ? oauthErrorBody(status === 429 ? OAUTH_ERRORS.throttled() : OAUTH_ERRORS.serviceUnavailable(status))
      : { error: status === 429 ? 'too_many_requests' : 'service_unavailable', error_description: `HTTP ${status} injected by the emulator` };
  switch (fault?.kind) {
    case undefined:
      return { omitOid: false, expired: false };
    case 'status':
      return sendJson(res, fault.status, errorBody(fault.status));
    case '429':
      return sendJson(res, 429, errorBody(429), { 'Retry-After': String(fault.retryAfterSeconds ?? 1) });
    case 'hang':
      // Leave the response open; close() destroys the socket.
      return 0;
    case 'reset':
      res.socket?.destroy();
      res.destroy();
      return 0;
    case 'malformed-json':
      return sendMalformedJson(res);
    case 'token-without-oid':
      return { omitOid: true, expired: false };
    case 'expired-token':
      return { omitOid: false, expired: true };
  }
}

/** Token overrides for a {@link TokenFault}: drop `oid` or back-date the token so that `exp` has passed. @internal */
export function tokenFaultOverrides(fault: TokenFault, lifetimeSeconds: number): { omitClaims?: string[]; nowMs?: number; lifetimeSeconds?: number } {
  if (fault.omitOid) return { omitClaims: ['oid'] };
  if (fault.expired) return { nowMs: Date.now() - (lifetimeSeconds + 120) * 1000, lifetimeSeconds };
  return {};
}
