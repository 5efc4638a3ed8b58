// The factories that hold no process-wide state, all in this process against one emulator (each case as a principal
// of its own): two node-redis clients share the provider through the TLS gate for the first token + 5 renewals of
// 3-second tokens.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ClientSecretCredential } from '@azure/identity';
import type { Emulator } from '../../../src/emulator/index.js';
import { DEFAULT_CERTIFICATE_PRINCIPAL, DEFAULT_SECRET_PRINCIPAL } from '../../../src/emulator/idp/constants.js';
import type { IdentityProvider, IdentityToken, TokenRequest } from '../../../src/identity/identity-provider.js';
import { createFromIdentityProvider } from '../../../src/provider/create-from-identity-provider.js';
import type { EntraIdCredentialsProvider } from '../../../src/provider/entra-id-credentials-provider.js';
import { createFromCredential } from '../../../src/provider/factories/credential.js';
import { createFromServicePrincipal } from '../../../src/provider/factories/service-principal.js';
import { THREE_SECOND_TOKENS, TOKENS, runScenario, type GateTarget } from './scenario.js';

// `reAuthenticationJitterMs: 0`: the scenario counts each renewal's AUTHs as soon as it sees the renewal.
import { startFactoryEmulator, verifyNothingElse, verifyRun, type Principal } from './verify.js';

/** Principals registered for this file, so that each case has an object id (gate) and client id (IdP) of its own. */
const SECOND_SECRET_PRINCIPAL = Object.freeze({
  clientId: '66666666-6666-4666-8666-000000000061',
  objectId: 'a6666666-6666-4666-8666-0000000000b1',
  clientSecret: 'second-secret-not-real',
});
const SECOND_CERTIFICATE_PRINCIPAL = Object.freeze({
  clientId: '66666666-6666-4666-8666-000000000062',
  objectId: 'a6666666-6666-4666-8666-0000000000b2',
});
const CUSTOM_PRINCIPAL = Object.freeze({
  clientId: '66666666-6666-4666-8666-000000000063',
  objectId: 'a6666666-6666-4666-8666-0000000000b3',
  clientSecret: 'custom-source-secret-not-real',
});

/** A hand-written token source: a plain client-credentials POST with fetch, no MSAL, no @azure/identity. */
class FetchClientCredentials implements IdentityProvider {
  readonly name = 'custom-fetch-client-credentials';
  readonly forceRefreshSeen: boolean[] = [];

  constructor(private readonly tokenEndpoint: string) {}

  async requestToken(request: TokenRequest): Promise<IdentityToken> {
    this.forceRefreshSeen.push(request.forceRefresh);
    const response = await fetch(this.tokenEndpoint, {
      method: 'POST',
      signal: request.signal,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: CUSTOM_PRINCIPAL.clientId,
        client_secret: CUSTOM_PRINCIPAL.clientSecret,
        scope: 'https://redis.azure.com/.default',
      }),
    });
    if (!response.ok) throw new Error(`token endpoint answered ${response.status}`);
    const body = (await response.json()) as { access_token: string; expires_in: number };
    return { token: body.access_token, expiresOnMs: Date.now() + body.expires_in * 1_000 };
  }
}

interface Case {
  readonly name: string;
  readonly principal: Principal;
  /** Whether the factory goes through msal (one OpenID discovery request per provider). */
  readonly msal: boolean;
  /** The provider, and optionally checks of the factory's own token source once the run is over. */
  readonly create: (emulator: Emulator) => EntraIdCredentialsProvider | { provider: EntraIdCredentialsProvider; check: () => void };
}

