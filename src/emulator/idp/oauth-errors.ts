import { randomUUID } from 'node:crypto';

/** An OAuth error the token endpoint answers with, shaped like Entra ID's. */
export interface OAuthErrorSpec {
  /** HTTP status. */
  readonly status: number;
  /** OAuth `error`. */
  readonly error: string;
  /** AADSTS number (e.g. 7000215). */
  readonly code: number;
  /** Human text after `AADSTSnnn: `. Never contains a secret. */
  readonly description: string;
}

/** The Entra errors the emulator produces, by name. */
export const OAUTH_ERRORS = {
  invalidSecret: (clientId: string): OAuthErrorSpec => ({
    status: 401,
    error: 'invalid_client',
    code: 7000215,
    description: `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
  }),
  missingCredential: (): OAuthErrorSpec => ({
    status: 401,
    error: 'invalid_client',
    code: 7000218,
    description: "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
  }),
  unknownClient: (clientId: string, tenantId: string): OAuthErrorSpec => ({
    status: 400,
    error: 'unauthorized_client',
    code: 700016,
    description: `Application with identifier '${clientId}' was not found in the directory '${tenantId}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.`,
  }),
  unknownTenant: (tenant: string): OAuthErrorSpec => ({
    status: 400,
    error: 'invalid_request',
    code: 90002,
    description: `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
  }),
  missingParameter: (name: string): OAuthErrorSpec => ({
    status: 400,
    error: 'invalid_request',
    code: 900144,
    description: `The request body must contain the following parameter: '${name}'.`,
  }),
  invalidScope: (scope: string): OAuthErrorSpec => ({
    status: 400,
    error: 'invalid_scope',
    code: 70011,
    description: `The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' is not valid. The scope ${scope} is not valid.`,
  }),
  invalidAssertion: (reason: string): OAuthErrorSpec => ({
    status: 401,
    error: 'invalid_client',
    code: 700027,
    description: `Client assertion failed signature validation or is not valid: ${reason}.`,
  }),
  unsupportedGrant: (grant: string): OAuthErrorSpec => ({
    status: 400,
    error: 'unsupported_grant_type',
    code: 70003,
    description: `The app requested an unsupported grant type '${grant.slice(0, 64)}'.`,
  }),
  serviceUnavailable: (status: number): OAuthErrorSpec => ({
    status,
    error: 'temporarily_unavailable',
    code: 50196,
    description: 'The server is temporarily unavailable (injected by the emulator).',
  }),
  throttled: (): OAuthErrorSpec => ({
    status: 429,
    error: 'temporarily_unavailable',
    code: 50196,
    description: 'Too many requests (injected by the emulator).',
  }),
} as const;

/** The JSON body Entra sends with an error. */
export function oauthErrorBody(spec: OAuthErrorSpec, now = new Date()): Record<string, unknown> {
  const traceId = randomUUID();
  const correlationId = randomUUID();
  const timestamp = now.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
  return {
    error: spec.error,
    error_description: `AADSTS${spec.code}: ${spec.description} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
    error_codes: [spec.code],
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
    error_uri: `https://login.microsoftonline.com/error?code=${spec.code}`,
  };
}
