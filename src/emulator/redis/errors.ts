/** Codes of the errors raised by the emulator's Redis side. */
export type RedisEmulatorErrorCode = 'ERR_REDIS_SERVER_NOT_FOUND' | 'ERR_REDIS_SERVER_START' | 'ERR_REDIS_CLUSTER_START';

/** The emulator could not start or drive a `redis-server`. `code` says why. */
export class RedisEmulatorError extends Error {
  readonly code: RedisEmulatorErrorCode;

  constructor(code: RedisEmulatorErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RedisEmulatorError';
    this.code = code;
  }
}
