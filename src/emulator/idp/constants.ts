/**
 * Fixed identifiers of the identity emulator: its default tenant and default principals.
 * Tests, the demo and the CLI use them to know which `oid` to expect.
 *
 * @module
 */

/** The emulator's default tenant id (a fixed GUID). */
export const DEFAULT_EMULATOR_TENANT_ID = '72f988bf-0000-4000-8000-00000000e1d0';

/** The audience of the access tokens the emulator issues by default (Azure Redis). */
export const DEFAULT_EMULATOR_AUDIENCE = 'https://redis.azure.com';

/** The application id of the Azure Redis resource; `<id>/.default` is the app-id form of the scope. */
export const AZURE_REDIS_APP_ID = 'acca5fbb-b7e4-4009-81f1-37e38fd66d78';

/** Default lifetime of issued access tokens, in seconds. */
export const DEFAULT_TOKEN_LIFETIME_SECONDS = 3600;

/** Default tolerance for `exp`/`nbf` of client assertions, in seconds. */
export const DEFAULT_ASSERTION_CLOCK_SKEW_SECONDS = 300;

/** Audience a federated (workload identity) token must carry. */
export const FEDERATED_TOKEN_AUDIENCE = 'api://AzureADTokenExchange';

/** Issuer of the federated tokens that {@link IdentityEmulator.issueFederatedToken} signs by default. */
export const DEFAULT_FEDERATED_ISSUER = 'https://oidc.emulator.invalid/redis-entraid';

/** Subject of the default workload identity's federated credential (a Kubernetes service account). */
export const DEFAULT_FEDERATED_SUBJECT = 'system:serviceaccount:default:redis-app';

/** Default service principal authenticating with a client secret. */
export const DEFAULT_SECRET_PRINCIPAL = Object.freeze({
  clientId: '11111111-1111-4111-8111-000000000001',
  objectId: 'a1111111-1111-4111-8111-0000000000a1',
  clientSecret: 'emulator-secret-Q8~not-a-real-secret',
  displayName: 'emulator-sp-secret',
});

/** Default service principal authenticating with a client certificate (issued by the emulator's CA). */
export const DEFAULT_CERTIFICATE_PRINCIPAL = Object.freeze({
  clientId: '22222222-2222-4222-8222-000000000002',
  objectId: 'a2222222-2222-4222-8222-0000000000a2',
  displayName: 'emulator-sp-certificate',
});

/** Default service principal for workload identity (federated credential, no secret). */
export const DEFAULT_WORKLOAD_PRINCIPAL = Object.freeze({
  clientId: '55555555-5555-4555-8555-000000000005',
  objectId: 'a5555555-5555-4555-8555-0000000000a5',
  displayName: 'emulator-workload-identity',
});

/** Default system-assigned managed identity (answers requests that name no identity). */
export const DEFAULT_SYSTEM_ASSIGNED_IDENTITY = Object.freeze({
  clientId: '33333333-3333-4333-8333-000000000003',
  objectId: 'a3333333-3333-4333-8333-0000000000a3',
});

/** Default user-assigned managed identity. */
export const DEFAULT_USER_ASSIGNED_IDENTITY = Object.freeze({
  clientId: '44444444-4444-4444-8444-000000000004',
  objectId: 'a4444444-4444-4444-8444-0000000000a4',
  resourceId:
    '/subscriptions/00000000-0000-4000-8000-00000000005b/resourceGroups/emulator-rg/providers/' +
    'Microsoft.ManagedIdentity/userAssignedIdentities/emulator-redis-identity',
});
