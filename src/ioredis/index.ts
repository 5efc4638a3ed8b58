/**
 * redis-entraid/ioredis: Entra ID authentication for ioredis clients and clusters.
 *
 * @packageDocumentation
 */
export const IOREDIS_ADAPTER_VERSION = 1;
