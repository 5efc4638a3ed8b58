import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startIdentityEmulator, type IdentityEmulator } from '../../src/emulator/idp/identity-emulator.js';
import { DEFAULT_CERTIFICATE_PRINCIPAL, DEFAULT_SECRET_PRINCIPAL } from '../../src/emulator/idp/constants.js';
import { createCertificateAuthority } from '../../src/emulator/pki/certificate-authority.js';
import { startRedisServer, type RedisServerHandle } from '../../src/emulator/redis/redis-server.js';
import { startRedisGate, type RedisGate } from '../../src/emulator/gate/redis-gate.js';
import { startAzureRedis } from '../../src/emulator/gate/azure-redis.js';
import { createKeyVerifier, type AccessTokenVerifier } from '../../src/emulator/gate/token-verifier.js';
import { testCertificateAuthority } from '../helpers/test-ca.js';
import { cleanEnv, runCli } from './helpers.js';

interface Report {
  ok: boolean;
  exitCode: number;
  steps: { name: string; step: string; ok: boolean; durationMs: number; detail?: string; error?: { message: string; code?: string }; diagnosis?: { kind: string; cause: string; fix: string } }[];
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('redis-entraid check', () => {
  const ca = testCertificateAuthority();
  let idp: IdentityEmulator;
  let redis: RedisServerHandle;
  const gates: RedisGate[] = [];
  let good: RedisGate;
  let secretEnv: NodeJS.ProcessEnv;

  const gate = async (verifier: AccessTokenVerifier, hosts: string[] | null = ['127.0.0.1', 'localhost'], certAuthority = ca): Promise<RedisGate> => {
    const certificate = hosts ? certAuthority.issueServerCertificate(hosts) : undefined;
    const g = await startRedisGate({
      target: { host: redis.host, port: redis.port },
      admin: { username: redis.adminUser, password: redis.adminPassword },
      verifier,
      ...(certificate ? { tls: { cert: certificate.certPem, key: certificate.keyPem } } : {}),
    });
    gates.push(g);
    return g;
  };

  before(async () => {
    idp = await startIdentityEmulator({ ca, tokenLifetimeSeconds: 900 });
    redis = await startRedisServer();
    good = await gate(idp);
    secretEnv = cleanEnv({ ...idp.env.servicePrincipalSecret(), AZURE_TENANT_ID: idp.tenantId });
  });
  after(async () => {
    await Promise.all(gates.map((g) => g.close()));
    await redis?.stop();
    await idp?.close();
  });

  const check = async (port: number, extra: string[] = [], env = secretEnv): Promise<{ code: number | null; report: Report; stderr: string }> => {
    const r = await runCli(['check', '--host', '127.0.0.1', '--port', String(port), '--json', ...extra], env);
    return { code: r.code, report: JSON.parse(r.stdout) as Report, stderr: r.stderr };
  };

  it('passes every step against a healthy cache (text output)', async () => {
    const r = await runCli(['check', '--host', '127.0.0.1', '--port', String(good.port)], secretEnv);
    assert.equal(r.stderr, '');
    assert.equal(r.code, 0);
    const lines = r.stdout.trimEnd().split('\n');
    assert.match(lines[0] ?? '', new RegExp(`^Checking 127\\.0\\.0\\.1:${good.port} \\(TLS\\) as service principal ${DEFAULT_SECRET_PRINCIPAL.clientId} with a client secret`));
    assert.match(lines[1] ?? '', /^! Azure Cache for Redis listens on 6380, Azure Managed Redis on 10000$/);
    assert.match(lines[2] ?? '', new RegExp(`^✓ token +\\d+ ms  oid ${DEFAULT_SECRET_PRINCIPAL.objectId}, tid ${idp.tenantId}, aud https://redis\\.azure\\.com, appid ${DEFAULT_SECRET_PRINCIPAL.clientId}, expires \\S+ \\(in (14m 5\\ds|15m), lifetime 15m\\)$`));
    assert.match(lines[3] ?? '', /^✓ TLS +\d+ ms {2}TLSv1\.3, subject CN=127\.0\.0\.1, O=redis-entraid emulator, issuer CN=redis-entraid test CA, O=redis-entraid emulator, valid until \S+ \(\d+ days\)$/);
    assert.match(lines[4] ?? '', new RegExp(`^✓ AUTH +\\d+ ms  as ${DEFAULT_SECRET_PRINCIPAL.objectId}$`));
    assert.match(lines[5] ?? '', /^✓ PING +\d+ ms {2}PONG$/);
    assert.match(lines[6] ?? '', /^✓ DBSIZE +\d+ ms {2}\d+ keys$/);
    assert.equal(lines[7], 'OK: all 5 checks passed');
    assert.equal(lines.length, 8);
    assert.doesNotMatch(r.stdout, /eyJ/);
  });

  it('reports JSON for scripts', async () => {
    const { code, report } = await check(good.port);
    assert.equal(code, 0);
    assert.equal(report.ok, true);
    assert.equal(report.exitCode, 0);
    assert.deepEqual(report.steps.map((s) => [s.name, s.ok]), [['token', true], ['TLS', true], ['AUTH', true], ['PING', true], ['DBSIZE', true]]);
  });

  it('WRONGPASS for a valid token → no access policy assignment for this oid', async () => {
    // An access policy that covers only the secret principal.
    const policy = await gate({
      verifyAccessToken: (token, nowMs) => {
        const v = idp.verifyAccessToken(token, nowMs);
        return v.ok && v.claims['oid'] !== DEFAULT_SECRET_PRINCIPAL.objectId ? { ok: false, reason: 'bad-signature' } : v;
      },
    });
    const env = cleanEnv({ ...idp.env.servicePrincipalCertificate(), AZURE_TENANT_ID: idp.tenantId });
    const { code, report } = await check(policy.port, [], env);
    assert.equal(code, 1);
    const auth = report.steps.at(-1);
    assert.equal(auth?.name, 'AUTH');
    assert.equal(auth?.ok, false);
    assert.match(auth?.error?.message ?? '', /^WRONGPASS/);
    assert.equal(auth?.diagnosis?.kind, 'no-access-policy');
    assert.match(auth?.diagnosis?.cause ?? '', new RegExp(`^this principal \\(oid ${DEFAULT_CERTIFICATE_PRINCIPAL.objectId}\\) has no access policy assignment on the cache`));
  });

  it('WRONGPASS with an expired token → expired token / clock skew', async () => {
    idp.faults.failNext(1, { kind: 'expired-token' });
    try {
      const { code, report } = await check(good.port);
      assert.equal(code, 1);
      assert.match(report.steps[0]?.detail ?? '', /warning: the token expired \d+ s ago/);
      const auth = report.steps.at(-1);
      assert.equal(auth?.name, 'AUTH');
      assert.equal(auth?.diagnosis?.kind, 'token-expired');
      assert.match(auth?.diagnosis?.fix ?? '', /^sync the system clock \(NTP\)/);
    } finally {
      idp.faults.clear();
    }
  });

  it('WRONGPASS with a token for another resource → audience mismatch', async () => {
    const storage = await startIdentityEmulator({ ca, audience: 'https://storage.azure.com' });
    try {
      const redisOnly = await gate(createKeyVerifier(storage.publicKeys));
      const env = cleanEnv({ ...storage.env.servicePrincipalSecret(), AZURE_TENANT_ID: storage.tenantId });
      const { code, report } = await check(redisOnly.port, ['--scope', 'https://storage.azure.com/.default'], env);
      assert.equal(code, 1);
      const auth = report.steps.at(-1);
      assert.equal(auth?.diagnosis?.kind, 'audience-mismatch');
      assert.equal(auth?.diagnosis?.cause, "the token's audience is https://storage.azure.com, not Azure Redis (https://redis.azure.com)");
    } finally {
      await storage.close();
    }
  });

  it('TLS name mismatch when connecting by IP → suggests nodeAddressMap / natMap', async () => {
    const byName = await gate(idp, ['localhost']);
    const { code, report } = await check(byName.port);
    assert.equal(code, 1);
    const tls = report.steps.at(-1);
    assert.equal(tls?.name, 'TLS');
    assert.equal(tls?.error?.code, 'ERR_TLS_CERT_ALTNAME_INVALID');
    assert.equal(tls?.diagnosis?.kind, 'tls-name-mismatch');
    assert.match(tls?.diagnosis?.fix ?? '', /node-redis `nodeAddressMap`, ioredis `natMap`/);
    // With the right name it passes.
    const fixed = await check(byName.port, ['--servername', 'localhost']);
    assert.equal(fixed.code, 0);
  });

  it('untrusted certificate → NODE_EXTRA_CA_CERTS; --insecure-skip-verify warns and continues', async () => {
    const untrusted = await gate(idp, ['127.0.0.1'], createCertificateAuthority('some other CA'));
    const { code, report } = await check(untrusted.port);
    assert.equal(code, 1);
    assert.equal(report.steps.at(-1)?.diagnosis?.kind, 'tls-untrusted');
    assert.equal(report.steps.at(-1)?.error?.code, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    const skipped = await check(untrusted.port, ['--insecure-skip-verify']);
    assert.equal(skipped.code, 0);
    assert.equal(skipped.stderr, 'warning: --insecure-skip-verify: the server certificate is NOT verified; use only to diagnose\n');
    assert.match(skipped.report.steps[1]?.detail ?? '', /; NOT VERIFIED \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\)$/);
  });

  it('connection refused → check the port (6380 vs 10000)', async () => {
    const port = await freePort();
    const { code, report } = await check(port);
    assert.equal(code, 1);
    const step = report.steps.at(-1);
    assert.equal(step?.error?.code, 'ECONNREFUSED');
    assert.equal(step?.diagnosis?.kind, 'connection-refused');
    assert.equal(step?.diagnosis?.fix, 'check --host and --port; Azure Cache for Redis listens on 6380, Azure Managed Redis on 10000');
  });

  it('a plaintext port → not TLS', async () => {
    const plain = await gate(idp, null);
    const { code, report } = await check(plain.port, ['--timeout', '2000']);
    assert.equal(code, 1);
    assert.equal(report.steps.at(-1)?.diagnosis?.kind, 'not-tls');
    assert.match(report.steps.at(-1)?.error?.message ?? '', /; the port answers plaintext RESP \(-NOAUTH Authentication required\.\)$/);
  });

  it('a token failure stops before connecting and explains it', async () => {
    const env = cleanEnv({ ...idp.env.servicePrincipalSecret(), AZURE_TENANT_ID: idp.tenantId, AZURE_CLIENT_ID: '99999999-9999-4999-8999-999999999999' });
    const { code, report } = await check(good.port, [], env);
    assert.equal(code, 1);
    assert.equal(report.steps.length, 1);
    assert.equal(report.steps[0]?.diagnosis?.kind, 'unknown-client');
  });

  it('--cluster checks every node of an OSS-cluster cache', async () => {
    const cluster = await startAzureRedis({ verifier: idp, ca, cluster: true });
    try {
      const { code, report } = await check(cluster.port, ['--cluster']);
      assert.equal(code, 0, JSON.stringify(report.steps.filter((s) => !s.ok)));
      const names = report.steps.map((s) => s.name);
      assert.deepEqual(names.slice(0, 6), ['token', 'TLS', 'AUTH', 'PING', 'DBSIZE', 'CLUSTER SLOTS']);
      const nodes = cluster.gates.map((g) => `127.0.0.1:${g.port}`);
      assert.match(report.steps[5]?.detail ?? '', /^3 node\(s\): /);
      assert.deepEqual(new Set(report.steps[5]?.detail?.replace(/^3 node\(s\): /, '').split(', ')), new Set(nodes));
      for (const node of nodes) {
        assert.deepEqual(
          report.steps.filter((s) => s.name.startsWith(`node ${node} `)).map((s) => [s.name, s.ok]),
          ['TLS', 'AUTH', 'PING', 'DBSIZE'].map((n) => [`node ${node} ${n}`, true]),
        );
      }
      assert.equal(report.steps.length, 6 + 3 * 4);
    } finally {
      await cluster.close();
    }
  });

  it('--cluster: nodes announced by IP with a host-name certificate → exact nodeAddressMap / natMap advice', async () => {
    // Certificates that name only `localhost`, like Azure's name the cache host while nodes are announced by IP.
    const byName = { ...ca, issueServerCertificate: () => ca.issueServerCertificate(['localhost']) };
    const cluster = await startAzureRedis({ verifier: idp, ca: byName, cluster: true });
    try {
      const r = await runCli(['check', '--host', 'localhost', '--port', String(cluster.port), '--cluster'], secretEnv);
      assert.equal(r.code, 0, r.stdout);
      const port = cluster.gates[1]?.port as number;
      const map = `{ '127.0.0.1:${port}': { host: 'localhost', port: ${port} } }`;
      assert.ok(
        r.stdout.includes(
          `    ! cause: the cluster announces this node as 127.0.0.1:${port}, an IP address its certificate does not name (it names localhost)\n` +
            `    ! fix:   map node addresses in the client: node-redis \`nodeAddressMap: ${map}\`; ioredis \`natMap: ${map}\` with \`redisOptions: { tls: { servername: 'localhost' } }\`\n`,
        ),
        r.stdout,
      );
      assert.match(r.stdout, new RegExp(`\\n✓ node 127\\.0\\.0\\.1:${port} TLS +\\d+ ms  TLSv1\\.3, subject CN=localhost.*; verified as localhost, not as the announced 127\\.0\\.0\\.1\\n`));
      assert.match(r.stdout, /\nOK: all 18 checks passed\n$/);
    } finally {
      await cluster.close();
    }
  });

  it('--cluster against a non-clustered cache → drop --cluster', async () => {
    const { code, report } = await check(good.port, ['--cluster']);
    assert.equal(code, 1);
    const step = report.steps.at(-1);
    assert.equal(step?.name, 'CLUSTER SLOTS');
    assert.equal(step?.diagnosis?.kind, 'not-a-cluster');
  });

  it('usage errors exit 2', async () => {
    const r = await runCli(['check'], secretEnv);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, 'redis-entraid check: --host is required (or REDIS_HOST)\nSee redis-entraid check --help\n');
    const p = await runCli(['check', '--host', 'x', '--port', 'abc'], secretEnv);
    assert.equal(p.code, 2);
    assert.equal(p.stderr, 'redis-entraid check: --port must be an integer from 1 to 65535, got "abc"\nSee redis-entraid check --help\n');
  });
});
