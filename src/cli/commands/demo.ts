import { ExitCode, type CliIo } from '../io.js';

/** Runs `demo` (not yet implemented). */
export async function runDemo(_argv: readonly string[], io: CliIo): Promise<number> {
  io.err('redis-entraid demo: not implemented yet\n');
  return ExitCode.FAILURE;
}
