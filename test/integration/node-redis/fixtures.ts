// Shared set-up for the node-redis integration tests: the emulator (local Entra ID + gated redis-server), a
// provider through the real MSAL service-principal path, and helpers that read the gate's AUTH records.
import assert from 'node:assert/strict';
import { after, before, type TestContext } from 'node:test';
import { startAzureRedis, startEmulator, type AzureRedis, type Emulator } from '../../../src/emulator/index.js';
import { DEFAULT_SECRET_PRINCIPAL } from '../../../src/emulator/idp/constants.js';
import type { RedisGate } from '../../../src/emulator/gate/redis-gate.js';
import type { RedisServerHandle } from '../../../src/emulator/redis/redis-server.js';
import type { EntraIdCredentialsProvider } from '../../../src/provider/entra-id-credentials-provider.js';
import { createFromServicePrincipal } from '../../../src/provider/factories/service-principal.js';
import { testCertificateAuthority } from '../../helpers/test-ca.js';

/** Token lifetime in the default suite, in seconds (generous: the machine is shared). */
export const TOKEN_SECONDS = 4;

/** Renew at half the lifetime, no jitter: a renewal every ~2 s, each token good for 4 s. */
export const RENEWAL = Object.freeze({
  expirationRefreshRatio: 0.5,
  lowerRefreshBoundMillis: 0,
  minRefreshIntervalMs: 500,
  tokenRequestExecutionTimeoutInMs: 5_000,
  retryPolicy: { maxAttempts: 6, delayInMs: 200, maxDelayInMs: 400, backoffMultiplier: 1.5, jitterRatio: 0 },
  failedRenewalRetryIntervalMs: 500,
});

export async function startTestEmulator(cluster = false): Promise<Emulator> {
  return startEmulator({ ca: testCertificateAuthority(), tokenLifetimeSeconds: TOKEN_SECONDS, redis: { cluster, tls: true } });
}

/**
 * Call inside a `describe`: starts the test emulator (gated standalone redis-server) before its tests and stops it
 * after them. Read `emulator` inside tests.
 */
export function useTestEmulator(): { readonly emulator: Emulator } {
  let emulator: Emulator | undefined;
  before(async () => {
    emulator = await startTestEmulator();
  });
  after(async () => {
    await emulator?.close();
  });
  return {
    get emulator() {
      assert.ok(emulator, 'the emulator is started in before()');
      return emulator;
    },
  };
}

/**
 * Call inside a `describe`: starts, before its tests, the emulator with a gated 3-master cluster and a standalone
 * Azure-like Redis trusting the same identity emulator; stops both after them. Read the fields inside tests.
 */
export function useClusterAndStandalone(): { readonly emulator: Emulator; readonly single: AzureRedis } {
  let emulator: Emulator | undefined;
  let single: AzureRedis | undefined;
  before(async () => {
    emulator = await startTestEmulator(true);
    single = await startAzureRedis({ verifier: emulator.identity, ca: testCertificateAuthority(), tls: true });
  });
  after(async () => {
    await single?.close();
    await emulator?.close();
  });
  return {
    get emulator() {
      assert.ok(emulator, 'the emulator is started in before()');
      return emulator;
    },
    get single() {
      assert.ok(single, 'the standalone Redis is started in before()');
      return single;
    },
  };
}

/**
 * The common start of a test on the emulator's standalone gate: the gated Redis, its gate, the gate's expiry
 * closures so far, and a provider (closed after the test).
 */
export function standaloneCase(
  t: TestContext,
  emulator: Emulator,
): { redis: NonNullable<Emulator['redis']>; gate: RedisGate; expiredBefore: number; provider: EntraIdCredentialsProvider } {
  const redis = emulator.redis;
  assert.ok(redis, 'the emulator has a gated Redis');
  const gate = redis.gates[0];
  assert.ok(gate, 'the gated Redis has a gate');
  const provider = servicePrincipalProvider(emulator);
  t.after(() => provider.close());
  return { redis, gate, expiredBefore: gateTotal(redis.gates, 'expiryClosures'), provider };
}

/** A provider for the default secret principal, through MSAL against the emulator. */
export function servicePrincipalProvider(
  emulator: Emulator,
  renewal: Parameters<typeof createFromServicePrincipal>[0]['tokenManagerConfig'] = {},
): EntraIdCredentialsProvider {
  return createFromServicePrincipal({
    clientId: DEFAULT_SECRET_PRINCIPAL.clientId,
    clientSecret: DEFAULT_SECRET_PRINCIPAL.clientSecret,
    tenantId: emulator.identity.tenantId,
    authorityHost: emulator.identity.authorityHost,
    tokenManagerConfig: { ...RENEWAL, ...renewal },
  });
}

/**
 * Makes `server` refuse the next AUTH of the default principal: the gate accepts the token and forwards AUTH with
 * the ACL user's password, which is removed here (live connections stay authenticated as before). `restore()`
 * puts it back; `close()` closes the admin connection.
 */
