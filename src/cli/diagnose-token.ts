/**
 * The token step of the diagnosis table: AADSTS codes, credential errors and network failures of a token
 * request → likely cause and fix.
 *
 * @module
 */
import type { DiagnoseContext, Diagnosis, ObservedError } from './diagnose.js';

function aadsts(message: string): string | undefined {
  return /AADSTS\d+/.exec(message)?.[0];
}

/** Diagnoses a failed token request. */
export function diagnoseToken(error: ObservedError, ctx: DiagnoseContext): Diagnosis {
  const message = error.message;
  const code = aadsts(message);
  // Before the secret case: a refused certificate also comes back as `invalid_client`.
  if (
    code === 'AADSTS700027' ||
    code === 'AADSTS700024' ||
    (ctx.identityKind === 'certificate' && /invalid_client|client assertion/i.test(message))
  ) {
    return {
      kind: 'certificate-rejected',
      cause: `the identity platform refused the certificate assertion (${code ?? 'invalid client assertion'}): the certificate is not registered on the app, expired, or the clock is off`,
      fix: 'upload the certificate (public part) to the app registration\'s "Certificates & secrets", and check the system clock',
    };
  }
  if (code === 'AADSTS7000215' || code === 'AADSTS7000222' || /invalid_client/.test(message)) {
    return {
      kind: 'invalid-client-secret',
      cause: `the identity platform refused the client credentials (${code ?? 'invalid_client'}): the secret is wrong or expired, or it is the secret's id rather than its value`,
      fix: 'create a new client secret on the app registration and set its value in AZURE_CLIENT_SECRET',
    };
  }
  if (code === 'AADSTS700016') {
    return {
      kind: 'unknown-client',
      cause: 'no application with this client id exists in the tenant (AADSTS700016)',
      fix: 'check AZURE_CLIENT_ID (the application id) and AZURE_TENANT_ID (the tenant the app is registered in)',
    };
  }
  if (code === 'AADSTS90002' || code === 'AADSTS900023' || /tenant.*not found/i.test(message)) {
    return {
      kind: 'unknown-tenant',
      cause: `the tenant was not found (${code ?? 'tenant not found'})`,
      fix: 'check AZURE_TENANT_ID (a GUID or a verified domain) and --authority-host for sovereign clouds',
    };
  }
  if (code === 'AADSTS500011' || code === 'AADSTS70011' || /invalid_scope|invalid_resource/.test(message)) {
    return {
      kind: 'invalid-scope',
      cause: `the scope was refused (${code ?? 'invalid_scope'})`,
      fix: 'use --scope https://redis.azure.com/.default (the managed identity resource is https://redis.azure.com)',
    };
  }
  if (/self[- ]signed|unable to verify|UNABLE_TO_VERIFY|SELF_SIGNED|certificate/i.test(message) || /endpoints_resolution_error/.test(message)) {
    if (ctx.authorityHost !== undefined && /^https:\/\/(127\.|localhost|\[::1\])/i.test(ctx.authorityHost)) {
      return {
        kind: 'authority-untrusted',
        cause: `the local authority ${ctx.authorityHost} (an emulator?) was not reachable or its CA is not trusted by this process`,
        fix: 'source an env file printed by `redis-entraid emulator` (it sets NODE_EXTRA_CA_CERTS, which node reads only at start-up), and check that the emulator is still running',
      };
    }
    return {
      kind: 'authority-unreachable',
      cause: 'the authority could not be reached or its TLS certificate is not trusted (endpoints_resolution_error)',
      fix: 'check --authority-host / AZURE_AUTHORITY_HOST and network access to it; for a local emulator or a TLS-inspecting proxy, start node with NODE_EXTRA_CA_CERTS=<ca.pem>',
    };
  }
  if (error.name === 'CredentialUnavailableError' || error.name === 'AggregateAuthenticationError') {
    if (ctx.identityKind === 'managed') {
      return {
        kind: 'managed-identity-unavailable',
        cause: 'no managed identity endpoint answered (not running on Azure, or no identity assigned to this resource)',
        fix: 'assign a managed identity to the VM / App Service / container, or pass --client-id for a user-assigned one; locally, use a service principal (--identity secret)',
      };
    }
    return {
      kind: 'credential-unavailable',
      cause: 'DefaultAzureCredential found no usable credential (environment, workload identity, managed identity, Azure CLI, …)',
      fix: 'set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET (or AZURE_CLIENT_CERTIFICATE_PATH), or run `az login`',
    };
  }
  if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|network_error|fetch failed/i.test(message)) {
    return {
      kind: 'authority-unreachable',
      cause: 'the identity platform could not be reached',
      fix: 'check --authority-host / AZURE_AUTHORITY_HOST, DNS, and proxy settings (HTTPS_PROXY)',
    };
  }
  if (/timeout|aborted/i.test(message)) {
    return { kind: 'token-timeout', cause: 'the token request did not finish in time', fix: 'check network access to the authority and retry' };
  }
  return {
    kind: 'token-request-failed',
    cause: 'the token request failed',
    fix: 'read the message above; see TROUBLESHOOTING.md for AADSTS codes',
  };
}

