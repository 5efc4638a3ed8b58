/**
 * `redis-entraid token`: acquires a token with the same inputs as `check` and prints its decoded claims
 * and expiry. The raw token is printed only with `--raw`.
 *
 * @module
 */
import { CREDENTIAL_HELP, CREDENTIAL_OPTIONS, describeInputs, resolveCredentialInputs } from '../args.js';
import { acquireToken, formatDuration, summarizeClaims, type TokenSummary } from '../credential.js';
import { diagnose, tokenProblem } from '../diagnose.js';
import { ExitCode, type CliIo } from '../io.js';
import { observeError } from '../observe.js';
import { flag, parseOptions } from '../parse.js';
import { createStyle } from '../render/style.js';

export const TOKEN_HELP = `Usage: redis-entraid token [options]

Acquires an access token for Azure Redis and prints its decoded claims (oid = the Redis username, tid,
aud, appid, expiry, lifetime). The token itself is printed only with --raw.

Options:
  --raw          print the raw access token (the Redis password) on stdout, nothing else
                 (with --json: add a "token" field). Treat the output as a secret.
  --json         print a JSON object instead of text
  -h, --help     show this help

${CREDENTIAL_HELP}
Exit codes: 0 token acquired, 1 acquisition failed, 2 usage error.
`;

/** Text lines describing a token's claims (no token). */
export function tokenSummaryLines(summary: TokenSummary): string[] {
  const rows: [string, string | undefined][] = [
    ['oid', summary.oid === undefined ? undefined : `${summary.oid}  (the Redis username)`],
    ['tid', summary.tid],
    ['aud', summary.aud],
    ['appid', summary.appid],
    ['iss', summary.iss],
    ['issued', summary.issuedAt],
    [
      'expires',
      summary.expiresAt === undefined
        ? undefined
        : `${summary.expiresAt} (in ${formatDuration(summary.expiresInSeconds ?? 0)}` +
          `${summary.lifetimeSeconds === undefined ? '' : `, lifetime ${formatDuration(summary.lifetimeSeconds)}`})`,
    ],
  ];
  return rows.filter(([, v]) => v !== undefined).map(([k, v]) => `  ${k.padEnd(8)} ${v as string}`);
}

/** Runs `token`. */
export async function runToken(argv: readonly string[], io: CliIo): Promise<number> {
  const values = parseOptions('token', argv, {
    ...CREDENTIAL_OPTIONS,
    raw: { type: 'boolean' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (flag(values, 'help')) {
    io.out(TOKEN_HELP);
    return ExitCode.OK;
  }
  const inputs = resolveCredentialInputs('token', values, io.env);
  const json = flag(values, 'json');
  const raw = flag(values, 'raw');
  const style = createStyle(io.color);
  const started = Date.now();
  let acquired;
  try {
    acquired = await acquireToken(inputs);
  } catch (error) {
    const observed = observeError(error, [inputs.clientSecret]);
    const diagnosis = diagnose('token', observed, { host: '', port: 0, cluster: false, identityKind: inputs.kind, authorityHost: inputs.authorityHost, nowMs: Date.now() });
    const ms = Date.now() - started;
    if (json) {
      io.out(`${JSON.stringify({ ok: false, identity: inputs.kind, durationMs: ms, error: observed, diagnosis }, null, 2)}\n`);
    } else {
      io.err(`${style.red('✗')} token: acquisition failed after ${ms} ms (${describeInputs(inputs)})\n`);
      io.err(`  error: ${observed.message}\n  cause: ${diagnosis.cause}\n  fix:   ${diagnosis.fix}\n`);
    }
    return ExitCode.FAILURE;
  }
  const now = Date.now();
  const summary = summarizeClaims(acquired.claims, now);
  const problem = tokenProblem(acquired.claims, now);
  const durationMs = acquired.receivedAtMs - acquired.startedAtMs;
  if (json) {
    const body = { ok: true, identity: inputs.kind, scope: inputs.scope, durationMs, claims: summary, ...(problem ? { warning: problem } : {}), ...(raw ? { token: acquired.token } : {}) };
    io.out(`${JSON.stringify(body, null, 2)}\n`);
    return ExitCode.OK;
  }
  if (raw) {
    io.out(`${acquired.token}\n`);
    return ExitCode.OK;
  }
  io.out(`${style.green('✓')} token for ${inputs.scope} in ${durationMs} ms (${describeInputs(inputs)})\n`);
  io.out(`${tokenSummaryLines(summary).join('\n')}\n`);
  if (problem) io.out(`${style.yellow('!')} ${problem.cause}\n  fix: ${problem.fix}\n`);
  return ExitCode.OK;
}
