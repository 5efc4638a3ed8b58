/**
 * `redis-entraid check`: diagnoses a real cache step by step — token, TLS handshake, AUTH, PING, DBSIZE,
 * and with `--cluster` every node — each step timed, each failure mapped to a likely cause and a fix.
 *
 * @module
 */
import { isIP } from 'node:net';
import { CREDENTIAL_HELP, CREDENTIAL_OPTIONS, describeInputs, resolveCredentialInputs, type CredentialInputs } from '../args.js';
import { acquireToken, formatDuration, summarizeClaims, type AcquiredToken } from '../credential.js';
import { diagnose, nodeAddressMapAdvice, portHint, tokenProblem, type CheckStepName, type DiagnoseContext, type Diagnosis, type ObservedError } from '../diagnose.js';
import { ExitCode, type CliIo } from '../io.js';
import { observeError } from '../observe.js';
import { flag, integerOption, parseOptions, stringOption } from '../parse.js';
import { probePlaintext, RespConnection } from '../resp/connection.js';
import { clusterNodes } from '../resp/cluster-nodes.js';
import { createStyle, type Style } from '../render/style.js';
import { UsageError } from '../usage-error.js';

export const CHECK_HELP = `Usage: redis-entraid check --host <host> [--port <port>] [options]

Diagnoses Microsoft Entra ID access to a cache, step by step, each with its timing:
  token    acquire a token (shows oid, tid, aud, appid, expiry, lifetime — never the token)
  TLS      TLS handshake (certificate subject, issuer, expiry)
  AUTH     AUTH <oid> <token>
  PING     PING
  DBSIZE   DBSIZE
  cluster  with --cluster: CLUSTER SLOTS, then TLS/AUTH/PING/DBSIZE on every node
A failed step ends with the likely cause and the fix.

Options:
  --host <host>              the cache host name (REDIS_HOST)
  --port <port>              default 10000 for *.redis.azure.net (Azure Managed Redis), else 6380 (REDIS_PORT)
  --cluster                  the cache uses the OSS cluster policy: check every node
  --servername <name>        name to verify the server certificate against (default --host)
  --insecure-skip-verify     do not verify the server certificate (prints a warning)
  --no-tls                   plaintext (local servers only; Azure Redis requires TLS)
  --timeout <ms>             per-step timeout, default 10000
  --json                     print a JSON report instead of text
  -h, --help                 show this help

${CREDENTIAL_HELP}
Exit codes: 0 every step passed, 1 a step failed, 2 usage error.
`;

/** One step of the report. */
export interface CheckStep {
  /** Display name, e.g. `AUTH` or `node 10.0.0.4:8501 AUTH`. */
  readonly name: string;
  readonly step: CheckStepName;
  /** The cluster node, `host:port`, for per-node steps. */
  readonly node?: string;
  readonly ok: boolean;
  readonly durationMs: number;
  readonly detail?: string;
  readonly error?: ObservedError;
  readonly diagnosis?: Diagnosis;
  /** Advice on a step that passed only with an adjustment (e.g. a cluster node announced by IP). */
  readonly advice?: Diagnosis;
}

interface Target {
  readonly host: string;
  readonly port: number;
  readonly cluster: boolean;
  readonly tls: boolean;
  readonly servername: string | undefined;
  readonly insecure: boolean;
  readonly timeoutMs: number;
}

function resolveTarget(values: Parameters<typeof stringOption>[0], env: NodeJS.ProcessEnv): Target {
  const host = stringOption(values, 'host') ?? env['REDIS_HOST'];
  if (!host) throw new UsageError('check: --host is required (or REDIS_HOST)');
  const defaultPort = /\.redis\.azure\.(net|cn|us)$/i.test(host) ? 10000 : 6380;
  const portText = stringOption(values, 'port') ?? env['REDIS_PORT'];
  const port = integerOption('check', { port: portText }, 'port', defaultPort, { min: 1, max: 65535 });
  return {
    host,
    port,
    cluster: flag(values, 'cluster'),
    tls: !flag(values, 'no-tls'),
    servername: stringOption(values, 'servername'),
    insecure: flag(values, 'insecure-skip-verify'),
    timeoutMs: integerOption('check', values, 'timeout', 10_000, { min: 100, max: 600_000 }),
  };
}

