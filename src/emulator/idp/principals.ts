import { X509Certificate } from 'node:crypto';
import { ConfigurationError } from '../../errors.js';

/** A federated identity credential registered on a service principal (workload identity). */
export interface FederatedCredential {
  /** Issuer the federated token must carry in `iss`. */
  readonly issuer: string;
  /** Subject the federated token must carry in `sub`. */
  readonly subject: string;
  /** Accepted audiences; default `['api://AzureADTokenExchange']`. */
  readonly audiences?: readonly string[];
}

/** A service principal (app registration) the emulator knows. */
export interface ServicePrincipalDefinition {
  /** Application (client) id. */
  readonly clientId: string;
  /** Object id of the service principal: the `oid` claim, i.e. the Redis username. Must differ from `clientId`. */
  readonly objectId: string;
  /** Display name, for logs. Default the client id. */
  readonly displayName?: string;
  /** A client secret it may authenticate with. */
  readonly clientSecret?: string;
  /** Certificates (PEM) it may authenticate with by a signed client assertion. */
  readonly certificatePems?: readonly string[];
  /** Federated credentials it may authenticate with (a federated token as client assertion). */
  readonly federatedCredentials?: readonly FederatedCredential[];
  /** Lifetime of its access tokens, in seconds. Default the emulator's `tokenLifetimeSeconds`. */
  readonly tokenLifetimeSeconds?: number;
}

/** A managed identity the emulator knows. */
export interface ManagedIdentityDefinition {
  /** `system-assigned` (at most one; answers requests naming no identity) or `user-assigned`. */
  readonly kind: 'system-assigned' | 'user-assigned';
  /** Client id. */
  readonly clientId: string;
  /** Object (principal) id: the `oid` claim. Must differ from `clientId`. */
  readonly objectId: string;
  /** ARM resource id, `/subscriptions/.../userAssignedIdentities/<name>` (user-assigned only). */
  readonly resourceId?: string;
  /** Lifetime of its access tokens, in seconds. Default the emulator's `tokenLifetimeSeconds`. */
  readonly tokenLifetimeSeconds?: number;
}

/** A registered certificate with both thumbprints (base64url, as in JWS headers). */
export interface RegisteredCertificate {
  readonly x509: X509Certificate;
  readonly x5t: string;
  readonly x5tS256: string;
}

/** A service principal as stored by the emulator. */
export interface ServicePrincipal extends Omit<ServicePrincipalDefinition, 'certificatePems'> {
  readonly type: 'service-principal';
  readonly displayName: string;
  readonly certificates: readonly RegisteredCertificate[];
  readonly federatedCredentials: readonly FederatedCredential[];
}

/** A managed identity as stored by the emulator. */
export interface ManagedIdentity extends ManagedIdentityDefinition {
  readonly type: 'managed-identity';
}

/** Any principal the emulator can issue tokens to. */
export type Principal = ServicePrincipal | ManagedIdentity;

/** Thumbprints of a certificate, base64url: SHA-1 (`x5t`) and SHA-256 (`x5t#S256`). */
export function certificateThumbprints(x509: X509Certificate): { x5t: string; x5tS256: string } {
  const hex = (fingerprint: string): string => Buffer.from(fingerprint.replaceAll(':', ''), 'hex').toString('base64url');
  return { x5t: hex(x509.fingerprint), x5tS256: hex(x509.fingerprint256) };
}

function requireId(field: string, value: unknown): void {
  if (typeof value !== 'string' || value.length === 0) {
    throw new ConfigurationError(field, `must be a non-empty string, got ${typeof value}`);
  }
}

function requireLifetime(field: string, value: number | undefined): void {
  if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
    throw new ConfigurationError(field, `must be an integer number of seconds >= 1, got ${String(value)}`);
  }
}

