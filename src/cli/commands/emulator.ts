/**
 * `redis-entraid emulator`: runs the local Entra ID and an Azure-like Redis in the foreground and prints
 * the environment variables and connection settings to use, until Ctrl-C.
 *
 * @module
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEFAULT_CERTIFICATE_PRINCIPAL,
  DEFAULT_SECRET_PRINCIPAL,
  DEFAULT_SYSTEM_ASSIGNED_IDENTITY,
  DEFAULT_USER_ASSIGNED_IDENTITY,
} from '../../emulator/idp/constants.js';
import { createCertificateAuthority } from '../../emulator/pki/certificate-authority.js';
import { ExitCode, type CliIo } from '../io.js';
import { flag, integerOption, parseOptions } from '../parse.js';
import { createStyle } from '../render/style.js';
import { startStack, waitForStopSignal, type Stack } from '../stack.js';

export const EMULATOR_HELP = `Usage: redis-entraid emulator [options]

Runs, in the foreground, a local Entra ID (token, discovery, JWKS and managed identity endpoints) and an
Azure-like Redis: a real redis-server behind a TLS gate that accepts Entra ID tokens as passwords and
closes connections whose token expired. Prints the environment variables and connection settings to use,
then waits; Ctrl-C stops everything and removes the temporary files.

Secrets (the emulator's client secret, the client certificate's key) are written to files (mode 0600)
in a temporary directory; source the printed .env files rather than copying values.

Options:
  --cluster                  a 3-master Redis Cluster (OSS cluster policy), one gate per node
  --no-redis                 only the identity emulator
  --token-lifetime <s>       lifetime of issued access tokens, in seconds (default 3600)
  --idp-port <port>          port of the HTTPS identity endpoint (default: a free port)
  --json                     print the settings as one JSON line (for scripts)
  -h, --help                 show this help

Exit codes: 0 stopped by Ctrl-C / SIGTERM, 2 usage error, 3 redis-server missing.
`;

/** What `emulator` prints: every setting, no secret values. */
export interface EmulatorSettings {
  readonly authorityHost: string;
  readonly tenantId: string;
  readonly tokenLifetimeSeconds: number;
  readonly caCertPath: string;
  readonly envFiles: { readonly servicePrincipalSecret: string; readonly servicePrincipalCertificate: string; readonly managedIdentity: string };
  readonly principals: {
    readonly servicePrincipalSecret: { clientId: string; objectId: string };
    readonly servicePrincipalCertificate: { clientId: string; objectId: string };
    readonly systemAssignedManagedIdentity: { clientId: string; objectId: string };
    readonly userAssignedManagedIdentity: { clientId: string; objectId: string };
  };
  readonly managedIdentity: { readonly identityEndpoint: string; readonly imdsBaseUrl: string };
  readonly redis: { readonly host: string; readonly port: number; readonly tls: boolean; readonly cluster: boolean; readonly nodes: readonly string[] } | undefined;
}

function envFile(vars: Record<string, string>): string {
  return `${Object.entries(vars)
    .map(([k, v]) => `export ${k}='${v.replaceAll("'", "'\\''")}'`)
    .join('\n')}\n`;
}

/** Writes the env files into `dir` and describes the running stack. */
export function describeStack(stack: Stack, dir: string, caCertPath: string, tokenLifetimeSeconds: number): EmulatorSettings {
  const { idp, redis } = stack;
  const trust = { NODE_EXTRA_CA_CERTS: caCertPath };
  const write = (name: string, vars: Record<string, string>): string => {
    const path = join(dir, name);
    writeFileSync(path, envFile({ ...trust, ...vars }), { mode: 0o600 });
    return path;
  };
  const certPath = join(dir, 'client-certificate.pem');
  writeFileSync(certPath, `${idp.clientCertificate.certPem}\n${idp.clientCertificate.keyPem}`, { mode: 0o600 });
  const pick = (p: { clientId: string; objectId: string }): { clientId: string; objectId: string } => ({ clientId: p.clientId, objectId: p.objectId });
  return {
    authorityHost: idp.authorityHost,
    tenantId: idp.tenantId,
    tokenLifetimeSeconds,
    caCertPath,
    envFiles: {
      servicePrincipalSecret: write('sp-secret.env', { ...idp.env.servicePrincipalSecret(), AZURE_TENANT_ID: idp.tenantId }),
      servicePrincipalCertificate: write('sp-certificate.env', {
        AZURE_AUTHORITY_HOST: idp.authorityHost,
        AZURE_TENANT_ID: idp.tenantId,
        AZURE_CLIENT_ID: DEFAULT_CERTIFICATE_PRINCIPAL.clientId,
        AZURE_CLIENT_CERTIFICATE_PATH: certPath,
      }),
      managedIdentity: write('managed-identity.env', idp.env.appServiceManagedIdentity()),
    },
    principals: {
      servicePrincipalSecret: pick(DEFAULT_SECRET_PRINCIPAL),
      servicePrincipalCertificate: pick(DEFAULT_CERTIFICATE_PRINCIPAL),
      systemAssignedManagedIdentity: pick(DEFAULT_SYSTEM_ASSIGNED_IDENTITY),
      userAssignedManagedIdentity: pick(DEFAULT_USER_ASSIGNED_IDENTITY),
    },
    managedIdentity: { identityEndpoint: idp.managedIdentityEndpoint.identityEndpoint, imdsBaseUrl: idp.managedIdentityEndpoint.imdsBaseUrl },
    redis: redis
      ? { host: redis.host, port: redis.port, tls: redis.tls, cluster: redis.cluster, nodes: redis.rootNodes.map((n) => `${n.host}:${n.port}`) }
      : undefined,
  };
}