export async function refuseAuth(server: RedisServerHandle): Promise<{ restore: () => Promise<void>; close: () => void }> {
  const oid = DEFAULT_SECRET_PRINCIPAL.objectId;
  const admin = await server.admin();
  const user = (await admin.command(['ACL', 'GETUSER', oid])) as unknown[];
  const field = user.findIndex((entry) => String(entry) === 'passwords');
  const passwords = (user[field + 1] as unknown[]).map(String);
  assert.ok(passwords.length >= 1, 'the ACL user has a password');
  await admin.command(['ACL', 'SETUSER', oid, 'resetpass']);
  return {
    restore: async () => {
      await admin.command(['ACL', 'SETUSER', oid, ...passwords.map((hash) => `#${hash}`)]);
    },
    close: () => admin.close(),
  };
}

/** Token requests (POST …/token) the emulator answered since `from` (an index into `identity.requests`). */
export function tokenRequestsSince(emulator: Emulator, from: number): number {
  return emulator.identity.requests.slice(from).filter((r) => r.endpoint === 'token').length;
}

/** Bounded polling. */
export async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Runs `command` in a loop (5 ms apart) until stopped; counts successes and keeps failure messages. */
export function load(command: (i: number) => Promise<unknown>): { stop: () => Promise<{ ok: number; failed: string[] }> } {
  let ok = 0;
  const failed: string[] = [];
  let running = true;
  const loop = (async () => {
    for (let i = 0; running; i++) {
      try {
        await command(i);
        ok++;
      } catch (error) {
        failed.push(error instanceof Error ? error.message : String(error));
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return { ok, failed };
    },
  };
}

/**
 * Drops every connection at the gates `rounds` times; each time waits for `expected` new connections and for
 * `ready()` to resolve (a command through the reconnected client).
 */
export async function dropConnections(gates: readonly RedisGate[], rounds: number, expected: number, ready: () => Promise<unknown>): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    const before = gates.reduce((sum, gate) => sum + gate.stats().connectionsTotal, 0);
    for (const gate of gates) gate.closeAll();
    await until('the reconnects', () => gates.reduce((sum, gate) => sum + gate.stats().connectionsTotal, 0) >= before + expected);
    await until('a working connection', async () => {
      try {
        await ready();
        return true;
      } catch {
        return false;
      }
    });
  }
}

/** Resolves after `count` more `tokenRenewed` events. */
export async function renewals(provider: EntraIdCredentialsProvider, count: number, timeoutMs = 30_000): Promise<void> {
  let seen = 0;
  const onRenewed = (): void => {
    seen++;
  };
  provider.on('tokenRenewed', onRenewed);
  try {
    await until(`${count} renewals`, () => seen >= count, timeoutMs);
  } finally {
    provider.off('tokenRenewed', onRenewed);
  }
}

/** Per gate connection of `oid`: how many AUTHs carried each token (by `uti`). */
export function authsPerToken(gates: readonly RedisGate[], oid: string): { connection: string; open: boolean; perToken: number[] }[] {
  return gates.flatMap((gate) =>
    gate
      .connections()
      .filter((c) => c.oid === oid)
      .map((c) => {
        const counts = new Map<string | undefined, number>();
        for (const auth of c.auths) counts.set(auth.uti, (counts.get(auth.uti) ?? 0) + 1);
        return { connection: `${gate.port}#${c.id}`, open: c.closedReason === undefined, perToken: [...counts.values()] };
      }),
  );
}

/** Asserts every connection of `oid` saw each token at most once (no duplicate AUTH per renewal). */
export function assertOneAuthPerToken(gates: readonly RedisGate[], oid: string): void {
  for (const { connection, perToken } of authsPerToken(gates, oid)) {
    assert.deepEqual(
      perToken.filter((n) => n !== 1),
      [],
      `connection ${connection}: AUTHs per token ${JSON.stringify(perToken)}`,
    );
  }
}

/** Asserts each open connection of `oid` was re-authenticated with at least `minTokens` distinct tokens. */
export async function assertOpenConnectionsRenewed(gates: readonly RedisGate[], oid: string, minTokens: number): Promise<void> {
  // The renewal event precedes the AUTHs reaching the gate: give them a bounded moment.
  const renewed = (): boolean => authsPerToken(gates, oid).every((c) => !c.open || c.perToken.length >= minTokens);
  await until('the renewal AUTHs to reach the gate', renewed, 5_000).catch(() => undefined);
  const open = authsPerToken(gates, oid).filter((c) => c.open);
  assert.ok(open.length > 0, 'no open connection');
  for (const { connection, perToken } of open) {
    assert.ok(perToken.length >= minTokens, `connection ${connection} saw ${perToken.length} tokens, expected >= ${minTokens}`);
  }
}

/** Sum of a gate stat over gates. */
export function gateTotal(gates: readonly RedisGate[], stat: 'expiryClosures' | 'authRejected' | 'authAccepted'): number {
  return gates.reduce((sum, gate) => sum + gate.stats()[stat], 0);
}

export { DEFAULT_SECRET_PRINCIPAL };
