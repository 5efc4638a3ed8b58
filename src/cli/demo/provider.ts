/**
 * The demo's credentials provider: the library's own factories, pointed at the identity emulator.
 *
 * @module
 */
import type { IdentityEmulator } from '../../emulator/idp/identity-emulator.js';
import { DEFAULT_CERTIFICATE_PRINCIPAL, DEFAULT_SECRET_PRINCIPAL, DEFAULT_SYSTEM_ASSIGNED_IDENTITY } from '../../emulator/idp/constants.js';
import { ManagedIdentityType } from '../../identity/constants.js';
import type { TokenManagerConfig } from '../../manager/config.js';
import type { EntraIdCredentialsProvider } from '../../provider/entra-id-credentials-provider.js';
import { createFromDefaultAzureCredential } from '../../provider/factories/default-azure-credential.js';
import { createFromManagedIdentity } from '../../provider/factories/managed-identity.js';
import { createFromServicePrincipal } from '../../provider/factories/service-principal.js';

/** The identities the demo can use. */
export const DEMO_IDENTITIES = ['secret', 'certificate', 'managed', 'default'] as const;
/** One of {@link DEMO_IDENTITIES}. */
export type DemoIdentity = (typeof DEMO_IDENTITIES)[number];

/** A provider and what it stands for. */
export interface DemoProvider {
  readonly provider: EntraIdCredentialsProvider;
  /** e.g. `service principal (client secret)`. */
  readonly description: string;
  /** The oid the tokens should carry. */
  readonly expectedOid: string;
}

/**
 * Renewal schedule for short demo tokens: renew at 60 % of the lifetime, at least 1.5 s before expiry, so the
 * re-AUTH of every connection lands well before the gate closes expired connections.
 */
export const DEMO_TOKEN_MANAGER_CONFIG: TokenManagerConfig = Object.freeze({
  expirationRefreshRatio: 0.6,
  lowerRefreshBoundMillis: 1500,
  minRefreshIntervalMs: 500,
  tokenRequestExecutionTimeoutInMs: 5000,
});

/**
 * Creates the provider for `identity`. Managed identity and DefaultAzureCredential read their endpoints from
 * this process's environment, so those are set here (the demo process is ours).
 */
export function createDemoProvider(identity: DemoIdentity, idp: IdentityEmulator): DemoProvider {
  const tokenManagerConfig = DEMO_TOKEN_MANAGER_CONFIG;
  switch (identity) {
    case 'secret':
      return {
        provider: createFromServicePrincipal({
          clientId: DEFAULT_SECRET_PRINCIPAL.clientId,
          clientSecret: DEFAULT_SECRET_PRINCIPAL.clientSecret,
          tenantId: idp.tenantId,
          authorityHost: idp.authorityHost,
          tokenManagerConfig,
        }),
        description: 'service principal (client secret)',
        expectedOid: DEFAULT_SECRET_PRINCIPAL.objectId,
      };
    case 'certificate':
      return {
        provider: createFromServicePrincipal({
          clientId: DEFAULT_CERTIFICATE_PRINCIPAL.clientId,
          certificate: `${idp.clientCertificate.certPem}\n${idp.clientCertificate.keyPem}`,
          tenantId: idp.tenantId,
          authorityHost: idp.authorityHost,
          tokenManagerConfig,
        }),
        description: 'service principal (client certificate)',
        expectedOid: DEFAULT_CERTIFICATE_PRINCIPAL.objectId,
      };
    case 'managed':
      Object.assign(process.env, idp.env.appServiceManagedIdentity());
      return {
        provider: createFromManagedIdentity({ identityType: ManagedIdentityType.SYSTEM_ASSIGNED, tokenManagerConfig }),
        description: 'system-assigned managed identity',
        expectedOid: DEFAULT_SYSTEM_ASSIGNED_IDENTITY.objectId,
      };
    case 'default':
      Object.assign(process.env, idp.env.servicePrincipalSecret(), {
        AZURE_TENANT_ID: idp.tenantId,
        AZURE_TOKEN_CREDENTIALS: 'EnvironmentCredential',
      });
      return {
        provider: createFromDefaultAzureCredential({ tokenManagerConfig }),
        description: 'DefaultAzureCredential (environment: service principal)',
        expectedOid: DEFAULT_SECRET_PRINCIPAL.objectId,
      };
  }
}
