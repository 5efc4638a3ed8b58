// Faults of the identity platform, injected into the emulator's token endpoint while a real node-redis client
// keeps sending commands through the TLS gate with tokens from the real msal-node path: every fault is
// classified into a typed TokenRequestError, the next renewal succeeds, and not one command fails.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createClient } from 'redis';
import { createCertificateAuthority } from '../../src/emulator/pki/certificate-authority.js';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { findFreePort } from '../../src/emulator/redis/free-port.js';
import type { InjectedFault } from '../../src/emulator/idp/faults.js';
import { TokenRequestError, type TokenRequestFailureKind } from '../../src/errors.js';
import type { EntraIdCredentialsProvider } from '../../src/provider/entra-id-credentials-provider.js';
import { CommandLoop, DEFAULT_SECRET_PRINCIPAL, EventLog, gateTotal, secretProvider, startReliabilityEmulator, tokenRequests, until } from './helpers.js';

/** 20 s tokens renewed every 2 s; up to 4 attempts 200 ms apart in a round; 1 s request timeout. */
const CONFIG = Object.freeze({
  expirationRefreshRatio: 0.1,
  lowerRefreshBoundMillis: 0,
  minRefreshIntervalMs: 200,
  tokenRequestExecutionTimeoutInMs: 1_000,
  retryPolicy: { maxAttempts: 4, delayInMs: 200, maxDelayInMs: 1_000, backoffMultiplier: 1, jitterRatio: 0 },
  failedRenewalRetryIntervalMs: 300,
  maxFailedRenewalRetryIntervalMs: 2_000,
});

interface Scenario {
  readonly name: string;
  readonly fault: InjectedFault;
  readonly count: number;
  readonly kind: TokenRequestFailureKind;
  readonly code?: 'ERR_TOKEN_REQUEST_TIMEOUT';
  readonly status?: number;
  readonly message?: RegExp;
}

const SCENARIOS: readonly Scenario[] = [
  { name: 'a burst of 503s', fault: { kind: 'status', status: 503 }, count: 3, kind: 'server', status: 503 },
  { name: 'a burst of 500s', fault: { kind: 'status', status: 500 }, count: 2, kind: 'server', status: 500 },
  { name: 'a hang past the request timeout', fault: { kind: 'hang' }, count: 1, kind: 'timeout', code: 'ERR_TOKEN_REQUEST_TIMEOUT' },
  { name: 'malformed JSON', fault: { kind: 'malformed-json' }, count: 2, kind: 'invalid-response', message: /token_parsing_error/ },
  { name: 'a token without oid', fault: { kind: 'token-without-oid' }, count: 2, kind: 'invalid-response', message: /"oid" claim/ },
  { name: 'an already expired token', fault: { kind: 'expired-token' }, count: 2, kind: 'invalid-response', message: /expired at/ },
  { name: 'a connection reset', fault: { kind: 'reset' }, count: 2, kind: 'network' },
];

