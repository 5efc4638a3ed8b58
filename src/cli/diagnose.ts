/**
 * The diagnosis table of `check`: a failed step and its raw error → a stable kind, the likely cause and
 * the fix. Token facts (audience, expiry, oid) refine the diagnosis of an AUTH refusal, because Azure
 * answers every refused token with the same WRONGPASS.
 *
 * @module
 */
import { isIP } from 'node:net';
import type { JwtClaims } from '../token/jwt.js';
import { diagnoseToken } from './diagnose-token.js';

/** The steps of `check`. */
export type CheckStepName = 'token' | 'connect' | 'auth' | 'ping' | 'dbsize' | 'cluster';

/** An error as seen by the diagnosis: message, and the code/name when there is one. */
export interface ObservedError {
  readonly message: string;
  readonly code?: string | undefined;
  readonly name?: string | undefined;
}

/** What `check` knows when a step fails. */
export interface DiagnoseContext {
  readonly host: string;
  readonly port: number;
  readonly cluster: boolean;
  /** How the token was acquired (`secret`, `managed`, …), when known. */
  readonly identityKind?: string;
  /** The authority host the token was requested from, when known. */
  readonly authorityHost?: string;
  /** The token's claims, when one was acquired. */
  readonly claims?: JwtClaims | undefined;
  /** The username sent with AUTH. */
  readonly username?: string | undefined;
  /** Now, ms since the epoch. */
  readonly nowMs: number;
}

/** A diagnosis: a stable `kind` for scripts, the likely cause and the fix, for people. */
export interface Diagnosis {
  readonly kind: string;
  readonly cause: string;
  readonly fix: string;
}

/** Audiences Azure Redis accepts. */
export const REDIS_AUDIENCES: readonly string[] = [
  'https://redis.azure.com',
  'https://redis.azure.com/',
  'acca5fbb-b7e4-4009-81f1-37e38fd66d78',
];

/** Tolerated clock difference between this machine and the identity platform, in seconds. */
export const CLOCK_SKEW_TOLERANCE_SECONDS = 300;

const AZURE_CACHE_SUFFIXES = ['.redis.cache.windows.net', '.redis.cache.chinacloudapi.cn', '.redis.cache.usgovcloudapi.net'];
const MANAGED_REDIS_SUFFIXES = ['.redis.azure.net', '.redis.azure.cn', '.redis.azure.us'];

/** The product a host name belongs to, from its DNS suffix. */
export function productOf(host: string): 'azure-cache' | 'managed-redis' | 'unknown' {
  const h = host.toLowerCase();
  if (AZURE_CACHE_SUFFIXES.some((s) => h.endsWith(s))) return 'azure-cache';
  if (MANAGED_REDIS_SUFFIXES.some((s) => h.endsWith(s))) return 'managed-redis';
  return 'unknown';
}

/** A hint about the port, or undefined when it looks right. */
export function portHint(host: string, port: number): string | undefined {
  switch (productOf(host)) {
    case 'azure-cache':
      if (port === 6379) return 'port 6379 is the non-TLS port, disabled by default on Azure Cache for Redis: use 6380';
      return port === 6380 || (port >= 15000 && port < 16000) ? undefined : `Azure Cache for Redis listens on 6380 (TLS), not ${port}`;
    case 'managed-redis':
      return port === 10000 || (port >= 8500 && port < 8600)
        ? undefined
        : `Azure Managed Redis listens on 10000, not ${port}${port === 6380 ? ' (6380 is Azure Cache for Redis)' : ''}`;
    case 'unknown':
      return port === 6380 || port === 10000 ? undefined : 'Azure Cache for Redis listens on 6380, Azure Managed Redis on 10000';
  }
}

