import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ClientCertificateCredential, ClientSecretCredential } from '@azure/identity';
import { ConfidentialClientApplication } from '@azure/msal-node';
import {
  DEFAULT_CERTIFICATE_PRINCIPAL,
  DEFAULT_SECRET_PRINCIPAL,
  DEFAULT_SYSTEM_ASSIGNED_IDENTITY,
  DEFAULT_USER_ASSIGNED_IDENTITY,
  DEFAULT_WORKLOAD_PRINCIPAL,
} from '../../../src/emulator/idp/constants.js';
import { startIdentityEmulator, type IdentityEmulator } from '../../../src/emulator/idp/identity-emulator.js';
import { testCertificateAuthority } from '../../helpers/test-ca.js';

const SCOPE = 'https://redis.azure.com/.default';
const CHILD = join(import.meta.dirname, 'fixtures', 'credential-child.ts');
const run = promisify(execFile);

const claimsOf = (token: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;

/** The environment of the test process without any Azure identity variable, plus `extra`. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!/^(AZURE_|IDENTITY_|MSI_|IMDS_|IDENTITY_SERVER_THUMBPRINT)/.test(name)) env[name] = value;
  }
  return { ...env, ...extra };
}

interface ChildResult {
  readonly ok: boolean;
  readonly error?: string;
  readonly tokens?: ReadonlyArray<{ oid: string; appid: string; aud: string; uti: string }>;
}

async function runChild(mode: string, env: Record<string, string>, clientId?: string): Promise<ChildResult> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', CHILD, mode, ...(clientId ? [clientId] : [])], {
    env: cleanEnv(env),
    timeout: 40_000,
    encoding: 'utf8',
  });
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as ChildResult;
}

describe('identity emulator with the real @azure/identity and @azure/msal-node', () => {
  let emu: IdentityEmulator;
  let mark = 0;
  before(async () => {
    emu = await startIdentityEmulator({ ca: testCertificateAuthority() });
  });
  after(() => emu.close());
  beforeEach(() => {
    emu.faults.clear();
    mark = emu.requests.length;
  });
  /** The (method endpoint status) of every request since the test began. */
  const seen = (): string[] => emu.requests.slice(mark).map((r) => `${r.method} ${r.endpoint} ${r.status}`);
  const credentialOptions = (): { authorityHost: string; disableInstanceDiscovery: true } => ({ authorityHost: emu.authorityHost, disableInstanceDiscovery: true });

  it('ClientSecretCredential', async () => {
    const credential = new ClientSecretCredential(emu.tenantId, DEFAULT_SECRET_PRINCIPAL.clientId, DEFAULT_SECRET_PRINCIPAL.clientSecret, credentialOptions());
    const token = await credential.getToken(SCOPE);
    assert.equal(claimsOf(token.token)['oid'], DEFAULT_SECRET_PRINCIPAL.objectId);
    assert.equal(emu.verifyAccessToken(token.token).ok, true);
    assert.deepEqual(seen(), ['GET openid-configuration 200', 'POST token 200']);
  });

  it('ClientSecretCredential surfaces a wrong secret as AADSTS7000215', async () => {
    const credential = new ClientSecretCredential(emu.tenantId, DEFAULT_SECRET_PRINCIPAL.clientId, 'wrong', credentialOptions());
    await assert.rejects(credential.getToken(SCOPE), (err: Error) => err.name === 'AuthenticationRequiredError' || /AADSTS7000215/.test(err.message));
  });

  for (const sendCertificateChain of [false, true]) {
    it(`ClientCertificateCredential (PEM with key, sendCertificateChain ${sendCertificateChain})`, async () => {
      const pem = `${emu.clientCertificate.certPem}\n${emu.clientCertificate.keyPem}`;
      const credential = new ClientCertificateCredential(emu.tenantId, DEFAULT_CERTIFICATE_PRINCIPAL.clientId, { certificate: pem }, { ...credentialOptions(), sendCertificateChain });
      const token = await credential.getToken(SCOPE);
      assert.equal(claimsOf(token.token)['oid'], DEFAULT_CERTIFICATE_PRINCIPAL.objectId);
      assert.deepEqual(seen(), ['GET openid-configuration 200', 'POST token 200']);
    });
  }

  describe('msal-node ConfidentialClientApplication', () => {
    const authority = (): { authority: string; knownAuthorities: string[] } => ({
      authority: `${emu.authorityHost}/${emu.tenantId}`,
      knownAuthorities: [new URL(emu.authorityHost).host],
    });

    it('with a secret: skipCache gives a new token per call', async () => {
      const app = new ConfidentialClientApplication({ auth: { clientId: DEFAULT_SECRET_PRINCIPAL.clientId, clientSecret: DEFAULT_SECRET_PRINCIPAL.clientSecret, ...authority() } });
      const first = await app.acquireTokenByClientCredential({ scopes: [SCOPE], skipCache: true });
      const second = await app.acquireTokenByClientCredential({ scopes: [SCOPE], skipCache: true });
      assert.ok(first && second);
      assert.equal(claimsOf(first.accessToken)['oid'], DEFAULT_SECRET_PRINCIPAL.objectId);
      assert.notEqual(first.accessToken, second.accessToken);
      assert.deepEqual(seen(), ['GET openid-configuration 200', 'POST token 200', 'POST token 200']);
    });

    for (const thumbprint of ['sha1', 'sha256'] as const) {
      it(`with a certificate (${thumbprint} thumbprint, x5c)`, async () => {
        const der = new X509Certificate(emu.clientCertificate.certPem).raw;
        const hex = createHash(thumbprint).update(der).digest('hex');
        const app = new ConfidentialClientApplication({
          auth: {
            clientId: DEFAULT_CERTIFICATE_PRINCIPAL.clientId,
            clientCertificate: {
              ...(thumbprint === 'sha1' ? { thumbprint: hex } : { thumbprintSha256: hex }),
              privateKey: emu.clientCertificate.keyPem,
              x5c: emu.clientCertificate.certPem,
            },
            ...authority(),
          },
        });
        const result = await app.acquireTokenByClientCredential({ scopes: [SCOPE], skipCache: true });
        assert.equal(claimsOf(result?.accessToken ?? '')['oid'], DEFAULT_CERTIFICATE_PRINCIPAL.objectId);
        assert.deepEqual(seen(), ['GET openid-configuration 200', 'POST token 200']);
      });
    }
  });

  describe('environment and managed identity, each in its own process', () => {
    const cases: Array<[string, string, () => Record<string, string>, string | undefined, string, string[]]> = [
      ['EnvironmentCredential (secret)', 'environment', () => emu.env.servicePrincipalSecret(), undefined, DEFAULT_SECRET_PRINCIPAL.objectId, ['GET openid-configuration 200', 'POST token 200']],
      ['DefaultAzureCredential (secret)', 'default', () => emu.env.servicePrincipalSecret(), undefined, DEFAULT_SECRET_PRINCIPAL.objectId, ['GET openid-configuration 200', 'POST token 200']],
      ['DefaultAzureCredential (certificate file)', 'default', () => emu.env.servicePrincipalCertificate(), undefined, DEFAULT_CERTIFICATE_PRINCIPAL.objectId, ['GET openid-configuration 200', 'POST token 200']],
      ['DefaultAzureCredential (workload identity)', 'default', () => emu.env.workloadIdentity(), undefined, DEFAULT_WORKLOAD_PRINCIPAL.objectId, ['GET openid-configuration 200', 'POST token 200']],
      ['ManagedIdentityCredential, App Service, system-assigned', 'managed-identity', () => emu.env.appServiceManagedIdentity(), undefined, DEFAULT_SYSTEM_ASSIGNED_IDENTITY.objectId, ['GET app-service 200']],
      ['ManagedIdentityCredential, App Service, user-assigned', 'managed-identity', () => emu.env.appServiceManagedIdentity(), DEFAULT_USER_ASSIGNED_IDENTITY.clientId, DEFAULT_USER_ASSIGNED_IDENTITY.objectId, ['GET app-service 200']],
      ['ManagedIdentityCredential, IMDS, system-assigned', 'managed-identity', () => emu.env.imdsManagedIdentity(), undefined, DEFAULT_SYSTEM_ASSIGNED_IDENTITY.objectId, ['GET imds 200']],
      ['ManagedIdentityCredential, IMDS, user-assigned', 'managed-identity', () => emu.env.imdsManagedIdentity(), DEFAULT_USER_ASSIGNED_IDENTITY.clientId, DEFAULT_USER_ASSIGNED_IDENTITY.objectId, ['GET imds 200']],
      ['msal ManagedIdentityApplication, App Service, forceRefresh', 'msal-managed-identity', () => emu.env.appServiceManagedIdentity(), DEFAULT_USER_ASSIGNED_IDENTITY.clientId, DEFAULT_USER_ASSIGNED_IDENTITY.objectId, ['GET app-service 200', 'GET app-service 200']],
      ['msal ManagedIdentityApplication, IMDS, forceRefresh', 'msal-managed-identity', () => emu.env.imdsManagedIdentity(), undefined, DEFAULT_SYSTEM_ASSIGNED_IDENTITY.objectId, ['GET imds 200', 'GET imds 200']],
    ];
    for (const [name, mode, env, clientId, oid, requests] of cases) {
      it(name, async () => {
        const result = await runChild(mode, env(), clientId);
        assert.equal(result.error, undefined, JSON.stringify(emu.requests.slice(mark)));
        assert.equal(result.ok, true);
        assert.ok(result.tokens && result.tokens.length > 0);
        for (const token of result.tokens) {
          assert.equal(token.oid, oid);
          assert.equal(token.aud, 'https://redis.azure.com');
        }
        if (result.tokens.length === 2) assert.notEqual(result.tokens[0]?.uti, result.tokens[1]?.uti);
        assert.deepEqual(seen(), requests);
      });
    }
  });
});