/** The principals of one emulator: lookup by client id, object id or resource id. */
export class PrincipalRegistry {
  readonly #servicePrincipals = new Map<string, ServicePrincipal>();
  readonly #managedIdentities: ManagedIdentity[] = [];

  /** Registers (or replaces, by client id) a service principal. */
  addServicePrincipal(definition: ServicePrincipalDefinition): ServicePrincipal {
    requireId('servicePrincipal.clientId', definition.clientId);
    requireId('servicePrincipal.objectId', definition.objectId);
    if (definition.clientId === definition.objectId) {
      throw new ConfigurationError('servicePrincipal.objectId', 'must differ from clientId');
    }
    requireLifetime('servicePrincipal.tokenLifetimeSeconds', definition.tokenLifetimeSeconds);
    const certificates = (definition.certificatePems ?? []).map((pem, i) => {
      let x509: X509Certificate;
      try {
        x509 = new X509Certificate(pem);
      } catch (cause) {
        throw new ConfigurationError(`servicePrincipal.certificatePems[${i}]`, 'is not a PEM certificate', { cause });
      }
      return { x509, ...certificateThumbprints(x509) };
    });
    const { certificatePems: _ignored, ...rest } = definition;
    const principal: ServicePrincipal = Object.freeze({
      ...rest,
      type: 'service-principal',
      displayName: definition.displayName ?? definition.clientId,
      certificates,
      federatedCredentials: definition.federatedCredentials ?? [],
    });
    this.#servicePrincipals.set(principal.clientId, principal);
    return principal;
  }

  /** Registers a managed identity; a new system-assigned one replaces the previous one. */
  addManagedIdentity(definition: ManagedIdentityDefinition): ManagedIdentity {
    requireId('managedIdentity.clientId', definition.clientId);
    requireId('managedIdentity.objectId', definition.objectId);
    if (definition.kind !== 'system-assigned' && definition.kind !== 'user-assigned') {
      throw new ConfigurationError('managedIdentity.kind', `must be "system-assigned" or "user-assigned", got ${String(definition.kind)}`);
    }
    if (definition.clientId === definition.objectId) {
      throw new ConfigurationError('managedIdentity.objectId', 'must differ from clientId');
    }
    requireLifetime('managedIdentity.tokenLifetimeSeconds', definition.tokenLifetimeSeconds);
    const identity: ManagedIdentity = Object.freeze({ ...definition, type: 'managed-identity' });
    const index = this.#managedIdentities.findIndex(
      (m) => m.clientId === identity.clientId || (identity.kind === 'system-assigned' && m.kind === 'system-assigned'),
    );
    if (index >= 0) this.#managedIdentities.splice(index, 1);
    this.#managedIdentities.push(identity);
    return identity;
  }

  /** The service principal with this client id. */
  servicePrincipal(clientId: string): ServicePrincipal | undefined {
    return this.#servicePrincipals.get(clientId);
  }

  /** The managed identity a request selects: none given → system-assigned; else by client, object or resource id. */
  managedIdentity(selector: { clientId?: string; objectId?: string; resourceId?: string }): ManagedIdentity | undefined {
    const { clientId, objectId, resourceId } = selector;
    if (clientId === undefined && objectId === undefined && resourceId === undefined) {
      return this.#managedIdentities.find((m) => m.kind === 'system-assigned');
    }
    return this.#managedIdentities.find(
      (m) =>
        (clientId === undefined || m.clientId === clientId) &&
        (objectId === undefined || m.objectId === objectId) &&
        (resourceId === undefined || (m.resourceId !== undefined && m.resourceId.toLowerCase() === resourceId.toLowerCase())),
    );
  }

  /** Any principal by client id or object id. */
  find(id: string): Principal | undefined {
    const sp = this.#servicePrincipals.get(id) ?? [...this.#servicePrincipals.values()].find((p) => p.objectId === id);
    return sp ?? this.#managedIdentities.find((m) => m.clientId === id || m.objectId === id);
  }
}
