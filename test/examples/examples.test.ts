// Runs every example in examples/ as a child process against the emulator and checks its output and exit code.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  DEFAULT_CERTIFICATE_PRINCIPAL,
  DEFAULT_SECRET_PRINCIPAL,
  DEFAULT_SYSTEM_ASSIGNED_IDENTITY,
  DEFAULT_USER_ASSIGNED_IDENTITY,
  DEFAULT_WORKLOAD_PRINCIPAL,
  startEmulator,
  type Emulator,
} from '../../src/emulator/index.js';
import { testCertificateAuthority } from '../helpers/test-ca.js';
import { ensureBuilt } from './ensure-built.js';
import { describeRun, runExample, type ExampleResult } from './run-example.js';

const SHORT_LIVED = Object.freeze({
  clientId: '77777777-7777-4777-8777-000000000007',
  objectId: 'a7777777-7777-4777-8777-0000000000a7',
  clientSecret: 'examples-short-lived-secret',
});

describe('examples/ run against the emulator', { concurrency: 4 }, () => {
  let emulator: Emulator;
  let cluster: Emulator;

  let build = '';

  before(async () => {
    build = await ensureBuilt();
    const started = await Promise.allSettled([
      startEmulator({ ca: testCertificateAuthority() }),
      startEmulator({ ca: testCertificateAuthority(), redis: { cluster: true } }),
    ]);
    const failure = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure) {
      // Close what did start, or its servers would keep this file from ever finishing.
      await Promise.all(started.map((r) => (r.status === 'fulfilled' ? r.value.close() : undefined)));
      throw failure.reason;
    }
    [emulator, cluster] = started.map((r) => (r as PromiseFulfilledResult<Emulator>).value) as [Emulator, Emulator];
    emulator.identity.addServicePrincipal({ ...SHORT_LIVED, tokenLifetimeSeconds: 4 });
  });
  after(async () => {
    await Promise.all([emulator?.close(), cluster?.close()]);
  });

  function redisEnv(target: Emulator = emulator): Record<string, string> {
    const redis = target.redis;
    assert.ok(redis);
    return { HOST: redis.host, PORT: String(redis.port) };
  }

  function secretEnv(target: Emulator = emulator, principal: { clientId: string; clientSecret: string } = DEFAULT_SECRET_PRINCIPAL): Record<string, string> {
    return {
      ...redisEnv(target),
      TENANT_ID: target.identity.tenantId,
      CLIENT_ID: principal.clientId,
      CLIENT_SECRET: principal.clientSecret,
      AUTHORITY_HOST: target.identity.authorityHost,
    };
  }

  function assertSucceeded(result: ExampleResult, stdout: RegExp): void {
    assert.equal(result.code, 0, describeRun(result));
    assert.match(result.stdout, stdout, describeRun(result));
    assert.equal(result.stderr, '', describeRun(result));
  }

  it('quick-start.ts: the README quick start verbatim, service principal + node-redis', async (t) => {
    t.diagnostic(build);
    const result = await runExample(['examples/quick-start.ts'], secretEnv());
    assertSucceeded(result, /^The database size is: \d+\n$/);
  });

  it('quick-start.ts: exits non-zero with the identity platform error on a wrong secret', async () => {
    const result = await runExample(['examples/quick-start.ts'], { ...secretEnv(), CLIENT_SECRET: 'not-the-secret-4711' });
    assert.equal(result.code, 1, describeRun(result));
    assert.match(result.stderr, /ERR_TOKEN_REQUEST_FAILED|AADSTS7000215|invalid_client/, describeRun(result));
    assert.doesNotMatch(result.stderr + result.stdout, /not-the-secret-4711/);
  });

  it('service-principal-certificate.ts: certificate + ioredis', async () => {
    const result = await runExample(['examples/service-principal-certificate.ts'], {
      ...redisEnv(),
      ...emulator.identity.env.servicePrincipalCertificate(),
    });
    assertSucceeded(result, new RegExp(`^signed in as ${DEFAULT_CERTIFICATE_PRINCIPAL.objectId}: ok\\n$`));
  });

  it('managed-identity.ts: system-assigned (IMDS)', async () => {
    const result = await runExample(['examples/managed-identity.ts'], { ...redisEnv(), ...emulator.identity.env.imdsManagedIdentity() });
    assertSucceeded(result, new RegExp(`^connected as ${DEFAULT_SYSTEM_ASSIGNED_IDENTITY.objectId}; token expires at .+\\nPING: PONG\\n$`));
  });

  it('managed-identity.ts: user-assigned by client id (App Service)', async () => {
    const result = await runExample(['examples/managed-identity.ts'], {
      ...redisEnv(),
      ...emulator.identity.env.appServiceManagedIdentity(),
      MANAGED_IDENTITY_CLIENT_ID: DEFAULT_USER_ASSIGNED_IDENTITY.clientId,
    });
    assertSucceeded(result, new RegExp(`^connected as ${DEFAULT_USER_ASSIGNED_IDENTITY.objectId};`));
  });

  it('default-azure-credential.ts: workload identity + ioredis', async () => {
    const result = await runExample(['examples/default-azure-credential.ts'], {
      ...redisEnv(),
      ...emulator.identity.env.workloadIdentity(),
    });
    assertSucceeded(result, /^INCR: \d+\n$/);
    const principals = emulator.identity.stats().tokensIssuedByPrincipal;
    assert.ok((principals[DEFAULT_WORKLOAD_PRINCIPAL.clientId] ?? 0) >= 1);
  });

  it('token-credential.ts: ClientSecretCredential + node-redis', async () => {
    const result = await runExample(['examples/token-credential.ts'], secretEnv());
    assertSucceeded(result, new RegExp(`^ACL WHOAMI: ${DEFAULT_SECRET_PRINCIPAL.objectId}\\n$`));
  });

  it('identity-provider.ts: a custom IdentityProvider', async () => {
    const result = await runExample(['examples/identity-provider.ts'], secretEnv());
    assertSucceeded(result, /^SET: OK\n$/);
  });

  it('pubsub.ts: RESP3 publisher and subscriber sharing one provider', async () => {
    const result = await runExample(['examples/pubsub.ts'], secretEnv());
    assertSucceeded(result, /^received: hello from Entra ID\n$/);
  });

  it('pubsub-resp2.ts: a RESP2 subscriber is reconnected on each renewal (reported) and keeps receiving', async () => {
    const result = await runExample(['examples/pubsub-resp2.ts'], { ...secretEnv(emulator, SHORT_LIVED), RENEWALS: '2' });
    assertSucceeded(result, /^renewals: 2; skipped re-AUTHs reported: (\d+); subscriber reconnects: (\d+)\nlast message: after renewal 2\n$/);
    const [, skipped, reconnects] = /reported: (\d+); subscriber reconnects: (\d+)/.exec(result.stdout) ?? [];
    assert.ok(Number(skipped) >= 2 && Number(reconnects) >= 2, result.stdout);
    assert.equal(skipped, reconnects, 'every skipped re-AUTH led to a reconnect');
  });

  it('node-redis-cluster.ts: createCluster over three gated masters', async () => {
    const result = await runExample(['examples/node-redis-cluster.ts'], secretEnv(cluster));
    assertSucceeded(result, /^masters: 3; delta = delta\n$/);
  });

  it('ioredis-cluster.ts: ioredis Cluster over three gated masters', async () => {
    const result = await runExample(['examples/ioredis-cluster.ts'], secretEnv(cluster));
    assertSucceeded(result, /^masters: 3; delta = delta\n$/);
  });

  it('renewal-events.ts: the connection outlives 4 s tokens because it is re-authenticated', async () => {
    const result = await runExample(['examples/renewal-events.ts'], { ...secretEnv(emulator, SHORT_LIVED), RENEWALS: '2' });
    assertSucceeded(result, /^token #1 for a7777777-[^\n]+\ntoken #2 [^\n]+\ntoken #3 [^\n]+\nstill connected after 2 renewals: PONG\n$/);
    // The gate saw the re-authentications on the live connection (not only new connections).
    const reAuths = emulator.redis!.gates[0]!.auths().filter((a) => a.oid === SHORT_LIVED.objectId && a.command === 'auth');
    assert.ok(reAuths.length >= 2, `expected >= 2 AUTH re-authentications, saw ${reAuths.length}`);
  });

  it('testing/app.test.ts: a user test suite that starts its own emulator (node:test)', async () => {
    const result = await runExample(['--test', 'examples/testing/app.test.ts'], {});
    assert.equal(result.code, 0, describeRun(result));
    assert.match(result.stdout, /# pass 1\n# fail 0/, describeRun(result));
  });
});
