import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  DEFAULT_CERTIFICATE_PRINCIPAL,
  DEFAULT_SECRET_PRINCIPAL,
} from '../../../src/emulator/idp/constants.js';
import { startIdentityEmulator, type IdentityEmulator } from '../../../src/emulator/idp/identity-emulator.js';
import { createFromServicePrincipal } from '../../../src/provider/factories/service-principal.js';
import { testCertificateAuthority } from '../../helpers/test-ca.js';
import { FAST_RENEWAL, observeRenewals, recordOutgoingHosts } from './observe.js';

const TOKENS = 6; // the first token + 5 renewals

describe('createFromServicePrincipal against the identity emulator', () => {
  let emulator: IdentityEmulator;
  let emulatorHost: string;
  before(async () => {
    emulator = await startIdentityEmulator({ ca: testCertificateAuthority(), tokenLifetimeSeconds: 3 });
    emulatorHost = new URL(emulator.authorityHost).host;
  });
  after(() => emulator.close());

  function logSince(start: number): { endpoint: string; status: number; principal: string | undefined }[] {
    return emulator.requests.slice(start).map(({ endpoint, status, principal }) => ({ endpoint, status, principal }));
  }

  for (const variant of ['secret', 'certificate', 'certificate with chain'] as const) {
    it(`${variant}: a fresh token per renewal, one token request per renewal, three subscribers`, async () => {
      const start = emulator.requests.length;
      const recorder = recordOutgoingHosts();
      const principal = variant === 'secret' ? DEFAULT_SECRET_PRINCIPAL : DEFAULT_CERTIFICATE_PRINCIPAL;
      const provider = createFromServicePrincipal({
        clientId: principal.clientId,
        tenantId: emulator.tenantId,
        authorityHost: emulator.authorityHost,
        ...(variant === 'secret'
          ? { clientSecret: DEFAULT_SECRET_PRINCIPAL.clientSecret }
          : {
              certificate: emulator.clientCertificate.certPem + emulator.clientCertificate.keyPem,
              sendCertificateChain: variant === 'certificate with chain',
            }),
        tokenManagerConfig: FAST_RENEWAL,
      });
      const seen = await observeRenewals(provider, { tokens: TOKENS, subscribers: 3, timeoutMs: 20_000 });
      recorder.stop();

      assert.equal(seen.error, undefined);
      assert.equal(seen.tokens, TOKENS);
      assert.equal(new Set(seen.utis).size, TOKENS, 'every renewal produced a new token (distinct uti)');
      assert.deepEqual(new Set(seen.oids), new Set([principal.objectId]));
      assert.deepEqual(seen.usernames, [principal.objectId]);
      assert.deepEqual(seen.distinctPasswordsPerSubscriber, [TOKENS, TOKENS, TOKENS]);
      assert.deepEqual(seen.failures, []);
      // One discovery document for the msal application, then exactly one token request per token.
      assert.deepEqual(logSince(start), [
        { endpoint: 'openid-configuration', status: 200, principal: undefined },
        ...Array.from({ length: TOKENS }, () => ({ endpoint: 'token', status: 200, principal: principal.clientId })),
      ]);
      assert.deepEqual([...recorder.hosts], [emulatorHost], 'no request to anything but the emulator');
    });
  }

  for (const fault of [
    { kind: 'status', status: 503 },
    // Retry-After is honoured (at least 1 s between attempts), yet msal's own throttle would hold for 60 s.
    { kind: '429', retryAfterSeconds: 1 },
  ] as const) {
    it(`recovers from a burst of ${fault.kind === 'status' ? '503' : '429 (Retry-After 1 s)'} well within msal's throttling window`, async () => {
      const start = emulator.requests.length;
      const provider = createFromServicePrincipal({
        clientId: DEFAULT_SECRET_PRINCIPAL.clientId,
        tenantId: emulator.tenantId,
        authorityHost: emulator.authorityHost,
        clientSecret: DEFAULT_SECRET_PRINCIPAL.clientSecret,
        tokenManagerConfig: FAST_RENEWAL,
      });
      // The first token succeeds; then the next three token requests (the first renewal's attempts) fail.
      let armed = false;
      provider.on('tokenRenewed', (event) => {
        if (event.sequence === 1 && !armed) {
          armed = true;
          emulator.faults.failNext(3, fault, { endpoint: 'token' });
        }
      });
      const started = Date.now();
      let seen: Awaited<ReturnType<typeof observeRenewals>>;
      try {
        seen = await observeRenewals(provider, { tokens: 3, subscribers: 2, timeoutMs: 20_000 });
      } finally {
        emulator.faults.clear();
      }
      const elapsedMs = Date.now() - started;

      assert.equal(seen.error, undefined);
      assert.equal(seen.tokens, 3);
      assert.equal(new Set(seen.utis).size, 3);
      assert.equal(seen.failures.length, 3);
      for (const failure of seen.failures) assert.equal(failure.retryable, true);
      if (fault.kind === '429') assert.deepEqual(seen.failures.map((f) => f.retryAfterMs), [1_000, 1_000, 1_000]);
      assert.ok(elapsedMs < 15_000, `recovered after ${elapsedMs} ms, sooner than msal's own throttling would allow`);
      const tokenRequests = logSince(start).filter((entry) => entry.endpoint === 'token');
      // Every failed attempt really reached the server (none was replayed from msal's throttling cache).
      assert.deepEqual(
        tokenRequests.map((entry) => entry.status),
        [200, ...Array<number>(3).fill(fault.kind === 'status' ? 503 : 429), 200, 200],
      );
    });
  }

  it('fails with a non-retryable error for a wrong secret, without leaking it', async () => {
    const provider = createFromServicePrincipal({
      clientId: DEFAULT_SECRET_PRINCIPAL.clientId,
      tenantId: emulator.tenantId,
      authorityHost: emulator.authorityHost,
      clientSecret: 'wrong-secret-VALUE-123',
      tokenManagerConfig: FAST_RENEWAL,
    });
    try {
      await assert.rejects(
        provider.subscribe({ onNext: () => undefined, onError: () => undefined }),
        (error: unknown) => {
          assert.ok(error instanceof Error);
          assert.equal((error as Error & { retryable?: boolean }).retryable, false);
          assert.ok(!error.message.includes('wrong-secret-VALUE-123'));
          assert.ok(!JSON.stringify(error).includes('wrong-secret-VALUE-123'));
          return true;
        },
      );
    } finally {
      await provider.close();
    }
  });
});
