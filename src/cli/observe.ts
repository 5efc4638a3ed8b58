import type { ObservedError } from './diagnose.js';

/** Longest error message shown, in characters (Azure SDK messages carry long troubleshooting text). */
const MAX_MESSAGE = 400;

/**
 * An error as `check`/`token` show it: the first meaningful line, shortened, with every secret in
 * `secrets` replaced by `[redacted]`, plus its `code` and `name`.
 */
export function observeError(error: unknown, secrets: readonly (string | undefined)[] = []): ObservedError {
  const e = error instanceof Error ? error : new Error(String(error));
  let message = e.message.split('\n').map((l) => l.trim()).filter(Boolean).join(' ');
  for (const secret of secrets) {
    if (secret && secret.length >= 8) message = message.split(secret).join('[redacted]');
  }
  // JWT-looking strings never leave the process, whatever produced them.
  message = message.replace(/eyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]*/g, '[redacted token]');
  if (message.length > MAX_MESSAGE) message = `${message.slice(0, MAX_MESSAGE - 1)}…`;
  const code = (e as { code?: unknown }).code;
  const errorCode = (e as { errorCode?: unknown }).errorCode;
  return {
    message: message || e.name,
    code: typeof code === 'string' ? code : typeof errorCode === 'string' ? errorCode : undefined,
    name: e.name,
  };
}