/** Facts about a token that make Azure refuse it, or undefined when it looks acceptable. */
export function tokenProblem(claims: JwtClaims, nowMs: number, username?: string): Diagnosis | undefined {
  const aud = claims.aud === undefined ? [] : Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!aud.some((a) => REDIS_AUDIENCES.includes(a))) {
    return {
      kind: 'audience-mismatch',
      cause: `the token's audience is ${aud.length > 0 ? aud.join(', ') : '(none)'}, not Azure Redis (https://redis.azure.com)`,
      fix: 'request the scope https://redis.azure.com/.default (managed identity resource https://redis.azure.com); do not reuse a token for another resource',
    };
  }
  const nowSeconds = nowMs / 1000;
  if (claims.exp !== undefined && claims.exp <= nowSeconds) {
    return {
      kind: 'token-expired',
      cause: `the token expired ${Math.round(nowSeconds - claims.exp)} s ago (exp ${new Date(claims.exp * 1000).toISOString()}) — an expired token, or this machine's clock is ahead`,
      fix: 'sync the system clock (NTP) and acquire a fresh token; renew tokens before they expire',
    };
  }
  if (claims.iat !== undefined && claims.iat - nowSeconds > CLOCK_SKEW_TOLERANCE_SECONDS) {
    return {
      kind: 'clock-skew',
      cause: `the token was issued ${Math.round(claims.iat - nowSeconds)} s in this machine's future: the local clock is behind`,
      fix: 'sync the system clock (NTP); token lifetimes and renewals are computed from it',
    };
  }
  if (username !== undefined && claims.oid !== undefined && username !== claims.oid) {
    return {
      kind: 'username-mismatch',
      cause: `AUTH used the username ${username}, but the token's object id (oid) is ${claims.oid}`,
      fix: 'use the token\'s oid claim as the username (the client id / app id is not the object id)',
    };
  }
  if (claims.oid === undefined) {
    return {
      kind: 'no-oid',
      cause: 'the token has no oid claim, so there is no username to authenticate as',
      fix: 'use an application or managed identity token for https://redis.azure.com/.default',
    };
  }
  return undefined;
}

const TLS_UNTRUSTED = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
]);

function withPortHint(fix: string, ctx: DiagnoseContext): string {
  const hint = portHint(ctx.host, ctx.port);
  return hint === undefined ? fix : `${fix}; ${hint}`;
}

function diagnoseConnect(error: ObservedError, ctx: DiagnoseContext): Diagnosis {
  const code = error.code ?? '';
  const message = error.message;
  if (code === 'ECONNREFUSED') {
    return {
      kind: 'connection-refused',
      cause: `nothing accepts connections on ${ctx.host}:${ctx.port}`,
      fix: withPortHint('check --host and --port', ctx),
    };
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return {
      kind: 'dns',
      cause: `the host name ${ctx.host} does not resolve`,
      fix: 'check --host (e.g. <name>.redis.cache.windows.net or <name>.<region>.redis.azure.net); with a private endpoint, check the privatelink DNS zone',
    };
  }
  if (code === 'ETIMEDOUT' || code === 'ERR_CHECK_TIMEOUT') {
    return {
      kind: 'timeout',
      cause: `no answer from ${ctx.host}:${ctx.port} in time`,
      fix: withPortHint('check firewall rules, public network access / private endpoint, and the port', ctx),
    };
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    const byIp = isIP(ctx.host) !== 0;
    return {
      kind: 'tls-name-mismatch',
      cause: byIp
        ? `connected by IP address ${ctx.host}, but the server certificate names host names only`
        : `the server certificate does not name ${ctx.host}`,
      fix: byIp
        ? 'connect with the cache host name and set TLS servername to it; for cluster nodes announced by IP map them to the host name: node-redis `nodeAddressMap`, ioredis `natMap` (or `dnsLookup` + `redisOptions.tls.servername`)'
        : 'use the host name the certificate was issued for (see the certificate subject above)',
    };
  }
  if (TLS_UNTRUSTED.has(code)) {
    return {
      kind: 'tls-untrusted',
      cause: `the server certificate is not trusted (${code}): a TLS-inspecting proxy, a local emulator, or a wrong host`,
      fix: 'trust the issuing CA with NODE_EXTRA_CA_CERTS=<ca.pem>; --insecure-skip-verify lets you diagnose the remaining steps',
    };
  }
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
    return {
      kind: 'tls-certificate-time',
      cause: `the server certificate is outside its validity period (${code}), or this machine's clock is wrong`,
      fix: 'check the system clock (NTP)',
    };
  }
  if (code === 'ERR_PLAINTEXT_PORT' || code === 'EPROTO' || code === 'ECONNRESET' || code === 'ERR_SOCKET_CLOSED_BEFORE_HANDSHAKE' || /wrong version number|packet length too long|before secure TLS connection/i.test(message)) {
    return {
      kind: 'not-tls',
      cause: `${ctx.host}:${ctx.port} did not complete a TLS handshake: it is probably a plaintext port`,
      fix: withPortHint('Azure Redis requires TLS; connect to the TLS port', ctx),
    };
  }
  return { kind: 'connect-failed', cause: `could not connect to ${ctx.host}:${ctx.port}`, fix: withPortHint('check --host and --port', ctx) };
}

