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
export { startEmulator } from './emulator.js';
export { ensureTrustedCa, TRUSTED_CA_DIR_ENV } from './trusted-ca.js';
export type { TrustedCa, EnsureTrustedCaOptions } from './trusted-ca.js';
export type { Emulator, EmulatorOptions } from './emulator.js';
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

// Redis side: real redis-server processes, the Azure-like gate, the gated cluster.
export {
  startRedisServer,
  DEFAULT_REDIS_SERVER_BINARY,
  DEFAULT_REDIS_START_TIMEOUT_MS,
  DEFAULT_REDIS_STOP_TIMEOUT_MS,
  DEFAULT_REDIS_ADMIN_USER,
} from './redis/redis-server.js';
export type { RedisServerHandle, RedisServerOptions, RedisClusterModeOptions } from './redis/redis-server.js';
export { RedisEmulatorError } from './redis/errors.js';
export type { RedisEmulatorErrorCode } from './redis/errors.js';
export { AdminConnection, RedisReplyError } from './redis/admin-connection.js';
export type { AdminConnectionOptions } from './redis/admin-connection.js';
export { RespCommandParser, RespProtocolError } from './redis/resp-command-parser.js';
export type { ParsedBatch, ParsedCommand } from './redis/resp-command-parser.js';
export { RespReplyDecoder, RespErrorReply } from './redis/resp-reply.js';
export type { RespValue } from './redis/resp-reply.js';
export { encodeCommand } from './redis/resp-encode.js';
export { findFreePort } from './redis/free-port.js';
export { startRedisGate, DEFAULT_GATE_EXPIRY_GRACE_MS } from './gate/redis-gate.js';
export type { RedisGate, RedisGateOptions } from './gate/redis-gate.js';
export type {
  GateAuthRecord,
  GateAuthRejectReason,
  GateCloseReason,
  GateConnectionInfo,
  GateStats,
  RedisGateEvents,
} from './gate/gate-types.js';
export { createKeyVerifier, AZURE_REDIS_AUDIENCES } from './gate/token-verifier.js';
export type { AccessTokenVerifier, KeyVerifierOptions } from './gate/token-verifier.js';
export { startGatedCluster, slotRange, DEFAULT_CLUSTER_READY_TIMEOUT_MS, DEFAULT_REPLICAS_PER_MASTER } from './gate/cluster.js';
export type { GatedCluster, GatedClusterNode, GatedClusterOptions, GatedClusterReplica } from './gate/cluster.js';
export { startAzureRedis } from './gate/azure-redis.js';
export type { AzureRedis, AzureRedisOptions } from './gate/azure-redis.js';
