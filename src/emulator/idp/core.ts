import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FaultInjector, InjectedFaultKind } from './faults.js';
import type { ResolvedIdentityEmulatorOptions } from './options.js';
import type { PrincipalRegistry } from './principals.js';
import type { EmulatorEndpoint, RequestRecorder } from './request-log.js';
import type { SigningKeySet } from './signing-keys.js';
import type { TokenIssuer } from './token-issuer.js';

/** What the route handlers share: one per emulator. @internal */
export interface EmulatorCore {
  readonly settings: ResolvedIdentityEmulatorOptions;
  /** `iss` of access tokens. */
  readonly issuer: string;
  /** The URL path of the App Service style endpoint, e.g. `/msi/token`. */
  readonly appServicePath: string;
  /** The value clients must send in `X-IDENTITY-HEADER`. Secret. */
  readonly identityHeader: string;
  readonly principals: PrincipalRegistry;
  readonly keys: SigningKeySet;
  readonly tokens: TokenIssuer;
  readonly faults: FaultInjector;
  readonly recorder: RequestRecorder;
  /** `https://host:port` of the HTTPS server, used when a request has no usable Host header. */
  authorityHost(): string;
  /** Resolves after `ms` (or at once when the emulator closes). */
  delay(ms: number): Promise<void>;
  /** True once close() began. */
  isClosed(): boolean;
}

/** How a handler answered, for the request log. @internal */
export interface HandledRequest {
  readonly endpoint: EmulatorEndpoint;
  /** HTTP status, 0 when the socket was reset or left hanging. */
  readonly status: number;
  readonly principal?: string | undefined;
  readonly fault?: InjectedFaultKind | undefined;
}

/** A route handler. @internal */
export type RouteHandler = (req: IncomingMessage, res: ServerResponse, url: URL, core: EmulatorCore) => Promise<HandledRequest>;

/** The largest request body the emulator reads, in bytes. */
export const MAX_REQUEST_BODY_BYTES = 64 * 1024;

/** Reads the request body as UTF-8; resolves `undefined` when it is larger than {@link MAX_REQUEST_BODY_BYTES}. */
export async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_REQUEST_BODY_BYTES) return undefined;
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Sends a JSON answer. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): number {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store, no-cache',
    Pragma: 'no-cache',
    ...headers,
  });
  res.end(text);
  return status;
}

/** Sends a 200 answer whose body is not JSON (the `malformed-json` fault). */
export function sendMalformedJson(res: ServerResponse): number {
  const text = '{"token_type":"Bearer","access_token":';
  res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
  return 200;
}

/**
 * The base URL (`https://host:port`) of a request as the client addressed it, from its Host header
 * (MSAL wants discovery documents that name the host it used). Falls back to the emulator's own.
 */
export function requestOrigin(req: IncomingMessage, core: EmulatorCore): string {
  const host = req.headers.host;
  return host !== undefined && /^[A-Za-z0-9.\-[\]:]{1,255}$/.test(host) ? `https://${host}` : core.authorityHost();
}

/** Resolves the handlers' promise into a log entry; a handler error becomes a 500. @internal */
export function serve(handler: RouteHandler, core: EmulatorCore) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const at = Date.now();
    const url = new URL(req.url ?? '/', 'http://emulator.invalid');
    handler(req, res, url, core)
      .catch((): HandledRequest => {
        if (!res.headersSent && !res.destroyed) sendJson(res, 500, { error: 'server_error', error_description: 'internal emulator error' });
        return { endpoint: 'not-found', status: 500 };
      })
      .then((handled) => {
        core.recorder.record({
          method: req.method ?? 'GET',
          path: url.pathname,
          endpoint: handled.endpoint,
          status: handled.status,
          principal: handled.principal,
          fault: handled.fault,
          at,
        });
      })
      .catch(() => undefined);
  };
}
