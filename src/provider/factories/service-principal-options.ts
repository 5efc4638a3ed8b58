import { ConfigurationError } from '../../errors.js';
import { loadClientCertificate } from '../../identity/client-certificate.js';
import type { ServicePrincipalSettings } from '../../identity/service-principal.js';
import {
  requireNonEmptyString,
  requireOptionsObject,
  resolveAuthorityHost,
  resolveScopes,
  type AuthorityOptions,
  type ScopeOptions,
} from './validate.js';

/** The identity options of `createFromServicePrincipal`: a client secret or a client certificate. */
export interface ServicePrincipalIdentityOptions extends ScopeOptions, AuthorityOptions {
  /** Application (client) id of the app registration. Required. */
  readonly clientId: string;
  /** Directory (tenant) id, or a verified domain. Required: the client-credentials grant is tenant-specific. */
  readonly tenantId: string;
  /** The client secret. Give this or a certificate (`certificate` / `certificatePath`), not both. */
  readonly clientSecret?: string | undefined;
  /** PEM (string or bytes) with the client certificate, optionally its chain, and its private key. */
  readonly certificate?: string | Uint8Array | undefined;
  /** Path of a PEM file with the client certificate and private key (read once, at the factory call). */
  readonly certificatePath?: string | undefined;
  /** Password of an encrypted private key in the PEM. Default: none (key not encrypted). */
  readonly certificatePassword?: string | undefined;
  /** Send the certificate chain (`x5c`) with each assertion, for subject name/issuer authentication. Default false. */
  readonly sendCertificateChain?: boolean | undefined;
}

/** The keys of {@link ServicePrincipalIdentityOptions}: they are not passed on to the credentials provider. */
export const SERVICE_PRINCIPAL_OPTION_KEYS: readonly string[] = Object.freeze([
  'clientId',
  'tenantId',
  'clientSecret',
  'certificate',
  'certificatePath',
  'certificatePassword',
  'sendCertificateChain',
  'scopes',
  'authorityHost',
]);

/**
 * Validates the options of `createFromServicePrincipal` and resolves them into frozen settings.
 * Reads `certificatePath` once. Never mutates `options`.
 *
 * @throws {@link ConfigurationError} naming the field: `clientId`, `tenantId`, `clientSecret or certificate`, ….
 */
export function resolveServicePrincipalSettings(options: ServicePrincipalIdentityOptions): ServicePrincipalSettings {
  requireOptionsObject(options);
  const clientId = requireNonEmptyString('clientId', options.clientId);
  const tenantId = requireNonEmptyString('tenantId', options.tenantId);
  const scopes = resolveScopes(options.scopes);
  const authorityHost = resolveAuthorityHost(options.authorityHost);
  const hasSecret = options.clientSecret !== undefined;
  const hasCertificate = options.certificate !== undefined || options.certificatePath !== undefined;
  if (hasSecret && hasCertificate) {
    throw new ConfigurationError(
      'clientSecret',
      `must not be combined with "${options.certificate !== undefined ? 'certificate' : 'certificatePath'}": give one credential`,
    );
  }
  if (!hasSecret && !hasCertificate) {
    throw new ConfigurationError('clientSecret or certificate', 'is required (or "certificatePath")');
  }
  if (options.sendCertificateChain !== undefined && typeof options.sendCertificateChain !== 'boolean') {
    throw new ConfigurationError('sendCertificateChain', `must be a boolean, got ${typeof options.sendCertificateChain}`);
  }
  if (hasSecret) {
    if (options.sendCertificateChain === true) {
      throw new ConfigurationError('sendCertificateChain', 'applies to certificate credentials only, not to "clientSecret"');
    }
    if (options.certificatePassword !== undefined) {
      throw new ConfigurationError('certificatePassword', 'applies to certificate credentials only, not to "clientSecret"');
    }
    const clientSecret = requireNonEmptyString('clientSecret', options.clientSecret);
    return Object.freeze({ clientId, tenantId, scopes, authorityHost, credential: Object.freeze({ kind: 'secret', clientSecret }) });
  }
  const certificate = loadClientCertificate(options);
  return Object.freeze({
    clientId,
    tenantId,
    scopes,
    authorityHost,
    credential: Object.freeze({ kind: 'certificate', certificate, sendCertificateChain: options.sendCertificateChain ?? false }),
  });
}