function printSettings(io: CliIo, s: EmulatorSettings): void {
  const st = createStyle(io.color);
  const row = (k: string, v: string): string => `  ${k.padEnd(22)} ${v}\n`;
  let text = `${st.bold('redis-entraid emulator')} is running.\n\n${st.bold('Entra ID')}\n`;
  text += row('authority host', s.authorityHost) + row('tenant', s.tenantId) + row('token lifetime', `${s.tokenLifetimeSeconds} s`);
  text += row('CA certificate', s.caCertPath) + row('managed identity', `${s.managedIdentity.identityEndpoint} (App Service style)`);
  text += `\n${st.bold('Principals')} (client id → object id = Redis username)\n`;
  text += row('secret SP', `${s.principals.servicePrincipalSecret.clientId} → ${s.principals.servicePrincipalSecret.objectId}`);
  text += row('certificate SP', `${s.principals.servicePrincipalCertificate.clientId} → ${s.principals.servicePrincipalCertificate.objectId}`);
  text += row('system-assigned MI', `${s.principals.systemAssignedManagedIdentity.clientId} → ${s.principals.systemAssignedManagedIdentity.objectId}`);
  text += row('user-assigned MI', `${s.principals.userAssignedManagedIdentity.clientId} → ${s.principals.userAssignedManagedIdentity.objectId}`);
  if (s.redis) {
    text += `\n${st.bold('Redis')} (${s.redis.tls ? 'TLS' : 'plaintext'}${s.redis.cluster ? ', cluster' : ''}; username = oid, password = access token)\n`;
    text += row('host', s.redis.host) + row('port', String(s.redis.port));
    if (s.redis.cluster) text += row('nodes', s.redis.nodes.join(', '));
  }
  text += `\n${st.bold('Environment')} (each file also sets NODE_EXTRA_CA_CERTS, which node reads at start-up):\n`;
  text += `  source ${s.envFiles.servicePrincipalSecret}        # service principal, client secret\n`;
  text += `  source ${s.envFiles.servicePrincipalCertificate}   # service principal, certificate\n`;
  text += `  source ${s.envFiles.managedIdentity}   # managed identity (App Service style)\n`;
  if (s.redis) {
    text += `\nTry: redis-entraid check --host ${s.redis.host} --port ${s.redis.port}${s.redis.cluster ? ' --cluster' : ''}\n`;
  }
  text += `\nReady. Press Ctrl-C to stop.\n`;
  io.out(text);
}

/** Runs `emulator`. */
export async function runEmulator(argv: readonly string[], io: CliIo): Promise<number> {
  const values = parseOptions('emulator', argv, {
    cluster: { type: 'boolean' },
    'no-redis': { type: 'boolean' },
    'token-lifetime': { type: 'string' },
    'idp-port': { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (flag(values, 'help')) {
    io.out(EMULATOR_HELP);
    return ExitCode.OK;
  }
  const tokenLifetimeSeconds = integerOption('emulator', values, 'token-lifetime', 3600, { min: 1, max: 86_400 * 2 });
  const idpPort = integerOption('emulator', values, 'idp-port', 0, { min: 0, max: 65535 });
  const withRedis = !flag(values, 'no-redis');
  const stop = waitForStopSignal();
  const dir = mkdtempSync(join(tmpdir(), 'redis-entraid-emulator-'));
  let stack: Stack | undefined;
  try {
    const ca = createCertificateAuthority('redis-entraid emulator CA');
    const caCertPath = join(dir, 'ca.pem');
    writeFileSync(caCertPath, ca.certPem);
    stack = await startStack({ ca, tokenLifetimeSeconds, redis: withRedis, cluster: flag(values, 'cluster'), idpPort });
    const settings = describeStack(stack, dir, caCertPath, tokenLifetimeSeconds);
    if (flag(values, 'json')) io.out(`${JSON.stringify(settings)}\n`);
    else printSettings(io, settings);
    const signal = await stop.promise;
    if (!flag(values, 'json')) io.out(`\n${signal} received: stopping…\n`);
    await stack.close();
    rmSync(dir, { recursive: true, force: true });
    if (!flag(values, 'json')) io.out('Stopped; temporary files removed.\n');
    return ExitCode.OK;
  } finally {
    await stack?.close();
    rmSync(dir, { recursive: true, force: true });
    stop.dispose();
  }
}
