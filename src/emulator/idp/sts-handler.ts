import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { checkClientAssertion } from './client-assertion.js';
import { AZURE_REDIS_APP_ID } from './constants.js';
import { readBody, requestOrigin, sendJson, type EmulatorCore, type HandledRequest } from './core.js';
import { applyFault, tokenFaultOverrides } from './fault-response.js';
import { OAUTH_ERRORS, oauthErrorBody, type OAuthErrorSpec } from './oauth-errors.js';

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** Scopes MSAL adds to every request; Entra ignores them for client credentials. */
const OIDC_SCOPES = new Set(['openid', 'profile', 'offline_access']);

const sendError = (res: ServerResponse, spec: OAuthErrorSpec): number => sendJson(res, spec.status, oauthErrorBody(spec));

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

const knownTenant = (tenant: string, core: EmulatorCore): boolean => tenant.toLowerCase() === core.settings.tenantId.toLowerCase();

/** The OpenID configuration document for `tenant`, with every URL on `origin`. */
export function openIdConfiguration(origin: string, tenant: string): Record<string, unknown> {
  const base = `${origin}/${tenant}`;
  return {
    token_endpoint: `${base}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    jwks_uri: `${base}/discovery/v2.0/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    issuer: `${base}/v2.0`,
    request_uri_parameter_supported: false,
    userinfo_endpoint: `${origin}/oidc/userinfo`,
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'nbf', 'oid', 'tid', 'ver'],
    kerberos_endpoint: `${base}/kerberos`,
    tenant_region_scope: 'NA',
    cloud_instance_name: 'emulator.invalid',
    cloud_graph_host_name: 'graph.emulator.invalid',
    msgraph_host: 'graph.emulator.invalid',
    rbac_url: 'https://pas.emulator.invalid',
  };
}

function scopeIsValid(scope: string | null, core: EmulatorCore): boolean {
  const requested = (scope ?? '').split(/\s+/).filter((s) => s.length > 0 && !OIDC_SCOPES.has(s));
  const accepted = new Set([`${core.settings.audience}/.default`.toLowerCase()]);
  if (core.settings.audience === 'https://redis.azure.com') accepted.add(`${AZURE_REDIS_APP_ID}/.default`);
  return requested.length === 1 && accepted.has((requested[0] as string).toLowerCase());
}

