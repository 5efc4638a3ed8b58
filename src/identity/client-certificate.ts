import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { ConfigurationError } from '../errors.js';

/** A client certificate ready for msal-node: thumbprint, private key and (optionally) the chain to send. */
export interface ClientCertificate {
  /** SHA-256 thumbprint of the leaf certificate (DER), lowercase hex without separators. */
  readonly thumbprintSha256: string;
  /** The private key, unencrypted PKCS#8 PEM. Secret. */
  readonly privateKeyPem: string;
  /** The certificate(s) as PEM, leaf first: sent as `x5c` when `sendCertificateChain` is set. */
  readonly chainPem: string;
}

/** Where a client certificate comes from: a PEM (certificate + private key) or a path to one. */
export interface ClientCertificateSource {
  /** PEM text (or its bytes) holding the certificate, optionally its chain, and the private key. */
  readonly certificate?: string | Uint8Array | undefined;
  /** Path of a PEM file holding the certificate and private key. Used when `certificate` is absent. */
  readonly certificatePath?: string | undefined;
  /** Password of an encrypted private key. Default: none. */
  readonly certificatePassword?: string | undefined;
}

const CERTIFICATE_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
const KEY_BLOCK = /-----BEGIN ((?:ENCRYPTED |RSA |EC )?PRIVATE KEY)-----[\s\S]+?-----END \1-----/;

/**
 * Loads and checks a client certificate: the PEM must hold at least one certificate and a private key that
 * matches the first (leaf) certificate. Error messages name the option and never include key material.
 *
 * @param source - `certificate` or `certificatePath`, and `certificatePassword` for an encrypted key.
 * @param fieldPrefix - prefix of the field names in errors, e.g. `clientCertificate.`; default empty.
 * @throws {@link ConfigurationError} naming `certificate`, `certificatePath` or `certificatePassword`.
 */
export function loadClientCertificate(source: ClientCertificateSource, fieldPrefix = ''): ClientCertificate {
  const { certificate, certificatePath, certificatePassword } = source;
  let pem: string;
  let field: string;
  if (certificate !== undefined) {
    field = `${fieldPrefix}certificate`;
    if (typeof certificate === 'string') pem = certificate;
    else if (certificate instanceof Uint8Array) pem = Buffer.from(certificate).toString('utf8');
    else throw new ConfigurationError(field, `must be a PEM string or a Buffer, got ${typeof certificate}`);
  } else if (certificatePath !== undefined) {
    field = `${fieldPrefix}certificatePath`;
    if (typeof certificatePath !== 'string' || certificatePath.length === 0) {
      throw new ConfigurationError(field, `must be a non-empty string, got ${typeof certificatePath}`);
    }
    try {
      pem = readFileSync(certificatePath, 'utf8');
    } catch (cause) {
      const code = (cause as NodeJS.ErrnoException).code ?? 'unknown error';
      throw new ConfigurationError(field, `could not be read (${code}): ${certificatePath}`, { cause });
    }
  } else {
    throw new ConfigurationError(`${fieldPrefix}certificate`, 'is required (or "certificatePath")');
  }
  if (certificatePassword !== undefined && typeof certificatePassword !== 'string') {
    throw new ConfigurationError(`${fieldPrefix}certificatePassword`, `must be a string, got ${typeof certificatePassword}`);
  }

  const certificates = pem.match(CERTIFICATE_BLOCK) ?? [];
  const [leafPem] = certificates;
  if (leafPem === undefined) {
    throw new ConfigurationError(field, 'must contain a PEM certificate ("-----BEGIN CERTIFICATE-----"), found none');
  }
  const keyMatch = KEY_BLOCK.exec(pem);
  if (!keyMatch) {
    throw new ConfigurationError(field, 'must contain the private key in PEM ("-----BEGIN PRIVATE KEY-----"), found none');
  }
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(leafPem);
  } catch (cause) {
    throw new ConfigurationError(field, 'holds a certificate that could not be parsed', { cause });
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(
      certificatePassword === undefined ? { key: keyMatch[0] } : { key: keyMatch[0], passphrase: certificatePassword },
    );
  } catch (cause) {
    const encrypted = keyMatch[1] === 'ENCRYPTED PRIVATE KEY' || keyMatch[0].includes('Proc-Type: 4,ENCRYPTED');
    const message = encrypted
      ? certificatePassword === undefined
        ? 'holds an encrypted private key: set "certificatePassword"'
        : 'holds an encrypted private key that "certificatePassword" does not decrypt'
      : 'holds a private key that could not be parsed';
    // The cause from OpenSSL names no key material.
    throw new ConfigurationError(
      encrypted && certificatePassword !== undefined ? `${fieldPrefix}certificatePassword` : field,
      message,
      { cause },
    );
  }
  if (!leaf.checkPrivateKey(key)) {
    throw new ConfigurationError(field, "holds a private key that does not match its first certificate's public key");
  }
  const cert: ClientCertificate = {
    thumbprintSha256: leaf.fingerprint256.replaceAll(':', '').toLowerCase(),
    privateKeyPem: key.export({ type: 'pkcs8', format: 'pem' }).toString(),
    chainPem: certificates.join('\n'),
  };
  Object.defineProperty(cert, inspect.custom, {
    value: () => `ClientCertificate { thumbprintSha256: '${cert.thumbprintSha256}', privateKey: [redacted] }`,
  });
  Object.defineProperty(cert, 'toJSON', { value: () => ({ thumbprintSha256: cert.thumbprintSha256 }) });
  return Object.freeze(cert);
}
