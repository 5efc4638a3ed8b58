import { randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AZURE_REDIS_APP_ID } from './constants.js';
import { sendJson, type EmulatorCore, type HandledRequest } from './core.js';
import { applyFault, tokenFaultOverrides } from './fault-response.js';

/** Paths of the IMDS token endpoint (clients send both). */
const IMDS_PATHS = new Set(['/metadata/identity/oauth2/token', '/metadata/identity/oauth2/token/']);

/** The resource a managed-identity request names, normalised to the audience, or undefined when not accepted. */
function resolveResource(resource: string, audience: string): string | undefined {
  const bare = resource.replace(/\/\.default$/, '').replace(/\/+$/, '');
  if (bare.toLowerCase() === audience.toLowerCase()) return audience;
  if (audience === 'https://redis.azure.com' && bare === AZURE_REDIS_APP_ID) return audience;
  return undefined;
}

function sameValue(given: string | string[] | undefined, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

type Style = 'imds' | 'app-service';

function errorBody(style: Style, status: number, error: string, description: string): Record<string, unknown> {
  return style === 'imds'
    ? { error, error_description: description }
    : { statusCode: status, message: `${error}: ${description}`, correlationId: randomUUID() };
}

/** Handles the plain-HTTP managed-identity server's requests (IMDS and App Service styles). @internal */
export async function handleManagedIdentityRequest(req: IncomingMessage, res: ServerResponse, url: URL, core: EmulatorCore): Promise<HandledRequest> {
  const style: Style | undefined = IMDS_PATHS.has(url.pathname) ? 'imds' : url.pathname === core.appServicePath ? 'app-service' : undefined;
  if (style === undefined || req.method !== 'GET') {
    return { endpoint: 'not-found', status: sendJson(res, 404, { error: 'not_found', error_description: `no managed identity endpoint at ${String(req.method)} ${url.pathname.slice(0, 200)}` }) };
  }
  const q = url.searchParams;
  const fail = (status: number, error: string, description: string, principal?: string): HandledRequest => ({
    endpoint: style,
    status: sendJson(res, status, errorBody(style, status, error, description)),
    principal,
  });
  // IMDS answers 400 without the Metadata header (the @azure/identity probe relies on any answer).
  if (style === 'imds' && req.headers['metadata'] !== 'true') return fail(400, 'invalid_request', 'Required metadata header not specified');
  if (style === 'app-service' && !sameValue(req.headers['x-identity-header'], core.identityHeader)) {
    return fail(401, 'unauthorized', 'The X-IDENTITY-HEADER header is missing or does not match IDENTITY_HEADER');
  }
  if (!q.get('api-version')) return fail(400, 'invalid_request', "Required query variable 'api-version' is missing");
  const resourceParam = q.get('resource');
  if (!resourceParam) return fail(400, 'invalid_request', "Required query variable 'resource' is missing");

  const clientId = q.get('client_id') ?? undefined;
  const objectId = q.get('object_id') ?? q.get('principal_id') ?? undefined;
  const resourceId = q.get('msi_res_id') ?? q.get('mi_res_id') ?? undefined;
  const identity = core.principals.managedIdentity({ clientId, objectId, resourceId });

  const latency = core.faults.latencyFor('managed-identity');
  if (latency > 0) await core.delay(latency);
  if (core.isClosed()) return { endpoint: style, status: 0, principal: identity?.clientId };
  const taken = core.faults.take('managed-identity');
  const applied = applyFault(taken?.fault, res, 'managed-identity');
  const done = (status: number): HandledRequest => ({ endpoint: style, status, principal: identity?.clientId, fault: taken?.kind });
  if (typeof applied === 'number') return done(applied);

  if (!identity) {
    const named = clientId ?? objectId ?? resourceId;
    return done(
      sendJson(
        res,
        400,
        errorBody(style, 400, 'invalid_request', named === undefined ? 'No system-assigned identity is assigned to this resource' : 'Identity not found'),
      ),
    );
  }
  const resource = resolveResource(resourceParam, core.settings.audience);
  if (resource === undefined) {
    return done(
      sendJson(res, 400, errorBody(style, 400, 'invalid_resource', `AADSTS500011: The resource principal named ${resourceParam.slice(0, 200)} was not found in the tenant`)),
    );
  }
  const lifetime = identity.tokenLifetimeSeconds ?? core.settings.tokenLifetimeSeconds;
  const issued = core.tokens.issue(identity, tokenFaultOverrides(applied, lifetime));
  core.recorder.tokenIssued(identity.clientId);
  const notBefore = typeof issued.claims['nbf'] === 'number' ? issued.claims['nbf'] : issued.expiresOnSeconds - lifetime;
  return done(
    sendJson(res, 200, {
      access_token: issued.token,
      client_id: identity.clientId,
      expires_in: String(issued.expiresInSeconds),
      expires_on: String(issued.expiresOnSeconds),
      ext_expires_in: String(issued.expiresInSeconds),
      not_before: String(notBefore),
      resource: resourceParam,
      token_type: 'Bearer',
    }),
  );
}
