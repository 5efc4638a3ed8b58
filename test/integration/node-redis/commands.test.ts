// Transactions and blocking commands across renewals, and a re-AUTH the server refuses: reported with the
// connection's address, then the client reconnects with the current token instead of waiting to be closed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createClient } from 'redis';
import { startAzureRedis } from '../../../src/emulator/index.js';
import type { AccessTokenVerifier } from '../../../src/emulator/gate/token-verifier.js';
import { testCertificateAuthority } from '../../helpers/test-ca.js';
import type { ReAuthenticationFailedEvent } from '../../../src/provider/types.js';
import { watchNodeRedisClient } from '../../../src/provider/node-redis/watch-client.js';
import {
  DEFAULT_SECRET_PRINCIPAL,
  TOKEN_SECONDS,
  gateTotal,
  refuseAuth,
  renewals,
  servicePrincipalProvider,
  useTestEmulator,
  until,
} from './fixtures.js';

const OID = DEFAULT_SECRET_PRINCIPAL.objectId;

describe('node-redis commands across renewals', () => {
  const env = useTestEmulator();

  function client(provider: ReturnType<typeof servicePrincipalProvider>) {
    const redis = env.emulator.redis;
    assert.ok(redis);
    const c = createClient({ socket: { host: redis.host, port: redis.port, tls: true, reconnectStrategy: () => 50 }, RESP: 3, credentialsProvider: provider });
    c.on('error', () => undefined);
    return c;
  }

  it('multi() transactions are never split by an AUTH: every EXEC returns all its replies', async (t) => {
    const redis = env.emulator.redis;
    assert.ok(redis);
    const expiredBefore = gateTotal(redis.gates, 'expiryClosures');
    const provider = servicePrincipalProvider(env.emulator);
    t.after(() => provider.close());
    const c = client(provider);
    t.after(() => c.destroy());
    await c.connect();
    let transactions = 0;
    let running = true;
    const loop = (async () => {
      while (running) {
        const key = `tx:${transactions}`;
        const replies = await c.multi().set(key, 'v').incr(`${key}:n`).get(key).del(key).exec();
        assert.deepEqual(replies, ['OK', 1, 'v', 1]);
        transactions++;
      }
    })();
    await renewals(provider, 3);
    running = false;
    await loop;
    assert.ok(transactions > 100, `${transactions} transactions`);
    assert.equal(gateTotal(redis.gates, 'expiryClosures'), expiredBefore);
  });

  it(`BLPOP with a timeout longer than the token lifetime (${TOKEN_SECONDS} s) loses nothing`, async (t) => {
    const redis = env.emulator.redis;
    assert.ok(redis);
    const expiredBefore = gateTotal(redis.gates, 'expiryClosures');
    const provider = servicePrincipalProvider(env.emulator);
    t.after(() => provider.close());
    const blocked = client(provider);
    const pusher = client(provider);
    t.after(() => blocked.destroy());
    t.after(() => pusher.destroy());
    await Promise.all([blocked.connect(), pusher.connect()]);
    const popped = blocked.blPop('blocking:list', 4 * TOKEN_SECONDS);
    // Two renewals happen while BLPOP waits; the AUTHs queue behind it on the same connection.
    await renewals(provider, 2);
    await pusher.rPush('blocking:list', ['item']);
    assert.deepEqual(await popped, { key: 'blocking:list', element: 'item' });
    assert.equal(await pusher.lLen('blocking:list'), 0);
    assert.equal(await blocked.ping(), 'PONG');
    assert.equal(gateTotal(redis.gates, 'expiryClosures'), expiredBefore);
  });

  it('a refused re-AUTH is reported with the address, and watchNodeRedisClient reconnects the client', async (t) => {
    const redis = env.emulator.redis;
    const server = redis?.servers[0];
    assert.ok(redis && server);
    const gate = redis.gates[0];
    assert.ok(gate);
    const expiredBefore = gateTotal(redis.gates, 'expiryClosures');
    const provider = servicePrincipalProvider(env.emulator);
    t.after(() => provider.close());
    const c = client(provider);
    t.after(() => c.destroy());
    await c.connect();
    const watcher = watchNodeRedisClient(c, provider);
    t.after(() => watcher.dispose());
    const failures: ReAuthenticationFailedEvent[] = [];
    provider.on('reAuthenticationFailed', (event) => failures.push(event));
    const acl = await refuseAuth(server);
    t.after(() => acl.close());
    await until('a refused re-AUTH', () => failures.length >= 1);
    // Put the password back: the reconnect's handshake (fresh token) is accepted again.
    await acl.restore();
    assert.equal(failures[0]?.error.code, 'ERR_REAUTH_FAILED');
    assert.equal(failures[0]?.error.address, `${redis.host}:${redis.port}`);
    assert.equal(failures.length, 1, 'node-redis echo of the same failure is not reported twice');
    await until('the reconnect', () => watcher.reconnects === 1 && c.isReady);
    await until('a working connection', async () => (await c.ping().catch(() => 'no')) === 'PONG');
    await renewals(provider, 2);
    assert.equal(await c.ping(), 'PONG');
    assert.equal(gateTotal(redis.gates, 'expiryClosures'), expiredBefore);
    assert.equal(gate.connections().filter((x) => x.closedReason === undefined && x.oid === OID).length, 1);
  });

  it('without a watch, a refused re-AUTH is retried on the same connection, which then outlives the old token', async (t) => {
    // A gate of its own whose token check can be made to refuse: the connection keeps its previous token (and that
    // token's deadline), as on Azure.
    let refuse = false;
    const verifier: AccessTokenVerifier = {
      verifyAccessToken: (token, nowMs) => (refuse ? { ok: false, reason: 'bad-signature' } : env.emulator.identity.verifyAccessToken(token, nowMs)),
    };
    const redis = await startAzureRedis({ verifier, ca: testCertificateAuthority(), tls: true });
    t.after(() => redis.close());
    const gate = redis.gates[0];
    assert.ok(gate);
    // Renew at 60 % of the 4 s life: the old token expires 1.6 s after a renewal and the next renewal comes 2.4 s
    // after it, so only a retry (0.5 s after the refusal) keeps the refused connection authenticated past expiry.
    const provider = servicePrincipalProvider(env.emulator, { expirationRefreshRatio: 0.6 });
    t.after(() => provider.close());
    const c = createClient({ socket: { host: redis.host, port: redis.port, tls: true, reconnectStrategy: () => 50 }, RESP: 3, credentialsProvider: provider });
    c.on('error', () => undefined);
    t.after(() => c.destroy());
    await c.connect();
    const live = gate.connections().find((x) => x.closedReason === undefined && x.oid === OID);
    assert.ok(live);
    const failures: ReAuthenticationFailedEvent[] = [];
    provider.on('reAuthenticationFailed', (event) => {
      failures.push(event);
      refuse = false;
    });
    refuse = true;
    await until('a refused re-AUTH', () => failures.length >= 1);
    await renewals(provider, 2);
    assert.equal(await c.ping(), 'PONG');
    assert.equal(failures.length, 1, 'the retry was accepted');
    assert.equal(gate.stats().expiryClosures, 0, 'the refused connection was not closed at expiry');
    assert.deepEqual(
      gate.connections().filter((x) => x.closedReason === undefined && x.oid === OID).map((x) => x.id),
      [live.id],
      'the same connection, never reconnected',
    );
  });
});
