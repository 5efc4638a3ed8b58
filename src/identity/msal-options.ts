import { debuglog } from 'node:util';
import type { NodeSystemOptions } from '@azure/msal-node';
import { DEFAULT_AUTHORITY_HOST } from './constants.js';

const debug = debuglog('redis-entraid:msal');

/**
 * msal-node logger options that forward to `NODE_DEBUG=redis-entraid:msal`, never with personal data.
 * A library never writes to the console.
 */
export function msalLoggerOptions(): NonNullable<NodeSystemOptions['loggerOptions']> {
  return {
    piiLoggingEnabled: false,
    // 2 = LogLevel.Info; a literal keeps this module free of msal's runtime enum.
    logLevel: 2,
    loggerCallback: (_level: unknown, message: string, containsPii: boolean) => {
      if (!containsPii) debug('%s', message);
    },
  };
}

/**
 * Normalises an authority host: `https://` URL, no path, no trailing slash.
 *
 * @param authorityHost - e.g. `https://login.microsoftonline.us` or `https://127.0.0.1:8443`.
 * @returns the origin, e.g. `https://login.microsoftonline.us`; undefined when it is not an https URL.
 */
export function normaliseAuthorityHost(authorityHost: string): string | undefined {
  let url: URL;
  try {
    url = new URL(authorityHost);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:') return undefined;
  const path = url.pathname.replace(/\/+$/, '');
  return `${url.origin}${path}`;
}

/**
 * Whether an authority host is the public-cloud one, for which msal's instance discovery is correct.
 *
 * @param authorityHost - a normalised authority host.
 */
export function isDefaultAuthorityHost(authorityHost: string): boolean {
  return authorityHost.toLowerCase() === DEFAULT_AUTHORITY_HOST;
}

/**
 * msal-node authority options for a tenant on an authority host. For any host other than the public cloud, the
 * host is declared a known authority, which turns off instance discovery (otherwise msal asks the public cloud
 * about the host, which fails offline, in sovereign-cloud networks and behind private endpoints).
 *
 * @param authorityHost - a normalised authority host.
 * @param tenantId - the tenant id (or domain).
 */
export function msalAuthorityOptions(
  authorityHost: string,
  tenantId: string,
): { authority: string; knownAuthorities?: string[] } {
  const authority = `${authorityHost}/${encodeURIComponent(tenantId)}`;
  if (isDefaultAuthorityHost(authorityHost)) return { authority };
  return { authority, knownAuthorities: [new URL(authorityHost).host] };
}
