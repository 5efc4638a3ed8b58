/**
 * The `redis-entraid` command: dispatches to one command per file under `commands/`.
 *
 * @module
 */
import { ExitCode, processIo, type CliIo } from './io.js';
import { MissingPrerequisiteError, UsageError } from './usage-error.js';

/** A command: its one-line summary and its entry point. */
interface Command {
  readonly summary: string;
  run(argv: readonly string[], io: CliIo): Promise<number>;
}

const COMMANDS: Readonly<Record<string, Command>> = {
  demo: {
    summary: 'run the whole flow on the embedded emulator and watch tokens renew (no Azure needed)',
    run: async (argv, io) => (await import('./commands/demo.js')).runDemo(argv, io),
  },
  check: {
    summary: 'diagnose a real cache: token, TLS, AUTH, PING, DBSIZE (and every cluster node)',
    run: async (argv, io) => (await import('./commands/check.js')).runCheck(argv, io),
  },
  token: {
    summary: 'acquire an access token and print its claims (the token only with --raw)',
    run: async (argv, io) => (await import('./commands/token.js')).runToken(argv, io),
  },
  emulator: {
    summary: 'run the local Entra ID + Azure-like Redis emulator in the foreground',
    run: async (argv, io) => (await import('./commands/emulator.js')).runEmulator(argv, io),
  },
};

/** The top-level `--help`. */
export function mainHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `Usage: redis-entraid <command> [options]

Microsoft Entra ID authentication for Azure Managed Redis and Azure Cache for Redis.

Commands:
${lines.join('\n')}

Run "redis-entraid <command> --help" for a command's options.

Exit codes: 0 success, 1 a check / command failed, 2 usage error, 3 missing prerequisite
(redis-server, or the optional redis / ioredis package).
`;
}

/** Runs the `redis-entraid` command with `argv` (without node and script); resolves to the exit code. */
export async function runCli(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? rest[0] : undefined;
    if (topic !== undefined && Object.hasOwn(COMMANDS, topic)) return runCli([topic, '--help'], io);
    io.out(mainHelp());
    return ExitCode.OK;
  }
  if (name === '--version' || name === '-v') {
    const { createRequire } = await import('node:module');
    const pkg = createRequire(import.meta.url)('../../package.json') as { version: string };
    io.out(`${pkg.version}\n`);
    return ExitCode.OK;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (command === undefined) {
    io.err(`redis-entraid: unknown command "${name}"; commands: ${Object.keys(COMMANDS).join(', ')} (see redis-entraid --help)\n`);
    return ExitCode.USAGE;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`redis-entraid ${error.message}\nSee redis-entraid ${name} --help\n`);
      return ExitCode.USAGE;
    }
    if (error instanceof MissingPrerequisiteError) {
      io.err(`redis-entraid ${name}: ${error.message}\n`);
      return ExitCode.MISSING_PREREQUISITE;
    }
    // Anything else: one line (never a token: our messages carry none), the stack with REDIS_ENTRAID_DEBUG=1.
    const message = error instanceof Error ? error.message : String(error);
    io.err(`redis-entraid ${name}: ${message}\n`);
    if (io.env['REDIS_ENTRAID_DEBUG'] && error instanceof Error && error.stack) io.err(`${error.stack}\n`);
    return ExitCode.FAILURE;
  }
}
