import { ConfigurationError } from '../../errors.js';
import {
  ManagedIdentityIdType,
  ManagedIdentityType,
  REDIS_MANAGED_IDENTITY_RESOURCE,
  scopeToResource,
} from '../../identity/constants.js';
import type { ManagedIdentitySettings } from '../../identity/managed-identity.js';
import { requireNonEmptyString, requireOptionsObject, resolveScopes, type ScopeOptions } from './validate.js';

/** The identity options of `createFromManagedIdentity`. */
export interface ManagedIdentityIdentityOptions extends ScopeOptions {
  /** {@link ManagedIdentityType.SYSTEM_ASSIGNED} or {@link ManagedIdentityType.USER_ASSIGNED}. Required. */
  readonly identityType: ManagedIdentityType;
  /** How `id` names a user-assigned identity: {@link ManagedIdentityIdType}. Required for USER_ASSIGNED. */
  readonly idType?: ManagedIdentityIdType | undefined;
  /** The user-assigned identity's client id, object id or resource id (per `idType`). Required for USER_ASSIGNED. */
  readonly id?: string | undefined;
  /**
   * The one scope to request; the managed-identity resource is the scope without `/.default`.
   * Default `['https://redis.azure.com/.default']`, i.e. resource `https://redis.azure.com`.
   */
  readonly scopes?: readonly string[] | undefined;
}

/** The keys of {@link ManagedIdentityIdentityOptions}: they are not passed on to the credentials provider. */
export const MANAGED_IDENTITY_OPTION_KEYS: readonly string[] = Object.freeze(['identityType', 'idType', 'id', 'scopes']);

// JSON.stringify throws on a bigint and says nothing useful about an object: quote strings only.
function describeValue(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
}

const IDENTITY_TYPES: readonly string[] = Object.values(ManagedIdentityType);
const ID_TYPES: readonly string[] = Object.values(ManagedIdentityIdType);

/**
 * Validates the options of `createFromManagedIdentity` and resolves them into frozen settings.
 *
 * @throws {@link ConfigurationError} naming `identityType`, `idType`, `id` or `scopes`.
 */
export function resolveManagedIdentitySettings(options: ManagedIdentityIdentityOptions): ManagedIdentitySettings {
  requireOptionsObject(options);
  const scopes = resolveScopes(options.scopes);
  if (scopes.length !== 1) {
    throw new ConfigurationError('scopes', `must hold exactly one scope for a managed identity, got ${scopes.length}`);
  }
  const resource = options.scopes === undefined ? REDIS_MANAGED_IDENTITY_RESOURCE : scopeToResource(scopes[0] as string);
  const { identityType } = options;
  if (identityType === undefined) {
    throw new ConfigurationError('identityType', `is required: one of ${IDENTITY_TYPES.map((t) => JSON.stringify(t)).join(', ')} (ManagedIdentityType)`);
  }
  if (!IDENTITY_TYPES.includes(identityType)) {
    throw new ConfigurationError(
      'identityType',
      `must be one of ${IDENTITY_TYPES.map((t) => JSON.stringify(t)).join(', ')} (ManagedIdentityType), got ${describeValue(identityType)}`,
    );
  }
  if (identityType === ManagedIdentityType.SYSTEM_ASSIGNED) {
    if (options.idType !== undefined || options.id !== undefined) {
      throw new ConfigurationError(
        options.idType !== undefined ? 'idType' : 'id',
        'applies to ManagedIdentityType.USER_ASSIGNED only; a system-assigned identity is not named',
      );
    }
    return Object.freeze({ identityType, resource });
  }
  const { idType } = options;
  if (idType === undefined) {
    throw new ConfigurationError('idType', `is required for a user-assigned identity: one of ${ID_TYPES.map((t) => JSON.stringify(t)).join(', ')} (ManagedIdentityIdType)`);
  }
  if (!ID_TYPES.includes(idType)) {
    throw new ConfigurationError(
      'idType',
      `must be one of ${ID_TYPES.map((t) => JSON.stringify(t)).join(', ')} (ManagedIdentityIdType), got ${describeValue(idType)}`,
    );
  }
  const id = requireNonEmptyString('id', options.id);
  return Object.freeze({ identityType, idType, id, resource });
}
