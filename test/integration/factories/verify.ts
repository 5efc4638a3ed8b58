// Parent-side checks of scenario runs against the emulator that served them: what the clients saw, what the gate
// recorded per connection, and what the identity emulator was asked. One emulator serves every case of a test
// file (starting one blocks the event loop for seconds: certificates and keys), so each case authenticates as a
// principal of its own and the checks select by object id (gate) and client id (identity emulator).
import assert from 'node:assert/strict';
import { startEmulator, type Emulator } from '../../../src/emulator/index.js';
import type { EmulatorEndpoint } from '../../../src/emulator/idp/request-log.js';
import { testCertificateAuthority } from '../../helpers/test-ca.js';
import { TOKENS, type GateTarget, type ScenarioResult } from './scenario.js';

/** The principal a factory authenticates as. */
export interface Principal {
  readonly clientId: string;
  readonly objectId: string;
}

/** The endpoint answering a factory's token requests: `token` (STS), `imds` or `app-service`. */
export type TokenEndpoint = Extract<EmulatorEndpoint, 'token' | 'imds' | 'app-service'>;

/** An emulator with 3-second tokens and one TLS gate in front of its own redis-server. */
export async function startFactoryEmulator(): Promise<{ emulator: Emulator; target: GateTarget }> {
  const emulator = await startEmulator({ ca: testCertificateAuthority(), tokenLifetimeSeconds: 3 });
  const redis = emulator.redis;
  assert.ok(redis?.caPem, 'the emulator started a TLS gate');
  return { emulator, target: { host: redis.host, port: redis.port, caPem: redis.caPem } };
}

function gateOf(emulator: Emulator): NonNullable<Emulator['redis']>['gates'][number] {
  const gate = emulator.redis?.gates[0];
  assert.ok(gate);
  return gate;
}

/** Bounded polling for a state the gate reaches shortly after a client's socket closes. */
async function until(what: string, check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Asserts one complete run: {@link TOKENS} tokens with distinct `uti`, all for `principal`; no failed command,
 * no client or provider error; ACL WHOAMI = the object id; exactly two gate connections for the object id, each
 * AUTHed once per token with exactly the provider's tokens in order (HELLO for RESP3, AUTH for RESP2, then one
 * AUTH per renewal) and closed by the client (not at expiry); exactly one token request per token for the
 * principal, for both clients together.
 */
export async function verifyRun(emulator: Emulator, result: ScenarioResult, principal: Principal, tokenEndpoint: TokenEndpoint): Promise<void> {
  assert.equal(result.error, undefined);
  assert.deepEqual(
    result.tokens.map((token) => token.sequence),
    Array.from({ length: TOKENS }, (_, i) => i + 1),
    'the first token and 5 renewals, and no renewal after the clients closed',
  );
  const utis = result.tokens.map((token) => token.uti);
  assert.equal(new Set(utis).size, TOKENS, 'every renewal produced a new token (distinct uti)');
  assert.ok(utis.every((uti) => typeof uti === 'string' && uti.length > 0), 'every token has a uti');
  assert.deepEqual(new Set(result.tokens.map((token) => token.oid)), new Set([principal.objectId]));

  assert.deepEqual(result.clientErrors, []);
  assert.deepEqual(result.providerProblems, []);
  assert.equal(result.subscribersAfterClientsClosed, 0, 'closing the clients left nothing subscribed');
  assert.deepEqual(
    result.clients.map(({ resp, failed, firstFailure, whoami }) => ({ resp, failed, firstFailure, whoami })),
    [
      { resp: 3, failed: 0, firstFailure: undefined, whoami: principal.objectId },
      { resp: 2, failed: 0, firstFailure: undefined, whoami: principal.objectId },
    ],
  );
  for (const client of result.clients) {
    assert.equal(client.counter, String(client.ok), `RESP${client.resp}: every INCR counted once`);
    // Several seconds of traffic paced at ~100 commands per second; 50 proves it spanned the renewals.
    assert.ok(client.ok >= 50, `RESP${client.resp}: only ${client.ok} commands`);
  }

  const gate = gateOf(emulator);
  const mine = (): ReturnType<typeof gate.connections> => gate.connections().filter((c) => c.oid === principal.objectId);
  await until('the gate to see both clients close', () => mine().every((c) => c.closedReason !== undefined));
  // The two clients connect concurrently: order the connections by handshake (HELLO = RESP3 first).
  const connections = mine().sort((a, b) => (b.auths[0]?.command ?? '').localeCompare(a.auths[0]?.command ?? ''));
  assert.deepEqual(
    connections.map((c) => ({
      closedReason: c.closedReason,
      authCount: c.authCount,
      acceptedAuthCount: c.acceptedAuthCount,
      commands: c.auths.map((auth) => auth.command),
      utis: c.auths.map((auth) => auth.uti),
      usernames: [...new Set(c.auths.map((auth) => auth.username))],
    })),
    (['hello', 'auth'] as const).map((first) => ({
      closedReason: 'client',
      authCount: TOKENS,
      acceptedAuthCount: TOKENS,
      commands: [first, ...Array<string>(TOKENS - 1).fill('auth')],
      utis,
      usernames: [principal.objectId],
    })),
    'two connections (RESP3, RESP2), each AUTHed once with each token in order, closed by the client',
  );

  assert.deepEqual(
    emulator.identity.requests.filter((r) => r.principal === principal.clientId).map((r) => `${r.endpoint} ${r.status}`),
    Array<string>(TOKENS).fill(`${tokenEndpoint} 200`),
    'exactly one token request per token, for both clients together',
  );
  assert.equal(emulator.identity.stats().tokensIssuedByPrincipal[principal.clientId], TOKENS);
}

/**
 * Asserts, once every case ran, that the gate and the identity emulator saw nothing else: two connections per
 * case, every AUTH accepted, no expiry closure; token requests only for the cases' principals and, besides,
 * exactly `discovery` OpenID discovery requests (one per msal application).
 */
export function verifyNothingElse(emulator: Emulator, principals: readonly Principal[], discovery: number): void {
  const stats = gateOf(emulator).stats();
  assert.deepEqual(
    {
      connectionsOpen: stats.connectionsOpen,
      connectionsTotal: stats.connectionsTotal,
      authAccepted: stats.authAccepted,
      authRejected: stats.authRejected,
      expiryClosures: stats.expiryClosures,
    },
    {
      connectionsOpen: 0,
      connectionsTotal: 2 * principals.length,
      authAccepted: 2 * TOKENS * principals.length,
      authRejected: 0,
      expiryClosures: 0,
    },
  );
  const clientIds = new Set(principals.map((p) => p.clientId));
  const requests = emulator.identity.requests;
  assert.equal(requests.filter((r) => r.principal !== undefined && clientIds.has(r.principal)).length, TOKENS * principals.length);
  assert.deepEqual(
    requests.filter((r) => r.principal === undefined || !clientIds.has(r.principal)).map((r) => `${r.endpoint} ${r.status}`),
    Array<string>(discovery).fill('openid-configuration 200'),
    'nothing but discovery besides the token requests',
  );
}