const cases: readonly Case[] = [
  {
    name: 'createFromServicePrincipal with a client secret',
    principal: DEFAULT_SECRET_PRINCIPAL,
    msal: true,
    create: (emulator) =>
      createFromServicePrincipal({
        clientId: DEFAULT_SECRET_PRINCIPAL.clientId,
        clientSecret: DEFAULT_SECRET_PRINCIPAL.clientSecret,
        tenantId: emulator.identity.tenantId,
        authorityHost: emulator.identity.authorityHost,
        tokenManagerConfig: THREE_SECOND_TOKENS,
        reAuthenticationJitterMs: 0,
      }),
  },
  {
    name: 'createFromServicePrincipal with a client certificate (PEM file of env.servicePrincipalCertificate())',
    principal: DEFAULT_CERTIFICATE_PRINCIPAL,
    msal: true,
    create: (emulator) => {
      const certificatePath = emulator.identity.env.servicePrincipalCertificate().AZURE_CLIENT_CERTIFICATE_PATH;
      assert.ok(certificatePath);
      return createFromServicePrincipal({
        clientId: DEFAULT_CERTIFICATE_PRINCIPAL.clientId,
        certificatePath,
        tenantId: emulator.identity.tenantId,
        authorityHost: emulator.identity.authorityHost,
        tokenManagerConfig: THREE_SECOND_TOKENS,
        reAuthenticationJitterMs: 0,
      });
    },
  },
  {
    name: 'createFromServicePrincipal with a client certificate (identity.clientCertificate PEM, chain sent)',
    principal: SECOND_CERTIFICATE_PRINCIPAL,
    msal: true,
    create: (emulator) => {
      const { certPem, keyPem } = emulator.identity.clientCertificate;
      emulator.identity.addServicePrincipal({ ...SECOND_CERTIFICATE_PRINCIPAL, certificatePems: [certPem] });
      return createFromServicePrincipal({
        clientId: SECOND_CERTIFICATE_PRINCIPAL.clientId,
        certificate: certPem + keyPem,
        sendCertificateChain: true,
        tenantId: emulator.identity.tenantId,
        authorityHost: emulator.identity.authorityHost,
        tokenManagerConfig: THREE_SECOND_TOKENS,
        reAuthenticationJitterMs: 0,
      });
    },
  },
  {
    name: 'createFromCredential with an @azure/identity ClientSecretCredential',
    principal: SECOND_SECRET_PRINCIPAL,
    msal: true,
    create: (emulator) => {
      emulator.identity.addServicePrincipal(SECOND_SECRET_PRINCIPAL);
      const credential = new ClientSecretCredential(emulator.identity.tenantId, SECOND_SECRET_PRINCIPAL.clientId, SECOND_SECRET_PRINCIPAL.clientSecret, {
        authorityHost: emulator.identity.authorityHost,
        disableInstanceDiscovery: true,
      });
      return createFromCredential(credential, { tokenManagerConfig: THREE_SECOND_TOKENS, reAuthenticationJitterMs: 0 });
    },
  },
  {
    name: 'createFromIdentityProvider with a custom token source',
    principal: CUSTOM_PRINCIPAL,
    msal: false,
    create: (emulator) => {
      emulator.identity.addServicePrincipal(CUSTOM_PRINCIPAL);
      const source = new FetchClientCredentials(emulator.identity.tokenEndpoint);
      return {
        provider: createFromIdentityProvider(source, { tokenManagerConfig: THREE_SECOND_TOKENS, reAuthenticationJitterMs: 0 }),
        check: () =>
          assert.deepEqual(source.forceRefreshSeen, [false, ...Array<boolean>(TOKENS - 1).fill(true)], 'each renewal asked for a fresh token'),
      };
    },
  },
];

describe('factories in process: two node-redis clients through the TLS gate, 5 renewals of 3-second tokens', () => {
  let emulator: Emulator;
  let target: GateTarget;
  before(async () => {
    ({ emulator, target } = await startFactoryEmulator());
  });
  after(() => emulator.close());

  describe('each factory (concurrently, one principal each)', { concurrency: true }, () => {
    for (const testCase of cases) {
      it(`${testCase.name}: no failed command, one AUTH per connection per token, one token request per renewal`, async (t) => {
        const created = testCase.create(emulator);
        const { provider, check } = 'provider' in created ? created : { provider: created, check: () => undefined };
        t.after(() => provider.close());
        const label = testCase.name.replace(/\W+/g, '-');
        const result = await runScenario(provider, target, { label, tokens: TOKENS, timeoutMs: 40_000 });
        await verifyRun(emulator, result, testCase.principal, 'token');
        check();
      });
    }
  });

  it('the gate and the identity emulator saw nothing else (no expiry closure, only discovery besides tokens)', () => {
    verifyNothingElse(
      emulator,
      cases.map((c) => c.principal),
      cases.filter((c) => c.msal).length,
    );
  });
});
