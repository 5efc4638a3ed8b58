import { randomBytes, type KeyObject } from 'node:crypto';
import { rmSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { ConfigurationError, ProviderClosedError } from '../../errors.js';
import { signJwt } from '../jwt/sign.js';
import { verifyJwt, type JwtVerification } from '../jwt/verify.js';
import { createCertificateAuthority, type CertificateBundle } from '../pki/certificate-authority.js';
import {
  DEFAULT_CERTIFICATE_PRINCIPAL,
  DEFAULT_FEDERATED_ISSUER,
  DEFAULT_FEDERATED_SUBJECT,
  DEFAULT_SECRET_PRINCIPAL,
  DEFAULT_SYSTEM_ASSIGNED_IDENTITY,
  DEFAULT_USER_ASSIGNED_IDENTITY,
  DEFAULT_WORKLOAD_PRINCIPAL,
  FEDERATED_TOKEN_AUDIENCE,
} from './constants.js';
import { serve, type EmulatorCore } from './core.js';
import { TempDirectory, type IdentityEmulatorEnv } from './env.js';
import { FaultInjector } from './faults.js';
import { handleManagedIdentityRequest } from './managed-identity-handler.js';
import { resolveIdentityEmulatorOptions, type IdentityEmulatorOptions } from './options.js';
import {
  PrincipalRegistry,
  type ManagedIdentity,
  type ManagedIdentityDefinition,
  type Principal,
  type ServicePrincipal,
  type ServicePrincipalDefinition,
} from './principals.js';
import { RequestRecorder, type IdentityEmulatorStats, type RequestLogEntry } from './request-log.js';
import { SigningKeySet } from './signing-keys.js';
import { handleStsRequest } from './sts-handler.js';
import { TokenIssuer, type AccessTokenOverrides } from './token-issuer.js';

/** Where the managed-identity endpoints listen (plain HTTP, like Azure). */
export interface ManagedIdentityEndpointInfo {
  /** IMDS base URL, `http://127.0.0.1:PORT` (the value of `AZURE_POD_IDENTITY_AUTHORITY_HOST`). */
  readonly imdsBaseUrl: string;
  /** Full IMDS token URL, `<imdsBaseUrl>/metadata/identity/oauth2/token`. */
  readonly imdsTokenUrl: string;
  /** App Service style endpoint (the value of `IDENTITY_ENDPOINT`). */
  readonly identityEndpoint: string;
  /** The secret clients send as `X-IDENTITY-HEADER` (the value of `IDENTITY_HEADER`). */
  readonly identityHeader: string;
}

/** Options of {@link IdentityEmulator.issueFederatedToken}. */
export interface FederatedTokenOptions {
  /** Client id of the service principal whose first federated credential is used. Default {@link DEFAULT_WORKLOAD_PRINCIPAL}. */
  readonly clientId?: string;
  /** `iss`; default the credential's issuer. */
  readonly issuer?: string;
  /** `sub`; default the credential's subject. */
  readonly subject?: string;
  /** `aud`; default `api://AzureADTokenExchange`. */
  readonly audience?: string;
  /** Lifetime, in seconds; default 3600. Negative gives an expired token. */
  readonly lifetimeSeconds?: number;
}

/** A running identity emulator. See {@link startIdentityEmulator}. */
export interface IdentityEmulator extends AsyncDisposable {
  /** `https://127.0.0.1:PORT`: pass as `authorityHost` to @azure/identity, or `<authorityHost>/<tenantId>` as an MSAL authority. */
  readonly authorityHost: string;
  /** The tenant id. */
  readonly tenantId: string;
  /** `<authorityHost>/<tenantId>/oauth2/v2.0/token`. */
  readonly tokenEndpoint: string;
  /** `iss` of the issued access tokens (`https://sts.windows.net/<tenant>/`, Entra v1 style). */
  readonly issuer: string;
  /** `aud` of the issued access tokens. */
  readonly audience: string;
  /** PEM of the CA that issued the HTTPS certificate: trust it (NODE_EXTRA_CA_CERTS or `ca` of an agent). */
  readonly caCertPem: string;
  /** Certificate and key of the default certificate service principal ({@link DEFAULT_CERTIFICATE_PRINCIPAL}). Secret key. */
  readonly clientCertificate: CertificateBundle;
  /** The managed-identity endpoints. */
  readonly managedIdentityEndpoint: ManagedIdentityEndpointInfo;
  /** Environment-variable helpers. */
  readonly env: IdentityEmulatorEnv;
  /** Fault injection; call `faults.clear()` between tests. */
  readonly faults: FaultInjector;
  /** The emulator's published public keys (newest first). */
  readonly publicKeys: readonly KeyObject[];
  /** The request log, oldest first (a live, read-only view). */
  readonly requests: readonly RequestLogEntry[];
  /** Verifies an access token: signature by one of the emulator's keys, `aud`, `iss`, `exp`/`nbf` at `nowMs` (default now). */
  verifyAccessToken(token: string, nowMs?: number): JwtVerification;
  /** Signs an access token for a registered principal (by client id or object id) without an HTTP request. */
  issueAccessToken(principal: string, overrides?: AccessTokenOverrides): string;
  /** Signs a federated token (workload identity) that the token endpoint accepts as `client_assertion`. */
  issueFederatedToken(options?: FederatedTokenOptions): string;
  /** Registers (or replaces, by client id) a service principal. */
  addServicePrincipal(definition: ServicePrincipalDefinition): ServicePrincipal;
  /** Registers a managed identity (a system-assigned one replaces the previous). */
  addManagedIdentity(definition: ManagedIdentityDefinition): ManagedIdentity;
  /** Counters of requests, tokens and faults. */
  stats(): IdentityEmulatorStats;
  /**
   * For tests only (e.g. grepping captured output for leaks): the raw `client_assertion` values the token
   * endpoint received, oldest first, whether accepted or not (certificate assertions and federated tokens);
   * the last 1,000 are kept. **Returns secrets**: each one is a credential until it expires, so never log or
   * print the result. They are kept out of {@link IdentityEmulator.requests}, `util.inspect` and `toJSON`.
   *
   * @returns a copy; later requests do not change it.
   */
  receivedClientAssertions(): string[];
  /** Makes a new key sign tokens; the previous key stays published and verifiable. */
  rotateSigningKey(): void;
  /** Addresses only (no secrets), for logs. */
  toJSON(): Record<string, unknown>;
  /** Stops both servers, destroys every open socket (hanging requests too) and removes temp files. Idempotent. */
  close(): Promise<void>;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function shut(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/**
 * Starts a local Entra ID: an HTTPS server with the token, OpenID discovery, JWKS and instance discovery
 * endpoints, and a plain-HTTP managed-identity server (IMDS and App Service styles). Only loopback addresses.
 *
 * @throws {@link ConfigurationError} for an invalid option.
 */
export async function startIdentityEmulator(options: IdentityEmulatorOptions = {}): Promise<IdentityEmulator> {
  const settings = resolveIdentityEmulatorOptions(options);
  const ca = options.ca ?? createCertificateAuthority();
  const issuer = `https://sts.windows.net/${settings.tenantId}/`;
  const keys = new SigningKeySet();
  const principals = new PrincipalRegistry();
  const clientCertificate = ca.issueClientCertificate(DEFAULT_CERTIFICATE_PRINCIPAL.displayName);
  const faults = new FaultInjector();
  const recorder = new RequestRecorder(options.log);
  const temp = new TempDirectory();
  const timers = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  const hostForUrl = settings.host.includes(':') ? `[${settings.host}]` : settings.host;
  let authorityHost = '';
  let closed = false;

  for (const sp of options.principals?.servicePrincipals ??
    [
      { ...DEFAULT_SECRET_PRINCIPAL },
      { ...DEFAULT_CERTIFICATE_PRINCIPAL, certificatePems: [clientCertificate.certPem] },
      { ...DEFAULT_WORKLOAD_PRINCIPAL, federatedCredentials: [{ issuer: DEFAULT_FEDERATED_ISSUER, subject: DEFAULT_FEDERATED_SUBJECT }] },
    ]) {
    principals.addServicePrincipal(sp);
  }
  for (const mi of options.principals?.managedIdentities ??
    [
      { kind: 'system-assigned' as const, ...DEFAULT_SYSTEM_ASSIGNED_IDENTITY },
      { kind: 'user-assigned' as const, ...DEFAULT_USER_ASSIGNED_IDENTITY },
    ]) {
    principals.addManagedIdentity(mi);
  }

  const core: EmulatorCore = {
    settings,
    issuer,
    appServicePath: '/msi/token',
    identityHeader: randomBytes(16).toString('hex'),
    principals,
    keys,
    tokens: new TokenIssuer(keys, { tenantId: settings.tenantId, issuer, audience: settings.audience, lifetimeSeconds: settings.tokenLifetimeSeconds }),
    faults,
    recorder,
    authorityHost: () => authorityHost,
    delay: (ms) =>
      new Promise<void>((resolve) => {
        if (closed) return resolve();
        const entry = { timer: setTimeout(() => { timers.delete(entry); resolve(); }, ms).unref(), resolve };
        timers.add(entry);
      }),
    isClosed: () => closed,
  };

  const serverCertificate = ca.issueServerCertificate(['localhost', '127.0.0.1', '::1']);
  const sts = createHttpsServer({ cert: serverCertificate.certPem, key: serverCertificate.keyPem }, serve(handleStsRequest, core));
  const msi = createHttpServer(serve(handleManagedIdentityRequest, core));
  let stsPort: number;
  let msiPort: number;
  try {
    stsPort = await listen(sts, settings.port, settings.host);
    msiPort = await listen(msi, settings.managedIdentityPort, settings.host);
  } catch (cause) {
    await Promise.all([shut(sts), shut(msi)]);
    throw new ConfigurationError('port', `could not listen on ${settings.host}: ${(cause as Error).message}`, { cause });
  }
  authorityHost = `https://${hostForUrl}:${stsPort}`;
  const msiBase = `http://${hostForUrl}:${msiPort}`;
  const managedIdentityEndpoint: ManagedIdentityEndpointInfo = Object.freeze({
    imdsBaseUrl: msiBase,
    imdsTokenUrl: `${msiBase}/metadata/identity/oauth2/token`,
    identityEndpoint: `${msiBase}${core.appServicePath}`,
    identityHeader: core.identityHeader,
  });

  const assertOpen = (what: string): void => {
    if (closed) throw new ProviderClosedError(`the identity emulator (${what})`);
  };

  const issueFederatedToken = (federated: FederatedTokenOptions = {}): string => {
    assertOpen('issueFederatedToken');
    const clientId = federated.clientId ?? DEFAULT_WORKLOAD_PRINCIPAL.clientId;
    const credential = principals.servicePrincipal(clientId)?.federatedCredentials[0];
    const nowSeconds = Math.floor(Date.now() / 1000);
    const key = keys.current;
    return signJwt(
      {
        iss: federated.issuer ?? credential?.issuer ?? DEFAULT_FEDERATED_ISSUER,
        sub: federated.subject ?? credential?.subject ?? DEFAULT_FEDERATED_SUBJECT,
        aud: federated.audience ?? FEDERATED_TOKEN_AUDIENCE,
        iat: nowSeconds,
        nbf: nowSeconds,
        exp: nowSeconds + (federated.lifetimeSeconds ?? 3600),
        jti: randomBytes(16).toString('hex'),
      },
      key.privateKey,
      { kid: key.kid },
    );
  };

  const withAuthority = (vars: Record<string, string>): Record<string, string> => ({
    AZURE_TENANT_ID: settings.tenantId,
    ...vars,
    AZURE_AUTHORITY_HOST: authorityHost,
  });
  const env: IdentityEmulatorEnv = {
    servicePrincipalSecret: (sp = DEFAULT_SECRET_PRINCIPAL) => withAuthority({ AZURE_CLIENT_ID: sp.clientId, AZURE_CLIENT_SECRET: sp.clientSecret }),
    servicePrincipalCertificate: (sp = { clientId: DEFAULT_CERTIFICATE_PRINCIPAL.clientId, ...clientCertificate }) =>
      withAuthority({ AZURE_CLIENT_ID: sp.clientId, AZURE_CLIENT_CERTIFICATE_PATH: temp.write(`${sp.clientId}.pem`, `${sp.certPem}\n${sp.keyPem}`) }),
    appServiceManagedIdentity: (clientId) => ({
      IDENTITY_ENDPOINT: managedIdentityEndpoint.identityEndpoint,
      IDENTITY_HEADER: managedIdentityEndpoint.identityHeader,
      ...(clientId === undefined ? {} : { AZURE_CLIENT_ID: clientId }),
    }),
    imdsManagedIdentity: (clientId) => ({
      AZURE_POD_IDENTITY_AUTHORITY_HOST: managedIdentityEndpoint.imdsBaseUrl,
      ...(clientId === undefined ? {} : { AZURE_CLIENT_ID: clientId }),
    }),
    workloadIdentity: (clientId = DEFAULT_WORKLOAD_PRINCIPAL.clientId) =>
      withAuthority({ AZURE_CLIENT_ID: clientId, AZURE_FEDERATED_TOKEN_FILE: temp.write(`federated-${clientId}.jwt`, issueFederatedToken({ clientId })) }),
    trustCa: () => ({ NODE_EXTRA_CA_CERTS: temp.write('ca.pem', ca.certPem) }),
  };

  const lookup = (id: string): Principal => {
    const principal = principals.find(id);
    if (!principal) throw new ConfigurationError('principal', `is not a registered client id or object id: ${id}`);
    return principal;
  };

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      closed = true;
      for (const entry of timers) {
        clearTimeout(entry.timer);
        entry.resolve();
      }
      timers.clear();
      await Promise.all([shut(sts), shut(msi)]);
      if (temp.path !== undefined) rmSync(temp.path, { recursive: true, force: true });
    })();
    return closing;
  };

  // What inspect and JSON show: addresses only, never the certificate key or the identity header.
  const summary = (): Record<string, unknown> => ({
    authorityHost,
    tenantId: settings.tenantId,
    imdsBaseUrl: managedIdentityEndpoint.imdsBaseUrl,
    identityEndpoint: managedIdentityEndpoint.identityEndpoint,
    closed,
  });

  const handle: IdentityEmulator = {
    toJSON: summary,
    authorityHost,
    tenantId: settings.tenantId,
    tokenEndpoint: `${authorityHost}/${settings.tenantId}/oauth2/v2.0/token`,
    issuer,
    audience: settings.audience,
    caCertPem: ca.certPem,
    clientCertificate,
    managedIdentityEndpoint,
    env,
    faults,
    get publicKeys() {
      return keys.publicKeys;
    },
    requests: recorder.entries,
    verifyAccessToken: (token, nowMs = Date.now()) =>
      verifyJwt(token, keys.publicKeys, { audiences: [settings.audience], issuers: [issuer], nowMs }),
    issueAccessToken: (id, overrides) => {
      assertOpen('issueAccessToken');
      return core.tokens.issue(lookup(id), overrides).token;
    },
    issueFederatedToken,
    addServicePrincipal: (definition) => principals.addServicePrincipal(definition),
    addManagedIdentity: (definition) => principals.addManagedIdentity(definition),
    stats: () => recorder.stats(faults.injectedCounts()),
    receivedClientAssertions: () => recorder.clientAssertions(),
    rotateSigningKey: () => {
      keys.rotate();
    },
    close,
    [Symbol.asyncDispose]: close,
  };
  Object.defineProperty(handle, inspect.custom, { value: () => `IdentityEmulator ${inspect(summary())}` });
  return handle;
}
