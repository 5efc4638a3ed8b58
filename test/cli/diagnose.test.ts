import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diagnose, portHint, tokenProblem, type DiagnoseContext } from '../../src/cli/diagnose.js';

const now = Date.parse('2026-01-01T00:00:00Z');
const claims = { oid: 'o-1', aud: 'https://redis.azure.com', iat: now / 1000 - 10, exp: now / 1000 + 3600 };
const ctx = (over: Partial<DiagnoseContext> = {}): DiagnoseContext => ({ host: 'c.westeurope.redis.azure.net', port: 10000, cluster: false, claims, username: 'o-1', nowMs: now, ...over });

describe('check diagnosis table', () => {
  it('maps server replies to causes', () => {
    assert.equal(diagnose('ping', { message: 'NOAUTH Authentication required.' }, ctx()).kind, 'noauth');
    assert.equal(diagnose('dbsize', { message: "NOPERM User o-1 has no permissions to run the 'dbsize' command" }, ctx()).kind, 'noperm');
    assert.equal(diagnose('dbsize', { message: 'MOVED 3999 10.0.0.4:8501' }, ctx()).kind, 'cluster-mode');
    assert.equal(diagnose('auth', { message: 'ERR AUTH <password> called without any password configured for the default user.' }, ctx()).kind, 'entra-disabled');
    assert.equal(diagnose('auth', { message: 'WRONGPASS invalid username-password pair or user is disabled.' }, ctx()).kind, 'no-access-policy');
    assert.equal(diagnose('auth', { message: 'WRONGPASS invalid username-password pair' }, ctx({ username: 'client-id' })).kind, 'username-mismatch');
    assert.equal(diagnose('auth', { message: 'ERR closed', code: 'ERR_CONNECTION_CLOSED' }, ctx()).kind, 'connection-closed');
  });

  it('maps connection errors, with port hints per product', () => {
    assert.equal(diagnose('connect', { message: 'x', code: 'ENOTFOUND' }, ctx()).kind, 'dns');
    assert.equal(diagnose('connect', { message: 'x', code: 'CERT_HAS_EXPIRED' }, ctx()).kind, 'tls-certificate-time');
    assert.equal(diagnose('connect', { message: 'x', code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }, ctx()).kind, 'tls-untrusted');
    const byIp = diagnose('connect', { message: 'x', code: 'ERR_TLS_CERT_ALTNAME_INVALID' }, ctx({ host: '10.0.0.4' }));
    assert.equal(byIp.cause, 'connected by IP address 10.0.0.4, but the server certificate names host names only');
    assert.equal(portHint('c.redis.cache.windows.net', 6379), 'port 6379 is the non-TLS port, disabled by default on Azure Cache for Redis: use 6380');
    assert.equal(portHint('c.westeurope.redis.azure.net', 6380), 'Azure Managed Redis listens on 10000, not 6380 (6380 is Azure Cache for Redis)');
    assert.equal(portHint('c.westeurope.redis.azure.net', 10000), undefined);
    assert.equal(portHint('c.redis.cache.windows.net', 6380), undefined);
    assert.equal(diagnose('connect', { message: 'x', code: 'ECONNREFUSED' }, ctx({ host: 'c.redis.cache.windows.net', port: 10000 })).fix, 'check --host and --port; Azure Cache for Redis listens on 6380 (TLS), not 10000');
  });

  it('reads token facts: audience, expiry, clock skew', () => {
    assert.equal(tokenProblem(claims, now), undefined);
    assert.equal(tokenProblem({ ...claims, aud: 'acca5fbb-b7e4-4009-81f1-37e38fd66d78' }, now), undefined);
    assert.equal(tokenProblem({ ...claims, aud: 'https://graph.microsoft.com' }, now)?.kind, 'audience-mismatch');
    assert.equal(tokenProblem({ ...claims, exp: now / 1000 - 5 }, now)?.kind, 'token-expired');
    assert.equal(tokenProblem({ ...claims, iat: now / 1000 + 900 }, now)?.kind, 'clock-skew');
    assert.equal(tokenProblem({ aud: 'https://redis.azure.com', exp: now / 1000 + 60 }, now)?.kind, 'no-oid');
  });

  it('maps token request failures by AADSTS code and error name', () => {
    const t = (message: string, name?: string, kind = 'secret'): string => diagnose('token', { message, name }, ctx({ identityKind: kind })).kind;
    assert.equal(t('AADSTS7000215: Invalid client secret provided.'), 'invalid-client-secret');
    assert.equal(t('AADSTS700016: Application not found'), 'unknown-client');
    assert.equal(t('AADSTS90002: Tenant not found'), 'unknown-tenant');
    assert.equal(t('AADSTS500011: The resource principal was not found'), 'invalid-scope');
    assert.equal(t('ManagedIdentityCredential: unavailable', 'CredentialUnavailableError', 'managed'), 'managed-identity-unavailable');
    assert.equal(t('no credential', 'AggregateAuthenticationError', 'default'), 'credential-unavailable');
    assert.equal(t('request to https://login.example failed, reason: connect ECONNREFUSED'), 'authority-unreachable');
  });

  it('a refused certificate is diagnosed as such, not as a bad secret (it also comes back as invalid_client)', () => {
    const t = (message: string, kind: string): string => diagnose('token', { message }, ctx({ identityKind: kind })).kind;
    const refused = 'invalid_client: AADSTS700027: The certificate with identifier used to sign the client assertion is not registered.';
    assert.equal(t(refused, 'certificate'), 'certificate-rejected');
    assert.equal(t(refused, 'secret'), 'certificate-rejected');
    assert.equal(t('invalid_client: the client assertion could not be validated', 'certificate'), 'certificate-rejected');
    assert.equal(t('invalid_client: AADSTS7000215: Invalid client secret provided.', 'secret'), 'invalid-client-secret');
    assert.equal(t('self-signed certificate in certificate chain', 'certificate'), 'authority-unreachable');
  });
});
