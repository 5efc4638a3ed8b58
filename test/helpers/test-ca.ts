import { readFileSync } from 'node:fs';
import {
  createCertificateAuthority,
  loadCertificateAuthority,
  type CertificateAuthority,
} from '../../src/emulator/pki/certificate-authority.js';

let cached: CertificateAuthority | undefined;

/**
 * The CA that `npm test` created and that this process trusts through NODE_EXTRA_CA_CERTS.
 * Servers the tests start (the emulator's HTTPS endpoints, TLS gates) must use certificates from it.
 * Outside `npm test` (no env), a fresh CA is created; HTTPS clients then need its PEM passed explicitly.
 */
export function testCertificateAuthority(): CertificateAuthority {
  if (cached) return cached;
  const cert = process.env['REDIS_ENTRAID_TEST_CA_CERT'];
  const key = process.env['REDIS_ENTRAID_TEST_CA_KEY'];
  cached =
    cert && key
      ? loadCertificateAuthority({ certPem: readFileSync(cert, 'utf8'), keyPem: readFileSync(key, 'utf8') })
      : createCertificateAuthority('redis-entraid ad-hoc test CA');
  return cached;
}

/** True when this process trusts {@link testCertificateAuthority} (it was started by `npm test`). */
export function testCaIsTrusted(): boolean {
  return Boolean(process.env['NODE_EXTRA_CA_CERTS']) && process.env['NODE_EXTRA_CA_CERTS'] === process.env['REDIS_ENTRAID_TEST_CA_CERT'];
}
