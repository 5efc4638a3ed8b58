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
export { startIdentityEmulator } from './idp/identity-emulator.js';
export type { IdentityEmulator, ManagedIdentityEndpointInfo, FederatedTokenOptions } from './idp/identity-emulator.js';
export type { IdentityEmulatorOptions } from './idp/options.js';
export type { IdentityEmulatorEnv, EnvironmentVariables } from './idp/env.js';
export type { FaultInjector, InjectedFault, InjectedFaultKind, FaultEndpoint, FaultScope } from './idp/faults.js';
export type { RequestLogEntry, IdentityEmulatorStats, EmulatorEndpoint } from './idp/request-log.js';
export type { AccessTokenOverrides } from './idp/token-issuer.js';
export type {
  ServicePrincipalDefinition,
  ManagedIdentityDefinition,
  FederatedCredential,
  ServicePrincipal,
  ManagedIdentity,
  Principal,
} from './idp/principals.js';
export {
  DEFAULT_EMULATOR_TENANT_ID,
  DEFAULT_EMULATOR_AUDIENCE,
  AZURE_REDIS_APP_ID,
  DEFAULT_SECRET_PRINCIPAL,
  DEFAULT_CERTIFICATE_PRINCIPAL,
  DEFAULT_WORKLOAD_PRINCIPAL,
  DEFAULT_SYSTEM_ASSIGNED_IDENTITY,
  DEFAULT_USER_ASSIGNED_IDENTITY,
  DEFAULT_FEDERATED_ISSUER,
  DEFAULT_FEDERATED_SUBJECT,
  FEDERATED_TOKEN_AUDIENCE,
} from './idp/constants.js';
