/**
 * redis-entraid/emulator: a local Entra ID endpoint and an Azure-like Redis gate for offline tests.
 *
 * @packageDocumentation
 */
export {
  createCertificateAuthority,
  loadCertificateAuthority,
  createSelfSignedCertificate,
} from './pki/certificate-authority.js';
export type { CertificateAuthority, CertificateBundle } from './pki/certificate-authority.js';
export { signJwt } from './jwt/sign.js';
export type { JwsHeader } from './jwt/sign.js';
export { verifyJwt } from './jwt/verify.js';
export type { JwtVerification, JwtRejectReason, JwtExpectations } from './jwt/verify.js';
