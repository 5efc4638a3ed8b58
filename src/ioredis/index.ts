/**
 * redis-entraid/ioredis: Entra ID authentication for ioredis clients and clusters.
 *
 * @packageDocumentation
 */
export const IOREDIS_ADAPTER_VERSION = 1;
export { withEntraId, bindEntraId } from './with-entra-id.js';
export type { EntraIdBinding } from './binding.js';
export type { CredentialsSource } from './credentials-source.js';
export { DEFAULT_REAUTH_JITTER_MS } from './options.js';
export type { EntraIdIoredisOptions } from './options.js';
