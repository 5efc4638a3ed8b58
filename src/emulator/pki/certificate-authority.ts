import { createHash, createPrivateKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

/** A certificate and its private key, both PEM. */
export interface CertificateBundle {
  /** The certificate, PEM. */
  readonly certPem: string;
  /** The private key, PKCS#8 PEM. Secret. */
  readonly keyPem: string;
  /** SHA-1 thumbprint of the DER certificate, base64url (the JWS `x5t` header). */
  readonly x5t: string;
  /** SHA-256 thumbprint of the DER certificate, base64url (the JWS `x5t#S256` header). */
  readonly x5tS256: string;
}

/** A local certificate authority that issues server and client certificates. */
export interface CertificateAuthority extends CertificateBundle {
  /** Issues a TLS server certificate for `hosts` (DNS names and IP addresses). */
  issueServerCertificate(hosts: readonly string[]): CertificateBundle;
  /** Issues a client certificate (for service-principal certificate credentials) with `commonName`. */
  issueClientCertificate(commonName: string): CertificateBundle;
}

const DAY_MS = 24 * 60 * 60 * 1000;

function newKeyPair(): { publicKey: forge.pki.rsa.PublicKey; privateKey: forge.pki.rsa.PrivateKey; keyPem: string } {
  // node's native key generation; node-forge's pure-JS one takes seconds.
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pkcs1 = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const forgeKey = forge.pki.privateKeyFromPem(pkcs1);
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  return {
    privateKey: forgeKey,
    publicKey: forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e),
    keyPem,
  };
}

function thumbprints(cert: forge.pki.Certificate): { x5t: string; x5tS256: string } {
  const der = Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), 'binary');
  return {
    x5t: createHash('sha1').update(der).digest('base64url'),
    x5tS256: createHash('sha256').update(der).digest('base64url'),
  };
}

function bundle(cert: forge.pki.Certificate, keyPem: string): CertificateBundle {
  return { certPem: forge.pki.certificateToPem(cert), keyPem, ...thumbprints(cert) };
}

function baseCertificate(publicKey: forge.pki.rsa.PublicKey, commonName: string, validDays: number): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  // Positive serial: first byte below 0x80.
  cert.serialNumber = `01${randomBytes(15).toString('hex')}`;
  const now = Date.now();
  cert.validity.notBefore = new Date(now - DAY_MS);
  cert.validity.notAfter = new Date(now + validDays * DAY_MS);
  cert.setSubject([{ name: 'commonName', value: commonName }, { name: 'organizationName', value: 'redis-entraid emulator' }]);
  return cert;
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/**
 * Loads a CA from its PEM certificate and key (for instance one written by an earlier run, so that
 * `NODE_EXTRA_CA_CERTS` set at process start keeps matching).
 */
export function loadCertificateAuthority(ca: { certPem: string; keyPem: string }): CertificateAuthority {
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const caKey = forge.pki.privateKeyFromPem(
    createPrivateKey(ca.keyPem).export({ type: 'pkcs1', format: 'pem' }).toString(),
  );
  const issue = (commonName: string, extensions: object[]): CertificateBundle => {
    const pair = newKeyPair();
    const cert = baseCertificate(pair.publicKey, commonName, 30);
    cert.setIssuer(caCert.subject.attributes);
    cert.setExtensions(extensions);
    cert.sign(caKey, forge.md.sha256.create());
    return bundle(cert, pair.keyPem);
  };
  return {
    ...bundle(caCert, ca.keyPem),
    issueServerCertificate(hosts) {
      const altNames = hosts.map((host) => (IPV4.test(host) || host.includes(':') ? { type: 7, ip: host } : { type: 2, value: host }));
      return issue(hosts[0] ?? 'localhost', [
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
        { name: 'extKeyUsage', serverAuth: true },
        { name: 'subjectAltName', altNames },
      ]);
    },
    issueClientCertificate(commonName) {
      return issue(commonName, [
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true },
        { name: 'extKeyUsage', clientAuth: true },
      ]);
    },
  };
}

/** Creates a new self-signed CA (RSA 2048, valid 30 days). */
export function createCertificateAuthority(commonName = 'redis-entraid emulator CA'): CertificateAuthority {
  const pair = newKeyPair();
  const cert = baseCertificate(pair.publicKey, commonName, 30);
  cert.setIssuer(cert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(pair.privateKey, forge.md.sha256.create());
  return loadCertificateAuthority({ certPem: forge.pki.certificateToPem(cert), keyPem: pair.keyPem });
}

/** Issues a self-signed certificate (not from a CA), e.g. for a client certificate that is not registered. */
export function createSelfSignedCertificate(commonName: string): CertificateBundle {
  const pair = newKeyPair();
  const cert = baseCertificate(pair.publicKey, commonName, 30);
  cert.setIssuer(cert.subject.attributes);
  cert.sign(pair.privateKey, forge.md.sha256.create());
  return bundle(cert, pair.keyPem);
}
