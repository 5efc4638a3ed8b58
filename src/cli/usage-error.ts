/** The command line is wrong; the message says what to change. Exit code 2. */
export class UsageError extends Error {
  readonly code = 'ERR_CLI_USAGE' as const;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UsageError';
  }
}

/** A prerequisite (a binary or an optional package) is missing; the message says how to install it. Exit code 3. */
export class MissingPrerequisiteError extends Error {
  readonly code = 'ERR_CLI_MISSING_PREREQUISITE' as const;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MissingPrerequisiteError';
  }
}
