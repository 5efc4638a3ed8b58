import { ExitCode, type CliIo } from '../io.js';

/** Runs `emulator` (not yet implemented). */
export async function runEmulator(_argv: readonly string[], io: CliIo): Promise<number> {
  io.err('redis-entraid emulator: not implemented yet\n');
  return ExitCode.FAILURE;
}
