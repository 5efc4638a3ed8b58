import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startIdentityEmulator, type IdentityEmulator } from '../../src/emulator/idp/identity-emulator.js';
import {
  DEFAULT_CERTIFICATE_PRINCIPAL,
  DEFAULT_EMULATOR_TENANT_ID,
  DEFAULT_SECRET_PRINCIPAL,
  DEFAULT_SYSTEM_ASSIGNED_IDENTITY,
  DEFAULT_USER_ASSIGNED_IDENTITY,
} from '../../src/emulator/idp/constants.js';
import { testCertificateAuthority } from '../helpers/test-ca.js';
import { cleanEnv, runCli } from './helpers.js';

describe('redis-entraid token', () => {
  let idp: IdentityEmulator;
  before(async () => {
    idp = await startIdentityEmulator({ ca: testCertificateAuthority(), tokenLifetimeSeconds: 600 });
  });
  after(async () => {
    await idp.close();
  });

  it('prints the claims of a service principal token, never the token or the secret', async () => {
    const r = await runCli(['token'], cleanEnv({ ...idp.env.servicePrincipalSecret(), AZURE_TENANT_ID: idp.tenantId }));
    assert.equal(r.stderr, '');
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^✓ token for https:\/\/redis\.azure\.com\/\.default in \d+ ms \(service principal 11111111-1111-4111-8111-000000000001 with a client secret, tenant 72f988bf/);
    assert.match(r.stdout, new RegExp(`\\n  oid      ${DEFAULT_SECRET_PRINCIPAL.objectId}  \\(the Redis username\\)\\n`));
    assert.match(r.stdout, new RegExp(`\\n  tid      ${DEFAULT_EMULATOR_TENANT_ID}\\n`));
    assert.match(r.stdout, /\n {2}aud {6}https:\/\/redis\.azure\.com\n/);
    assert.match(r.stdout, new RegExp(`\\n  appid    ${DEFAULT_SECRET_PRINCIPAL.clientId}\\n`));
    assert.match(r.stdout, /\n {2}expires {2}\d{4}-\d\d-\d\dT[\d:.]+Z \(in (9m 5\ds|10m), lifetime 10m\)\n$/);
    assert.doesNotMatch(r.stdout, /eyJ/);
    assert.ok(!r.stdout.includes(DEFAULT_SECRET_PRINCIPAL.clientSecret));
  });

  it('prints only the raw token with --raw', async () => {
    const r = await runCli(['token', '--raw'], cleanEnv({ ...idp.env.servicePrincipalSecret(), AZURE_TENANT_ID: idp.tenantId }));
    assert.equal(r.code, 0);
    const token = r.stdout.trimEnd();
    assert.match(r.stdout, /^eyJ[\w-]+\.[\w-]+\.[\w-]+\n$/);
    assert.equal(idp.verifyAccessToken(token).ok, true);
  });

  it('prints JSON with --json, without the token', async () => {
    const r = await runCli(['token', '--json', '--identity', 'certificate'], cleanEnv({ ...idp.env.servicePrincipalCertificate(), AZURE_TENANT_ID: idp.tenantId }));
    assert.equal(r.code, 0);
    const body = JSON.parse(r.stdout) as { ok: boolean; identity: string; claims: { oid: string; lifetimeSeconds: number }; token?: string };
    assert.equal(body.ok, true);
    assert.equal(body.identity, 'certificate');
    assert.equal(body.claims.oid, DEFAULT_CERTIFICATE_PRINCIPAL.objectId);
    assert.equal(body.claims.lifetimeSeconds, 600);
    assert.equal(body.token, undefined);
  });

  it('acquires a system-assigned and a user-assigned managed identity token', async () => {
    const system = await runCli(['token', '--json'], cleanEnv(idp.env.appServiceManagedIdentity()));
    assert.equal(system.code, 0, system.stderr);
    assert.equal((JSON.parse(system.stdout) as { identity: string }).identity, 'managed');
    assert.equal((JSON.parse(system.stdout) as { claims: { oid: string } }).claims.oid, DEFAULT_SYSTEM_ASSIGNED_IDENTITY.objectId);
    const user = await runCli(['token', '--json', '--client-id', DEFAULT_USER_ASSIGNED_IDENTITY.clientId], cleanEnv(idp.env.appServiceManagedIdentity()));
    assert.equal(user.code, 0, user.stderr);
    assert.equal((JSON.parse(user.stdout) as { claims: { oid: string } }).claims.oid, DEFAULT_USER_ASSIGNED_IDENTITY.objectId);
  });

  it('explains a wrong client secret and exits 1', async () => {
    const r = await runCli(['token'], cleanEnv({ ...idp.env.servicePrincipalSecret(), AZURE_TENANT_ID: idp.tenantId, AZURE_CLIENT_SECRET: 'wrong-secret-value-123' }));
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^✗ token: acquisition failed after \d+ ms \(service principal/);
    assert.match(r.stderr, /\n {2}cause: the identity platform refused the client credentials \(AADSTS7000215\)/);
    assert.match(r.stderr, /\n {2}fix: {3}create a new client secret on the app registration and set its value in AZURE_CLIENT_SECRET\n$/);
    assert.ok(!r.stderr.includes('wrong-secret-value-123'));
  });

  it('explains an untrusted local authority: source the emulator env file', async () => {
    const env = cleanEnv({ ...idp.env.servicePrincipalSecret(), AZURE_TENANT_ID: idp.tenantId });
    delete env['NODE_EXTRA_CA_CERTS'];
    const r = await runCli(['token', '--json'], env);
    assert.equal(r.code, 1);
    const body = JSON.parse(r.stdout) as { ok: boolean; diagnosis: { kind: string; fix: string } };
    assert.equal(body.ok, false);
    assert.equal(body.diagnosis.kind, 'authority-untrusted');
    assert.match(body.diagnosis.fix, /^source an env file printed by `redis-entraid emulator` \(it sets NODE_EXTRA_CA_CERTS/);
  });

  it('is a usage error (exit 2) when a service principal lacks its tenant', async () => {
    const r = await runCli(['token', '--identity', 'secret'], cleanEnv({ AZURE_CLIENT_ID: 'x', AZURE_CLIENT_SECRET: 'y' }));
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, 'redis-entraid token: --identity secret needs --tenant-id (or AZURE_TENANT_ID)\nSee redis-entraid token --help\n');
  });

  it('shows --help and exits 0', async () => {
    const r = await runCli(['token', '--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^Usage: redis-entraid token \[options\]\n/);
    assert.match(r.stdout, /Exit codes: 0 token acquired, 1 acquisition failed, 2 usage error\.\n$/);
  });
});