/** Runs the checks and collects the steps; `onStep` sees each as it completes. */
export async function runChecks(
  inputs: CredentialInputs,
  target: Target,
  onStep: (step: CheckStep) => void,
): Promise<{ steps: CheckStep[]; token: AcquiredToken | undefined }> {
  const steps: CheckStep[] = [];
  const record = (step: CheckStep): CheckStep => {
    steps.push(step);
    onStep(step);
    return step;
  };
  const context = (token: AcquiredToken | undefined, host = target.host, port = target.port): DiagnoseContext => ({
    host,
    port,
    cluster: target.cluster,
    identityKind: inputs.kind,
    authorityHost: inputs.authorityHost,
    claims: token?.claims,
    username: token?.claims.oid,
    nowMs: Date.now(),
  });
  const secrets = (token?: AcquiredToken): (string | undefined)[] => [inputs.clientSecret, token?.token];
  const fail = (name: string, step: CheckStepName, started: number, error: unknown, ctx: DiagnoseContext, node?: string, token?: AcquiredToken): CheckStep => {
    const observed = observeError(error, secrets(token));
    return record({ name, step, ...(node ? { node } : {}), ok: false, durationMs: Date.now() - started, error: observed, diagnosis: diagnose(step, observed, ctx) });
  };

  // 1. token
  let started = Date.now();
  let token: AcquiredToken;
  try {
    token = await acquireToken(inputs, target.timeoutMs * 3);
  } catch (error) {
    fail('token', 'token', started, error, context(undefined));
    return { steps, token: undefined };
  }
  const summary = summarizeClaims(token.claims, Date.now());
  const problem = tokenProblem(token.claims, Date.now());
  record({
    name: 'token',
    step: 'token',
    ok: true,
    durationMs: token.receivedAtMs - token.startedAtMs,
    detail:
      `oid ${summary.oid ?? '(none)'}, tid ${summary.tid ?? '?'}, aud ${summary.aud ?? '?'}, appid ${summary.appid ?? '?'}, ` +
      `expires ${summary.expiresAt ?? '?'} (in ${formatDuration(summary.expiresInSeconds ?? 0)}` +
      `${summary.lifetimeSeconds === undefined ? '' : `, lifetime ${formatDuration(summary.lifetimeSeconds)}`})` +
      (problem ? `; warning: ${problem.cause}` : ''),
  });

  // 2..5 on the seed, then on every cluster node.
  const checkNode = async (host: string, port: number, node: string | undefined, servername: string | undefined): Promise<RespConnection | undefined> => {
    const prefix = node ? `node ${node} ` : '';
    const ctx = (): DiagnoseContext => context(token, host, port);
    started = Date.now();
    let connection: RespConnection;
    let advice: Diagnosis | undefined;
    const open = (name: string | undefined): Promise<RespConnection> =>
      RespConnection.open({ host, port, tls: target.tls, servername: name, rejectUnauthorized: !target.insecure, timeoutMs: target.timeoutMs });
    try {
      try {
        connection = await open(servername);
      } catch (error) {
        // A cluster node announced by IP, with a certificate for the cache's host name: what clients meet on
        // Azure Managed Redis (OSS cluster policy). Verify it against the seed's name, and say how to map it.
        const seedName = target.servername ?? target.host;
        if (!node || (error as { code?: unknown }).code !== 'ERR_TLS_CERT_ALTNAME_INVALID' || isIP(host) === 0 || isIP(seedName) !== 0) throw error;
        connection = await open(seedName);
        advice = nodeAddressMapAdvice(host, port, seedName);
      }
    } catch (error) {
      const name = `${prefix}${target.tls ? 'TLS' : 'connect'}`;
      const code = (error as { code?: unknown }).code;
      // A TLS ClientHello sent to a plaintext port often gets no answer at all: ask in plaintext.
      const plaintext = target.tls && code === 'ERR_CHECK_TIMEOUT' ? await probePlaintext(host, port, 2000) : undefined;
      if (plaintext === undefined) {
        fail(name, 'connect', started, error, ctx(), node, token);
      } else {
        const observed = observeError(error);
        record({
          name,
          step: 'connect',
          ...(node ? { node } : {}),
          ok: false,
          durationMs: Date.now() - started,
          error: { ...observed, message: `${observed.message}; the port answers plaintext RESP (${plaintext.slice(0, 60)})` },
          diagnosis: diagnose('connect', { message: 'plaintext', code: 'ERR_PLAINTEXT_PORT' }, ctx()),
        });
      }
      return undefined;
    }
    const cert = connection.certificate;
    record({
      name: `${prefix}${target.tls ? 'TLS' : 'connect'}`,
      step: 'connect',
      ...(node ? { node } : {}),
      ok: true,
      durationMs: Date.now() - started,
      detail: cert
        ? `${cert.protocol ?? 'TLS'}, subject ${cert.subject}, issuer ${cert.issuer}, valid until ${cert.validTo} (${cert.expiresInDays} days)` +
          (cert.verified ? '' : `; NOT VERIFIED${cert.verificationError ? ` (${cert.verificationError})` : ''}`) +
          (advice ? `; verified as ${target.servername ?? target.host}, not as the announced ${host}` : '')
        : 'plaintext (no TLS)',
      ...(advice ? { advice } : {}),
    });
    const commands: [CheckStepName, string[], string, (reply: unknown) => string][] = [
      ['auth', ['AUTH', token.claims.oid ?? '', token.token], 'AUTH', () => `as ${token.claims.oid ?? '?'}`],
      ['ping', ['PING'], 'PING', (r) => String(r)],
      ['dbsize', ['DBSIZE'], 'DBSIZE', (r) => `${String(r)} keys`],
    ];
    for (const [step, args, label, describe] of commands) {
      started = Date.now();
      try {
        const reply = await connection.command(args);
        record({ name: `${prefix}${label}`, step, ...(node ? { node } : {}), ok: true, durationMs: Date.now() - started, detail: describe(reply) });
      } catch (error) {
        fail(`${prefix}${label}`, step, started, error, ctx(), node, token);
        connection.close();
        return undefined;
      }
    }
    return connection;
  };

  const seed = await checkNode(target.host, target.port, undefined, target.servername);
  if (!seed || !target.cluster) {
    seed?.close();
    return { steps, token };
  }
  started = Date.now();
  let nodes: { host: string; port: number }[];
  try {
    nodes = clusterNodes(await seed.command(['CLUSTER', 'SLOTS']), target.host);
  } catch (error) {
    fail('CLUSTER SLOTS', 'cluster', started, error, context(token));
    seed.close();
    return { steps, token };
  } finally {
    seed.close();
  }
  record({ name: 'CLUSTER SLOTS', step: 'cluster', ok: true, durationMs: Date.now() - started, detail: `${nodes.length} node(s): ${nodes.map((n) => `${n.host}:${n.port}`).join(', ')}` });
  for (const n of nodes) {
    const connection = await checkNode(n.host, n.port, `${n.host}:${n.port}`, undefined);
    connection?.close();
  }
  return { steps, token };
}

