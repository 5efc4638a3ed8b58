import { createPrivateKey, createPublicKey, randomBytes, X509Certificate, type KeyObject } from 'node:crypto';
import { createSelfSignedCertificate } from '../pki/certificate-authority.js';
import { certificateThumbprints } from './principals.js';

/** One signing key of the emulator, with the certificate published in its JWKS. */
export interface SigningKey {
  /** Key id (`kid` header); equals the certificate's SHA-1 thumbprint, as Entra does. */
  readonly kid: string;
  /** SHA-1 thumbprint of the certificate, base64url (`x5t` header). */
  readonly x5t: string;
  /** The private key. Secret: never logged. */
  readonly privateKey: KeyObject;
  /** The public key. */
  readonly publicKey: KeyObject;
  /** The certificate, base64 DER (JWKS `x5c`). */
  readonly certificateDerBase64: string;
}

/** A JSON Web Key as Entra publishes it. */
export interface PublishedJwk {
  readonly kty: 'RSA';
  readonly use: 'sig';
  readonly kid: string;
  readonly x5t: string;
  readonly n: string;
  readonly e: string;
  readonly x5c: readonly string[];
  readonly issuer: string;
}

function newSigningKey(): SigningKey {
  const bundle = createSelfSignedCertificate(`emulator-signing-${randomBytes(4).toString('hex')}`);
  const x509 = new X509Certificate(bundle.certPem);
  const { x5t } = certificateThumbprints(x509);
  const privateKey = createPrivateKey(bundle.keyPem);
  return { kid: x5t, x5t, privateKey, publicKey: createPublicKey(privateKey), certificateDerBase64: x509.raw.toString('base64') };
}

/** The emulator's signing keys: the newest signs, older ones stay published (and verifiable) after rotation. */
export class SigningKeySet {
  #keys: SigningKey[] = [newSigningKey()];

  /** The key that signs new tokens. */
  get current(): SigningKey {
    return this.#keys[0] as SigningKey;
  }

  /** Every published public key, newest first. */
  get publicKeys(): readonly KeyObject[] {
    return this.#keys.map((k) => k.publicKey);
  }

  /** Makes a new signing key current; keeps at most `keep` (default 2) keys published. */
  rotate(keep = 2): SigningKey {
    this.#keys = [newSigningKey(), ...this.#keys].slice(0, Math.max(1, keep));
    return this.current;
  }

  /** True when `kid` names one of the published keys. */
  has(kid: unknown): boolean {
    return typeof kid === 'string' && this.#keys.some((k) => k.kid === kid);
  }

  /** The JWKS document (`{ keys: [...] }`). */
  jwks(issuer: string): { keys: PublishedJwk[] } {
    return {
      keys: this.#keys.map((key) => {
        const jwk = key.publicKey.export({ format: 'jwk' });
        return { kty: 'RSA', use: 'sig', kid: key.kid, x5t: key.x5t, n: String(jwk.n), e: String(jwk.e), x5c: [key.certificateDerBase64], issuer };
      }),
    };
  }
}
