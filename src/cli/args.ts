/**
 * Credential inputs shared by `check` and `token`: flags first, then the usual Azure environment variables.
 * Secrets are read from the environment only (`AZURE_CLIENT_SECRET`), never from the command line, so
 * they stay out of shell history and `ps`.
 *
 * @module
 */
import { choiceOption, stringOption, type OptionSpec, type OptionValues } from './parse.js';
import { UsageError } from './usage-error.js';

/** The default scope: Azure Redis (Azure Managed Redis and Azure Cache for Redis). */
export const REDIS_SCOPE = 'https://redis.azure.com/.default';

/** The public cloud's authority host. */
export const PUBLIC_AUTHORITY_HOST = 'https://login.microsoftonline.com';

/** How the CLI authenticates. */
export const IDENTITY_KINDS = ['secret', 'certificate', 'managed', 'default'] as const;
/** One of {@link IDENTITY_KINDS}. */
export type IdentityKind = (typeof IDENTITY_KINDS)[number];

/** Resolved credential inputs. `clientSecret` is a secret: never print it. */
export interface CredentialInputs {
  readonly kind: IdentityKind;
  /** Where the kind came from: the `--identity` flag or inferred from what is set. */
  readonly kindSource: 'flag' | 'inferred';
  readonly tenantId: string | undefined;
  readonly clientId: string | undefined;
  readonly clientSecret: string | undefined;
  readonly certificatePath: string | undefined;
  readonly certificatePassword: string | undefined;
  /** Managed identity ARM resource id (user-assigned). */
  readonly resourceId: string | undefined;
  readonly authorityHost: string;
  readonly scope: string;
}

/** The `parseArgs` options for credential inputs. */
export const CREDENTIAL_OPTIONS: OptionSpec = {
  identity: { type: 'string' },
  'tenant-id': { type: 'string' },
  'client-id': { type: 'string' },
  'certificate-path': { type: 'string' },
  'resource-id': { type: 'string' },
  'authority-host': { type: 'string' },
  scope: { type: 'string' },
};

/** `--help` text for the credential inputs. */
export const CREDENTIAL_HELP = `Credential options (flags win over environment variables):
  --identity <kind>          secret | certificate | managed | default. Inferred when omitted:
                             AZURE_CLIENT_SECRET set → secret; AZURE_CLIENT_CERTIFICATE_PATH → certificate;
                             IDENTITY_ENDPOINT or MSI_ENDPOINT → managed; otherwise default
                             (DefaultAzureCredential).
  --tenant-id <id>           AZURE_TENANT_ID
  --client-id <id>           AZURE_CLIENT_ID (for managed: selects a user-assigned identity)
  --certificate-path <file>  AZURE_CLIENT_CERTIFICATE_PATH (PEM with certificate and private key;
                             password from AZURE_CLIENT_CERTIFICATE_PASSWORD)
  --resource-id <id>         user-assigned managed identity by ARM resource id
  --authority-host <url>     AZURE_AUTHORITY_HOST (default ${PUBLIC_AUTHORITY_HOST})
  --scope <scope>            default ${REDIS_SCOPE}
  The client secret is read from AZURE_CLIENT_SECRET only, never from the command line.
`;

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/** Resolves the credential inputs of `command` from parsed flags and `env`; throws {@link UsageError}. */
export function resolveCredentialInputs(command: string, values: OptionValues, env: NodeJS.ProcessEnv): CredentialInputs {
  const flagKind = stringOption(values, 'identity');
  const tenantId = nonEmpty(stringOption(values, 'tenant-id')) ?? nonEmpty(env['AZURE_TENANT_ID']);
  const clientId = nonEmpty(stringOption(values, 'client-id')) ?? nonEmpty(env['AZURE_CLIENT_ID']);
  const clientSecret = nonEmpty(env['AZURE_CLIENT_SECRET']);
  const certificatePath =
    nonEmpty(stringOption(values, 'certificate-path')) ?? nonEmpty(env['AZURE_CLIENT_CERTIFICATE_PATH']);
  const authorityHost = (
    nonEmpty(stringOption(values, 'authority-host')) ??
    nonEmpty(env['AZURE_AUTHORITY_HOST']) ??
    PUBLIC_AUTHORITY_HOST
  ).replace(/\/+$/, '');
  if (!/^https:\/\//i.test(authorityHost)) {
    throw new UsageError(`${command}: --authority-host must be an https:// URL, got "${authorityHost}"`);
  }
  const inferred: IdentityKind = clientSecret
    ? 'secret'
    : certificatePath
      ? 'certificate'
      : env['IDENTITY_ENDPOINT'] || env['MSI_ENDPOINT']
        ? 'managed'
        : 'default';
  const kind = choiceOption(command, values, 'identity', IDENTITY_KINDS, inferred);
  const inputs: CredentialInputs = {
    kind,
    kindSource: flagKind === undefined ? 'inferred' : 'flag',
    tenantId,
    clientId,
    clientSecret,
    certificatePath,
    certificatePassword: nonEmpty(env['AZURE_CLIENT_CERTIFICATE_PASSWORD']),
    resourceId: nonEmpty(stringOption(values, 'resource-id')),
    authorityHost,
    scope: nonEmpty(stringOption(values, 'scope')) ?? REDIS_SCOPE,
  };
  const missing: string[] = [];
  if (kind === 'secret' || kind === 'certificate') {
    if (!tenantId) missing.push('--tenant-id (or AZURE_TENANT_ID)');
    if (!clientId) missing.push('--client-id (or AZURE_CLIENT_ID)');
  }
  if (kind === 'secret' && !clientSecret) missing.push('AZURE_CLIENT_SECRET');
  if (kind === 'certificate' && !certificatePath) missing.push('--certificate-path (or AZURE_CLIENT_CERTIFICATE_PATH)');
  if (missing.length > 0) {
    throw new UsageError(`${command}: --identity ${kind} needs ${missing.join(', ')}`);
  }
  if (kind === 'managed' && clientId && inputs.resourceId) {
    throw new UsageError(`${command}: give either --client-id or --resource-id for a managed identity, not both`);
  }
  return Object.freeze(inputs);
}

/** A one-line, secret-free description of the inputs, e.g. `service principal 1111… (secret) in tenant 72f9…`. */
export function describeInputs(inputs: CredentialInputs): string {
  switch (inputs.kind) {
    case 'secret':
      return `service principal ${inputs.clientId ?? '?'} with a client secret, tenant ${inputs.tenantId ?? '?'}`;
    case 'certificate':
      return `service principal ${inputs.clientId ?? '?'} with certificate ${inputs.certificatePath ?? '?'}, tenant ${inputs.tenantId ?? '?'}`;
    case 'managed':
      return inputs.clientId
        ? `user-assigned managed identity ${inputs.clientId}`
        : inputs.resourceId
          ? `user-assigned managed identity ${inputs.resourceId}`
          : 'system-assigned managed identity';
    case 'default':
      return 'DefaultAzureCredential';
  }
}