function printStep(io: CliIo, style: Style, step: CheckStep): void {
  const mark = step.ok ? style.green('✓') : style.red('✗');
  const time = `${step.durationMs} ms`.padStart(8);
  const text = step.ok ? (step.detail ?? '') : (step.error?.message ?? '');
  io.out(`${mark} ${step.name.padEnd(12)} ${style.dim(time)}  ${text}\n`);
  const explain = step.diagnosis ?? step.advice;
  if (explain) {
    const mark = step.diagnosis ? '' : `${style.yellow('!')} `;
    io.out(`    ${mark}${style.bold('cause:')} ${explain.cause}\n    ${mark}${style.bold('fix:')}   ${explain.fix}\n`);
  }
}

/** Runs `check`. */
export async function runCheck(argv: readonly string[], io: CliIo): Promise<number> {
  const values = parseOptions('check', argv, {
    ...CREDENTIAL_OPTIONS,
    host: { type: 'string' },
    port: { type: 'string' },
    cluster: { type: 'boolean' },
    servername: { type: 'string' },
    'insecure-skip-verify': { type: 'boolean' },
    'no-tls': { type: 'boolean' },
    timeout: { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (flag(values, 'help')) {
    io.out(CHECK_HELP);
    return ExitCode.OK;
  }
  const target = resolveTarget(values, io.env);
  const inputs = resolveCredentialInputs('check', values, io.env);
  const json = flag(values, 'json');
  const style = createStyle(io.color);
  if (target.insecure) {
    io.err('warning: --insecure-skip-verify: the server certificate is NOT verified; use only to diagnose\n');
  }
  if (!json) {
    const hint = portHint(target.host, target.port);
    io.out(
      `Checking ${target.host}:${target.port} (${target.tls ? 'TLS' : 'plaintext'}${target.cluster ? ', cluster' : ''}) ` +
        `as ${describeInputs(inputs)}\n${hint ? `${style.yellow('!')} ${hint}\n` : ''}`,
    );
  }
  const { steps } = await runChecks(inputs, target, (step) => {
    if (!json) printStep(io, style, step);
  });
  const failed = steps.filter((s) => !s.ok);
  const ok = failed.length === 0;
  if (json) {
    const report = {
      ok,
      exitCode: ok ? ExitCode.OK : ExitCode.FAILURE,
      target: { host: target.host, port: target.port, cluster: target.cluster, tls: target.tls, insecureSkipVerify: target.insecure },
      identity: inputs.kind,
      steps,
    };
    io.out(`${JSON.stringify(report, null, 2)}\n`);
  } else if (ok) {
    io.out(`${style.green('OK')}: all ${steps.length} checks passed\n`);
  } else {
    io.out(`${style.red('FAILED')}: ${failed.map((s) => `${s.name} (${s.diagnosis?.kind ?? 'failed'})`).join(', ')}\n`);
  }
  return ok ? ExitCode.OK : ExitCode.FAILURE;
}
