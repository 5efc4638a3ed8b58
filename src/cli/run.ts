/** Runs the `redis-entraid` command with `argv` (without node and script); resolves to the exit code. */
export async function runCli(argv: readonly string[]): Promise<number> {
  const [command] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write('Usage: redis-entraid <demo|check|token|emulator> [options]\n');
    return 0;
  }
  process.stderr.write(`redis-entraid: unknown command "${command}"; see redis-entraid --help\n`);
  return 2;
}
