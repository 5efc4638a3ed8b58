// Outages of the identity platform while a real node-redis client works through the TLS gate:
// shorter than the current token's remaining life → zero failed commands; longer → typed errors while the
// token is expired, then full recovery on the same client and provider once the platform is back.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createClient } from 'redis';
import { NoTokenError, TokenRequestError } from '../../src/errors.js';
import { CommandLoop, EventLog, gateTotal, secretProvider, startReliabilityEmulator, until } from './helpers.js';

describe('identity platform outages', () => {
  it('an outage shorter than the time left on the token: zero failed commands, renewal afterwards', async () => {
    const emulator = await startReliabilityEmulator(20);
    const redis = emulator.redis;
    assert.ok(redis);
    // Renew at 25 % of 20 s: 15 s of validity left when the renewal starts failing.
    const provider = secretProvider(emulator, {
      expirationRefreshRatio: 0.25,
      lowerRefreshBoundMillis: 0,
      retryPolicy: { maxAttempts: 2, delayInMs: 200, jitterRatio: 0 },
      failedRenewalRetryIntervalMs: 300,
      maxFailedRenewalRetryIntervalMs: 1_000,
    });
    const client = createClient({ socket: { host: redis.host, port: redis.port, tls: true, ca: emulator.ca.certPem }, credentialsProvider: provider });
    const clientErrors: Error[] = [];
    client.on('error', (error: Error) => clientErrors.push(error));
    try {
      await client.connect();
      const log = new EventLog(provider);
      const loop = new CommandLoop(() => client.incr('reliability:outage'));
      emulator.identity.faults.setOutage(true);
      const expiresAtMs = provider.getTokenInfo()?.expiresAtMs ?? 0;
      await until('failed renewal rounds', () => log.failures.length >= 4, 15_000);
      // Keep the outage for 6 s in all, well inside the token's life.
      await new Promise((resolve) => setTimeout(resolve, 6_000)); // the outage lasts a set time: nothing to await
      assert.ok(Date.now() < expiresAtMs - 3_000, 'the outage must end well before the token expires');
      emulator.identity.faults.setOutage(false);
      await log.renewalsReach(1, 10_000);
      await until('the re-AUTH', () => (redis.gates[0]?.connections().at(-1)?.acceptedAuthCount ?? 0) >= 2, 5_000);
      await loop.stop();
      log.stop();
      assert.deepEqual(loop.errors, [], loop.describeErrors());
      assert.ok(loop.ok > 50, `only ${loop.ok} commands`);
      assert.ok(log.failures.every((f) => f.error instanceof TokenRequestError && f.error.kind === 'server' && f.error.status === 503));
      assert.ok(log.failures.every((f) => (f.nextAttemptInMs ?? 0) <= 1_000), 'retries stay frequent while the token is valid');
      assert.equal(gateTotal(redis.gates, 'expiryClosures'), 0);
      assert.equal(clientErrors.length, 0, clientErrors.map((e) => e.message).join('\n'));
    } finally {
      client.destroy();
      await provider.close();
      await emulator.close();
    }
  });

  it('an outage longer than the token: typed errors while expired, full recovery without restart', async () => {
    const emulator = await startReliabilityEmulator(4);
    const redis = emulator.redis;
    assert.ok(redis);
    const provider = secretProvider(emulator, {
      expirationRefreshRatio: 0.5,
      lowerRefreshBoundMillis: 0,
      retryPolicy: { maxAttempts: 2, delayInMs: 200, jitterRatio: 0 },
      failedRenewalRetryIntervalMs: 300,
      maxFailedRenewalRetryIntervalMs: 600,
    });
    const client = createClient({
      socket: { host: redis.host, port: redis.port, tls: true, ca: emulator.ca.certPem, reconnectStrategy: () => 200 },
      disableOfflineQueue: true,
      credentialsProvider: provider,
    });
    client.on('error', () => undefined); // reconnect errors while the platform is down are expected here
    try {
      await client.connect();
      const log = new EventLog(provider);
      const loop = new CommandLoop(() => client.incr('reliability:long-outage'));
      emulator.identity.faults.setOutage(true);
      await until('the gate to close the expired connection', () => gateTotal(redis.gates, 'expiryClosures') >= 1, 15_000);
      await until('commands to fail', () => loop.errors.length >= 3, 10_000);
      // The provider says clearly why: no valid token, and each renewal attempt failed with a typed 503.
      assert.throws(() => provider.getCredentials(), (error: unknown) => error instanceof NoTokenError && error.code === 'ERR_NO_TOKEN' && /expired at/.test(error.message));
      await assert.rejects(provider.getCredentialsAsync(), (error: unknown) => error instanceof TokenRequestError && error.kind === 'server' && error.status === 503);
      assert.ok(log.failures.length > 0);
      assert.ok(log.failures.every((f) => f.error instanceof TokenRequestError && f.error.kind === 'server' && f.error.status === 503 && f.nextAttemptInMs !== undefined));

      emulator.identity.faults.setOutage(false);
      await until('commands to succeed again', async () => {
        const before = loop.ok;
        await new Promise((resolve) => setTimeout(resolve, 100));
        return loop.ok > before;
      }, 20_000);
      const errorsAfterRecovery = loop.errors.length;
      const okAfterRecovery = loop.ok;
      const renewalsAfterRecovery = log.renewals;
      await log.renewalsReach(renewalsAfterRecovery + 2, 15_000);
      await loop.stop();
      log.stop();
      assert.equal(loop.errors.length, errorsAfterRecovery, `commands failed after recovery:\n${loop.errors.slice(errorsAfterRecovery).map((e) => e.message).join('\n')}`);
      assert.ok(loop.ok > okAfterRecovery);
      assert.equal(await client.get('reliability:long-outage'), String(loop.ok));
      assert.deepEqual(provider.getCredentials().username, provider.getTokenInfo()?.oid);
    } finally {
      client.destroy();
      await provider.close();
      await emulator.close();
    }
  });
});
