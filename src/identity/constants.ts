/**
 * Well-known values for Azure Redis and Microsoft Entra ID.
 *
 * @module
 */

/** The OAuth scope of Azure Managed Redis / Azure Cache for Redis: the default `scopes` of every factory. */
export const REDIS_SCOPE_DEFAULT = 'https://redis.azure.com/.default';

/** The resource a managed identity asks for (the scope without `/.default`). */
export const REDIS_MANAGED_IDENTITY_RESOURCE = 'https://redis.azure.com';

/** The public-cloud Entra ID authority host: the default `authorityHost`. */
export const DEFAULT_AUTHORITY_HOST = 'https://login.microsoftonline.com';

/** Managed identity kinds accepted by `createFromManagedIdentity`. */
export const ManagedIdentityType = Object.freeze({
  /** The identity of the Azure resource the process runs on. */
  SYSTEM_ASSIGNED: 'system-assigned',
  /** An identity created separately and attached to the resource; needs `idType` and `id`. */
  USER_ASSIGNED: 'user-assigned',
} as const);

/** One of the {@link ManagedIdentityType} values. */
export type ManagedIdentityType = (typeof ManagedIdentityType)[keyof typeof ManagedIdentityType];

/** How a user-assigned managed identity is named. */
export const ManagedIdentityIdType = Object.freeze({
  /** The identity's client (application) id. */
  CLIENT_ID: 'client-id',
  /** The identity's object (principal) id. */
  OBJECT_ID: 'object-id',
  /** The identity's ARM resource id, `/subscriptions/…/userAssignedIdentities/<name>`. */
  RESOURCE_ID: 'resource-id',
} as const);

/** One of the {@link ManagedIdentityIdType} values. */
export type ManagedIdentityIdType = (typeof ManagedIdentityIdType)[keyof typeof ManagedIdentityIdType];

/**
 * The managed-identity resource for a scope: the scope without a trailing `/.default`.
 *
 * @param scope - an OAuth scope such as `https://redis.azure.com/.default`.
 */
export function scopeToResource(scope: string): string {
  return scope.endsWith('/.default') ? scope.slice(0, -'/.default'.length) : scope;
}
