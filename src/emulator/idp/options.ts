import { isIP } from 'node:net';
import { ConfigurationError } from '../../errors.js';
import type { CertificateAuthority } from '../pki/certificate-authority.js';
import {
  DEFAULT_ASSERTION_CLOCK_SKEW_SECONDS,
  DEFAULT_EMULATOR_AUDIENCE,
  DEFAULT_EMULATOR_TENANT_ID,
  DEFAULT_TOKEN_LIFETIME_SECONDS,
} from './constants.js';
import type { ManagedIdentityDefinition, ServicePrincipalDefinition } from './principals.js';
import type { RequestLogEntry } from './request-log.js';

/** Options of {@link startIdentityEmulator}. Every option is optional. */
export interface IdentityEmulatorOptions {
  /** CA that issues the HTTPS server certificate and the default client certificate. Default: a new CA. */
  readonly ca?: CertificateAuthority;
  /** Loopback address both servers listen on. Default `'127.0.0.1'`. */
  readonly host?: string;
  /** Port of the HTTPS (Entra ID) server. Default 0 (a free port). */
  readonly port?: number;
  /** Port of the plain-HTTP managed-identity server (IMDS and App Service styles). Default 0 (a free port). */
  readonly managedIdentityPort?: number;
  /** Tenant id. Default {@link DEFAULT_EMULATOR_TENANT_ID}. */
  readonly tenantId?: string;
  /** Lifetime of issued access tokens, in seconds (integer >= 1). Default 3600. */
  readonly tokenLifetimeSeconds?: number;
  /** Audience (`aud`) of issued access tokens; the accepted scope is `<audience>/.default`. Default `'https://redis.azure.com'`. */
  readonly audience?: string;
  /**
   * Principals to register instead of the default ones. Default: the service principals
   * {@link DEFAULT_SECRET_PRINCIPAL}, {@link DEFAULT_CERTIFICATE_PRINCIPAL} (certificate issued by `ca`),
   * {@link DEFAULT_WORKLOAD_PRINCIPAL}, and the managed identities {@link DEFAULT_SYSTEM_ASSIGNED_IDENTITY},
   * {@link DEFAULT_USER_ASSIGNED_IDENTITY}.
   */
  readonly principals?: {
    readonly servicePrincipals?: readonly ServicePrincipalDefinition[];
    readonly managedIdentities?: readonly ManagedIdentityDefinition[];
  };
  /** Tolerance for the `exp` and `nbf` of client assertions, in seconds (>= 0). Default 300. */
  readonly clockSkewToleranceSeconds?: number;
  /** Called once per request with its log entry. Default none. Must not throw (exceptions are ignored). */
  readonly log?: (entry: RequestLogEntry) => void;
}

/** The options after validation and defaults. */
export interface ResolvedIdentityEmulatorOptions {
  readonly host: string;
  readonly port: number;
  readonly managedIdentityPort: number;
  readonly tenantId: string;
  readonly tokenLifetimeSeconds: number;
  readonly audience: string;
  readonly clockSkewToleranceSeconds: number;
}

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '::1']);

function port(field: string, value: unknown): number {
  if (value === undefined) return 0;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 65535) {
    throw new ConfigurationError(field, `must be an integer port 0-65535, got ${String(value)}`);
  }
  return value;
}

/** Validates `options` and fills in defaults; never mutates `options`. */
export function resolveIdentityEmulatorOptions(options: IdentityEmulatorOptions): ResolvedIdentityEmulatorOptions {
  const host = options.host ?? '127.0.0.1';
  if (typeof host !== 'string' || !(LOOPBACK_NAMES.has(host) || (isIP(host) === 4 && host.startsWith('127.')))) {
    throw new ConfigurationError('host', `must be a loopback address (127.x.x.x, ::1 or localhost), got ${String(host)}`);
  }
  const tenantId = options.tenantId ?? DEFAULT_EMULATOR_TENANT_ID;
  if (typeof tenantId !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9.-]{0,127}$/.test(tenantId)) {
    throw new ConfigurationError('tenantId', 'must be a GUID or domain-like name');
  }
  const lifetime = options.tokenLifetimeSeconds ?? DEFAULT_TOKEN_LIFETIME_SECONDS;
  if (!Number.isInteger(lifetime) || lifetime < 1) {
    throw new ConfigurationError('tokenLifetimeSeconds', `must be an integer number of seconds >= 1, got ${String(lifetime)}`);
  }
  const audience = options.audience ?? DEFAULT_EMULATOR_AUDIENCE;
  if (typeof audience !== 'string' || audience.length === 0 || audience.endsWith('/')) {
    throw new ConfigurationError('audience', 'must be a non-empty string without a trailing slash, e.g. "https://redis.azure.com"');
  }
  const skew = options.clockSkewToleranceSeconds ?? DEFAULT_ASSERTION_CLOCK_SKEW_SECONDS;
  if (typeof skew !== 'number' || !Number.isFinite(skew) || skew < 0) {
    throw new ConfigurationError('clockSkewToleranceSeconds', `must be a number of seconds >= 0, got ${String(skew)}`);
  }
  if (options.log !== undefined && typeof options.log !== 'function') {
    throw new ConfigurationError('log', `must be a function, got ${typeof options.log}`);
  }
  return Object.freeze({
    host,
    port: port('port', options.port),
    managedIdentityPort: port('managedIdentityPort', options.managedIdentityPort),
    tenantId,
    tokenLifetimeSeconds: lifetime,
    audience,
    clockSkewToleranceSeconds: skew,
  });
}