async function handleToken(req: IncomingMessage, res: ServerResponse, tenant: string, core: EmulatorCore): Promise<HandledRequest> {
  const body = await readBody(req);
  const params = new URLSearchParams(body ?? '');
  const received = params.get('client_assertion');
  if (received !== null) core.recorder.clientAssertionReceived(received);
  const clientId = params.get('client_id') ?? undefined;
  const principal = clientId === undefined ? undefined : core.principals.servicePrincipal(clientId);
  const done = (status: number, fault?: HandledRequest['fault']): HandledRequest => ({ endpoint: 'token', status, principal: principal?.clientId, fault });
  const latency = core.faults.latencyFor('token');
  if (latency > 0) await core.delay(latency);
  if (core.isClosed()) return done(0);
  const taken = core.faults.take('token');
  const faultKind = taken?.kind;
  const applied = applyFault(taken?.fault, res, 'oauth');
  if (typeof applied === 'number') return done(applied, faultKind);

  if (body === undefined) return done(sendError(res, OAUTH_ERRORS.missingParameter('grant_type')), faultKind);
  if (!knownTenant(tenant, core)) return done(sendError(res, OAUTH_ERRORS.unknownTenant(tenant)), faultKind);
  const grant = params.get('grant_type');
  if (grant === null) return done(sendError(res, OAUTH_ERRORS.missingParameter('grant_type')), faultKind);
  if (grant !== 'client_credentials') return done(sendError(res, OAUTH_ERRORS.unsupportedGrant(grant)), faultKind);
  if (clientId === undefined) return done(sendError(res, OAUTH_ERRORS.missingParameter('client_id')), faultKind);
  if (!principal) return done(sendError(res, OAUTH_ERRORS.unknownClient(clientId, core.settings.tenantId)), faultKind);

  const secret = params.get('client_secret');
  const assertion = params.get('client_assertion');
  if (secret !== null) {
    if (principal.clientSecret === undefined || !sameSecret(secret, principal.clientSecret)) {
      return done(sendError(res, OAUTH_ERRORS.invalidSecret(principal.clientId)), faultKind);
    }
  } else if (assertion !== null) {
    if (params.get('client_assertion_type') !== JWT_BEARER) {
      return done(sendError(res, OAUTH_ERRORS.invalidAssertion('client_assertion_type must be jwt-bearer')), faultKind);
    }
    const origin = requestOrigin(req, core);
    const check = checkClientAssertion(assertion, principal, {
      audiences: [`${origin}/${tenant}/oauth2/v2.0/token`, `${core.authorityHost()}/${core.settings.tenantId}/oauth2/v2.0/token`],
      emulatorKeys: core.keys.publicKeys,
      isEmulatorKid: (kid) => core.keys.has(kid),
      nowMs: Date.now(),
      clockSkewSeconds: core.settings.clockSkewToleranceSeconds,
    });
    if (!check.ok) return done(sendError(res, OAUTH_ERRORS.invalidAssertion(check.reason)), faultKind);
  } else {
    return done(sendError(res, OAUTH_ERRORS.missingCredential()), faultKind);
  }
  const scope = params.get('scope');
  if (!scopeIsValid(scope, core)) return done(sendError(res, OAUTH_ERRORS.invalidScope((scope ?? '').slice(0, 200))), faultKind);

  const lifetime = principal.tokenLifetimeSeconds ?? core.settings.tokenLifetimeSeconds;
  const issued = core.tokens.issue(principal, tokenFaultOverrides(applied, lifetime));
  core.recorder.tokenIssued(principal.clientId);
  const status = sendJson(res, 200, {
    token_type: 'Bearer',
    expires_in: issued.expiresInSeconds,
    ext_expires_in: issued.expiresInSeconds,
    access_token: issued.token,
  });
  return done(status, faultKind);
}

/** Handles the HTTPS (Entra ID) server's requests. @internal */
export async function handleStsRequest(req: IncomingMessage, res: ServerResponse, url: URL, core: EmulatorCore): Promise<HandledRequest> {
  const segments = url.pathname.split('/').filter((s) => s.length > 0);
  const [tenant = '', ...rest] = segments;
  const route = rest.join('/');
  const method = req.method ?? 'GET';
  if (method === 'POST' && route === 'oauth2/v2.0/token') return handleToken(req, res, tenant, core);
  if (method === 'GET' && (route === 'v2.0/.well-known/openid-configuration' || route === '.well-known/openid-configuration')) {
    if (!knownTenant(tenant, core)) return { endpoint: 'openid-configuration', status: sendError(res, OAUTH_ERRORS.unknownTenant(tenant)) };
    return { endpoint: 'openid-configuration', status: sendJson(res, 200, openIdConfiguration(requestOrigin(req, core), tenant)) };
  }
  if (method === 'GET' && (route === 'discovery/v2.0/keys' || route === 'discovery/keys')) {
    return { endpoint: 'jwks', status: sendJson(res, 200, core.keys.jwks(core.issuer)) };
  }
  if (method === 'GET' && route === 'discovery/instance') {
    const origin = requestOrigin(req, core);
    const host = new URL(origin).host;
    const authority = url.searchParams.get('authorization_endpoint');
    const authorityTenant = authority ? (new URL(authority, origin).pathname.split('/')[1] ?? tenant) : core.settings.tenantId;
    return {
      endpoint: 'instance-discovery',
      status: sendJson(res, 200, {
        tenant_discovery_endpoint: `${origin}/${authorityTenant}/v2.0/.well-known/openid-configuration`,
        'api-version': '1.1',
        metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
      }),
    };
  }
  return { endpoint: 'not-found', status: sendJson(res, 404, { error: 'not_found', error_description: `no emulator endpoint at ${method} ${url.pathname.slice(0, 200)}` }) };
}