describe('identity platform faults under live traffic (msal-node, node-redis, TLS gate)', () => {
  let emulator: Emulator;
  let provider: EntraIdCredentialsProvider;
  let client: ReturnType<typeof createClient>;
  const clientErrors: Error[] = [];

  before(async () => {
    emulator = await startReliabilityEmulator(20);
    const redis = emulator.redis;
    assert.ok(redis);
    provider = secretProvider(emulator, CONFIG);
    client = createClient({ socket: { host: redis.host, port: redis.port, tls: true, ca: emulator.ca.certPem }, credentialsProvider: provider });
    client.on('error', (error: Error) => clientErrors.push(error));
    await client.connect();
  });

  after(async () => {
    client.destroy();
    await provider.close();
    await emulator.close();
  });

  for (const scenario of SCENARIOS) {
    it(`${scenario.name}: typed ${scenario.kind} errors, recovery, zero failed commands`, async () => {
      const redis = emulator.redis;
      assert.ok(redis);
      const log = new EventLog(provider);
      const loop = new CommandLoop(() => client.incr('reliability:faults'));
      const acceptedBefore = gateTotal(redis.gates, 'authAccepted');
      try {
        emulator.identity.faults.failNext(scenario.count, scenario.fault, { endpoint: 'token' });
        await until(`${scenario.count} failed attempts`, () => log.failures.length >= scenario.count);
        await log.renewalsReach(1);
        // The live connection is re-authenticated with the new token.
        await until('the re-AUTH to reach the gate', () => gateTotal(redis.gates, 'authAccepted') > acceptedBefore, 5_000);
      } finally {
        await loop.stop();
        log.stop();
        emulator.identity.faults.clear();
      }
      assert.deepEqual(loop.errors, [], loop.describeErrors());
      assert.ok(loop.ok > 0);
      assert.equal(log.failures.length, scenario.count);
      for (const { error, nextAttemptInMs } of log.failures) {
        assert.ok(error instanceof TokenRequestError);
        assert.equal(error.kind, scenario.kind, error.message);
        assert.equal(error.retryable, true);
        assert.equal(error.code, scenario.code ?? 'ERR_TOKEN_REQUEST_FAILED');
        if (scenario.status !== undefined) assert.equal(error.status, scenario.status);
        if (scenario.message !== undefined) assert.match(error.message, scenario.message);
        assert.ok(typeof nextAttemptInMs === 'number' && nextAttemptInMs > 0, 'a next attempt is always scheduled');
        assert.ok(!error.message.includes(DEFAULT_SECRET_PRINCIPAL.clientSecret));
      }
      assert.equal(gateTotal(redis.gates, 'expiryClosures'), 0);
      assert.equal(clientErrors.length, 0, clientErrors.map((e) => e.message).join('\n'));
    });
  }

  it('429 with Retry-After: classified as throttled, zero failed commands', async () => {
    const log = new EventLog(provider);
    const loop = new CommandLoop(() => client.incr('reliability:faults'));
    try {
      emulator.identity.faults.failNext(2, { kind: '429', retryAfterSeconds: 1 }, { endpoint: 'token' });
      await until('the 429s', () => log.failures.length >= 2);
      await log.renewalsReach(1);
    } finally {
      await loop.stop();
      log.stop();
      emulator.identity.faults.clear();
    }
    assert.deepEqual(loop.errors, [], loop.describeErrors());
    assert.deepEqual(
      log.failures.map((f) => [f.error.kind, f.error.status, f.error.retryable]),
      [['throttled', 429, true], ['throttled', 429, true]],
    );
  });

  // msal-node's ServerError drops the response headers; the provider's network client records Retry-After and
  // the provider rethrows the failure with retryAfterMs, so the manager waits at least that long.
  it('429 with Retry-After: the next request waits at least Retry-After', async () => {
    const log = new EventLog(provider);
    const loop = new CommandLoop(() => client.incr('reliability:faults'));
    const from = emulator.identity.requests.length;
    try {
      emulator.identity.faults.failNext(1, { kind: '429', retryAfterSeconds: 2 }, { endpoint: 'token' });
      await until('the 429', () => log.failures.length >= 1);
      await log.renewalsReach(1);
    } finally {
      await loop.stop();
      log.stop();
      emulator.identity.faults.clear();
    }
    assert.deepEqual(loop.errors, [], loop.describeErrors());
    const [failure] = log.failures;
    assert.ok(failure?.error instanceof TokenRequestError);
    assert.equal(failure.error.kind, 'throttled');
    assert.equal(failure.error.status, 429);
    assert.equal(failure.error.retryAfterMs, 2_000);
    assert.ok((failure.nextAttemptInMs ?? 0) >= 2_000, `next attempt in ${String(failure.nextAttemptInMs)} ms`);
    const requests = tokenRequests(emulator, from);
    const throttled = requests.findIndex((r) => r.status === 429);
    const next = requests[throttled + 1];
    assert.ok(next !== undefined && throttled >= 0);
    assert.ok(next.at - (requests[throttled]?.at ?? 0) >= 1_950, `retried after ${next.at - (requests[throttled]?.at ?? 0)} ms`);
  });
});

describe('unreachable identity platform: typed errors, no crash', () => {
  const ONE_ATTEMPT = { ...CONFIG, retryPolicy: { ...CONFIG.retryPolicy, maxAttempts: 1 } };

  it('TLS failure (authority certificate from a CA nobody trusts) → TokenRequestError, kind network', async () => {
    const untrusted = await startEmulator({ ca: createCertificateAuthority('untrusted test CA'), redis: false });
    const provider = secretProvider(untrusted, ONE_ATTEMPT);
    try {
      const error: unknown = await provider.getCredentialsAsync().then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(error instanceof TokenRequestError, String(error));
      assert.equal(error.code, 'ERR_TOKEN_REQUEST_FAILED');
      assert.equal(error.kind, 'network');
      assert.equal(error.retryable, true);
      assert.ok(!error.message.includes(DEFAULT_SECRET_PRINCIPAL.clientSecret));
      assert.equal(untrusted.identity.stats().tokensIssued, 0);
    } finally {
      await provider.close();
      await untrusted.close();
    }
  });

  it('connection refused (authority host on a closed port) → TokenRequestError, kind network, then recovery on a live host', async () => {
    const emulator = await startReliabilityEmulator(20, false);
    const closedPort = await findFreePort();
    const refused = secretProvider(emulator, ONE_ATTEMPT, `https://127.0.0.1:${closedPort}`);
    try {
      const error: unknown = await refused.getCredentialsAsync().then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(error instanceof TokenRequestError, String(error));
      assert.equal(error.kind, 'network');
      assert.equal(error.retryable, true);
      assert.match(error.message, /ECONNREFUSED|network_error|endpoints_resolution_error|fetch failed/);
      // The same failure again: a second call makes a new attempt rather than replaying a cached error.
      await assert.rejects(refused.getCredentialsAsync(), TokenRequestError);
    } finally {
      await refused.close();
      await emulator.close();
    }
  });
});
