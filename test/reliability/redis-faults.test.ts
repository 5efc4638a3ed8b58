// Faults on the Redis side with a real node-redis client, the gate and a real redis-server: the gate closing
// connections at expiry when a renewal is late. The client recovers on its own with the current token; no
// command is lost. (Server restart, reset mid re-AUTH and cluster node restart: test/reliability/pending/.)
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createClient } from 'redis';
import { CommandLoop, gateTotal, secretProvider, startReliabilityEmulator, until } from './helpers.js';

const FAST_RENEWAL = Object.freeze({
  expirationRefreshRatio: 0.5,
  lowerRefreshBoundMillis: 0,
  minRefreshIntervalMs: 200,
  retryPolicy: { maxAttempts: 3, delayInMs: 200, jitterRatio: 0 },
  failedRenewalRetryIntervalMs: 300,
  maxFailedRenewalRetryIntervalMs: 1_000,
});

/** Errors a command may meet when its socket closes under it (never an authentication error). */
const CONNECTION_ERROR = /Socket closed|connection|ECONNRESET|ECONNREFUSED|EPIPE|closed|Connection is closed|CLUSTERDOWN|TRYAGAIN/i;
const AUTH_ERROR = /WRONGPASS|NOAUTH|NOPERM|invalid password/i;

function assertOnlyConnectionErrors(loop: CommandLoop, max: number): void {
  assert.ok(loop.errors.length <= max, `${loop.errors.length} failed commands (at most ${max} expected):\n${loop.describeErrors()}`);
  for (const { message } of loop.errors) {
    assert.doesNotMatch(message, AUTH_ERROR);
    assert.match(message, CONNECTION_ERROR);
  }
}

describe('Redis-side faults', () => {
  it('the gate closes connections at expiry when renewal is late: clients reconnect, offline queue keeps every command', async () => {
    const emulator = await startReliabilityEmulator(4);
    const redis = emulator.redis;
    assert.ok(redis);
    // Renew at 95 % of 4 s with a 700 ms slow token endpoint: the re-AUTH lands after exp.
    const provider = secretProvider(emulator, { ...FAST_RENEWAL, expirationRefreshRatio: 0.95 });
    const client = createClient({ socket: { host: redis.host, port: redis.port, tls: true, ca: emulator.ca.certPem, reconnectStrategy: () => 50 }, credentialsProvider: provider });
    client.on('error', () => undefined);
    try {
      await client.connect();
      emulator.identity.faults.setLatency(700, { endpoint: 'token' });
      const loop = new CommandLoop(() => client.incr('reliability:expiry'));
      await until('two expiry closures', () => gateTotal(redis.gates, 'expiryClosures') >= 2, 20_000);
      emulator.identity.faults.clear();
      const okBefore = loop.ok;
      await until('traffic after the closures', () => loop.ok > okBefore + 20, 10_000);
      await loop.stop();
      assertOnlyConnectionErrors(loop, gateTotal(redis.gates, 'expiryClosures'));
      assert.equal(await client.get('reliability:expiry'), String(loop.ok));
      assert.equal(gateTotal(redis.gates, 'authRejected'), 0);
    } finally {
      client.destroy();
      await provider.close();
      await emulator.close();
    }
  });
});
