import assert from 'node:assert/strict';
import { createHash, createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { after, describe, it } from 'node:test';
import { ConfigurationError } from '../../src/errors.js';
import { loadClientCertificate } from '../../src/identity/client-certificate.js';
import { testCertificateAuthority } from '../helpers/test-ca.js';

const ca = testCertificateAuthority();
const client = ca.issueClientCertificate('unit-test-client');
const other = ca.issueClientCertificate('other-client');
const dir = mkdtempSync(join(tmpdir(), 'redis-entraid-cert-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function expectedThumbprint(certPem: string): string {
  return createHash('sha256').update(new X509Certificate(certPem).raw).digest('hex');
}

function assertConfigError(fn: () => unknown, field: string, message: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof ConfigurationError);
    assert.equal(error.field, field);
    assert.match(error.message, message);
    return true;
  });
}

describe('loadClientCertificate', () => {
  it('computes the SHA-256 thumbprint of the leaf certificate as lowercase hex', () => {
    const cert = loadClientCertificate({ certificate: client.certPem + client.keyPem });
    assert.equal(cert.thumbprintSha256, expectedThumbprint(client.certPem));
    assert.match(cert.thumbprintSha256, /^[0-9a-f]{64}$/);
    // Same thumbprint the JWS header carries (base64url form).
    assert.equal(Buffer.from(cert.thumbprintSha256, 'hex').toString('base64url'), client.x5tS256);
  });

  it('accepts the key before the certificate, a Buffer, and a chain (leaf first)', () => {
    const pem = Buffer.from(client.keyPem + client.certPem + ca.certPem);
    const cert = loadClientCertificate({ certificate: pem });
    assert.equal(cert.thumbprintSha256, expectedThumbprint(client.certPem));
    assert.equal(cert.chainPem.match(/BEGIN CERTIFICATE/g)?.length, 2);
    assert.match(cert.privateKeyPem, /^-----BEGIN PRIVATE KEY-----/);
  });

  it('reads certificatePath', () => {
    const path = join(dir, 'client.pem');
    writeFileSync(path, client.certPem + client.keyPem);
    assert.equal(loadClientCertificate({ certificatePath: path }).thumbprintSha256, expectedThumbprint(client.certPem));
  });

  it('decrypts an encrypted private key with certificatePassword', () => {
    const encrypted = createPrivateKey(client.keyPem)
      .export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pa55' })
      .toString();
    const pem = client.certPem + encrypted;
    assert.equal(loadClientCertificate({ certificate: pem, certificatePassword: 'pa55' }).thumbprintSha256, expectedThumbprint(client.certPem));
    assertConfigError(() => loadClientCertificate({ certificate: pem }), 'certificate', /encrypted private key: set "certificatePassword"/);
    assertConfigError(
      () => loadClientCertificate({ certificate: pem, certificatePassword: 'wrong' }),
      'certificatePassword',
      /does not decrypt/,
    );
  });

  it('names the field for each kind of bad input', () => {
    assertConfigError(() => loadClientCertificate({}), 'certificate', /is required/);
    assertConfigError(() => loadClientCertificate({ certificate: client.keyPem }), 'certificate', /found none/);
    assertConfigError(() => loadClientCertificate({ certificate: client.certPem }), 'certificate', /private key in PEM/);
    assertConfigError(
      () => loadClientCertificate({ certificate: client.certPem + other.keyPem }),
      'certificate',
      /does not match its first certificate/,
    );
    assertConfigError(() => loadClientCertificate({ certificatePath: join(dir, 'missing.pem') }), 'certificatePath', /could not be read \(ENOENT\)/);
    assertConfigError(() => loadClientCertificate({ certificate: 42 as unknown as string }), 'certificate', /got number/);
  });

  it('never shows the private key in inspect or JSON', () => {
    const cert = loadClientCertificate({ certificate: client.certPem + client.keyPem });
    const keyBody = client.keyPem.split('\n')[1] as string;
    assert.ok(!inspect(cert).includes(keyBody));
    assert.ok(!JSON.stringify(cert).includes('PRIVATE'));
    assert.deepEqual(JSON.parse(JSON.stringify(cert)), { thumbprintSha256: cert.thumbprintSha256 });
  });
});