function diagnoseCommand(step: CheckStepName, error: ObservedError, ctx: DiagnoseContext): Diagnosis {
  const message = error.message;
  if (/^WRONGPASS|invalid password|invalid username-password/i.test(message)) {
    const problem = ctx.claims ? tokenProblem(ctx.claims, ctx.nowMs, ctx.username) : undefined;
    if (problem) return problem;
    return {
      kind: 'no-access-policy',
      cause: `this principal (oid ${ctx.claims?.oid ?? ctx.username ?? '?'}) has no access policy assignment on the cache, or Microsoft Entra authentication is disabled on it`,
      fix: 'on the cache: Authentication → Microsoft Entra Authentication → enable it and add an access policy assignment for this oid (e.g. "Data Owner"/"Data Contributor"), then wait a minute for it to apply',
    };
  }
  if (/^ERR AUTH .*without any password configured/i.test(message)) {
    return {
      kind: 'entra-disabled',
      cause: 'the server has no users with passwords: Microsoft Entra authentication is not enabled (or this is not an Azure cache)',
      fix: 'enable Microsoft Entra authentication on the cache',
    };
  }
  if (/^NOAUTH/.test(message)) {
    return {
      kind: 'noauth',
      cause: `the server requires AUTH before ${step.toUpperCase()}: the connection is not (or no longer) authenticated`,
      fix: 'pass the credentials provider to the client (node-redis `credentialsProvider`, ioredis `withEntraId`) so every connection, including reconnects, sends AUTH',
    };
  }
  if (/^NOPERM/.test(message)) {
    return {
      kind: 'noperm',
      cause: `the access policy of oid ${ctx.claims?.oid ?? '?'} does not allow ${step.toUpperCase()}`,
      fix: 'assign a policy that allows the command (e.g. "Data Contributor") or add it to the custom access policy',
    };
  }
  if (/cluster support disabled/i.test(message)) {
    return {
      kind: 'not-a-cluster',
      cause: 'the server is not in cluster mode (Enterprise / non-clustered policy, or a non-clustered cache)',
      fix: 'run without --cluster and use a plain client',
    };
  }
  if (/^MOVED|^ASK|^CROSSSLOT|^CLUSTERDOWN/.test(message)) {
    return {
      kind: 'cluster-mode',
      cause: 'the server is a cluster (OSS cluster policy): commands are redirected to other nodes',
      fix: 'run with --cluster and use a cluster client (node-redis `createCluster`, ioredis `Redis.Cluster`)',
    };
  }
  if (error.code === 'ERR_CONNECTION_CLOSED' || error.code === 'ECONNRESET') {
    return {
      kind: 'connection-closed',
      cause: `the server closed the connection during ${step.toUpperCase()}`,
      fix: 'Azure closes connections whose token expired or whose AUTH was refused; acquire a fresh token and check the access policy assignment',
    };
  }
  return { kind: `${step}-failed`, cause: `${step.toUpperCase()} failed`, fix: 'read the server error above' };
}

/** How to make clients reach a node announced as `ip:port` whose certificate names `hostName`. */
export function nodeAddressMapAdvice(ip: string, port: number, hostName: string): Diagnosis {
  const map = `{ '${ip}:${port}': { host: '${hostName}', port: ${port} } }`;
  return {
    kind: 'node-address-map',
    cause: `the cluster announces this node as ${ip}:${port}, an IP address its certificate does not name (it names ${hostName})`,
    fix: `map node addresses in the client: node-redis \`nodeAddressMap: ${map}\`; ioredis \`natMap: ${map}\` with \`redisOptions: { tls: { servername: '${hostName}' } }\``,
  };
}

/** Diagnoses the failure of `step` with `error`. */
export function diagnose(step: CheckStepName, error: ObservedError, ctx: DiagnoseContext): Diagnosis {
  switch (step) {
    case 'token':
      return diagnoseToken(error, ctx);
    case 'connect':
      return diagnoseConnect(error, ctx);
    default:
      return diagnoseCommand(step, error, ctx);
  }
}
