/**
 * Starts real `redis-server` processes for the emulator and the tests, locked down like Azure Redis: the
 * `default` user is off (an unauthenticated command gets `NOAUTH`) and an admin ACL user with a generated
 * password exists for the gate and for tests.
 *
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import type { CertificateAuthority } from '../pki/certificate-authority.js';
import { AdminConnection } from './admin-connection.js';
import { RedisEmulatorError } from './errors.js';
import { findFreePort } from './free-port.js';
import { trackChildProcess } from './process-cleanup.js';

/** Default binary: `redis-server` found on PATH. */
export const DEFAULT_REDIS_SERVER_BINARY = 'redis-server';
/** Default time to wait for a server to accept commands, in ms. */
export const DEFAULT_REDIS_START_TIMEOUT_MS = 10_000;
/** Default time between SIGTERM and SIGKILL on stop, in ms. */
export const DEFAULT_REDIS_STOP_TIMEOUT_MS = 3_000;
/** Name of the admin ACL user created on every server. */
export const DEFAULT_REDIS_ADMIN_USER = 'entraid-emulator-admin';

/** Cluster-mode settings of {@link startRedisServer}. */
export interface RedisClusterModeOptions {
  /** Port announced in CLUSTER SLOTS/SHARDS/NODES and MOVED/ASK (e.g. a gate's). Default: the server's port. */
  readonly announcePort?: number;
  /** TLS port announced. Default: none. */
  readonly announceTlsPort?: number;
  /** IP announced. Default `127.0.0.1`. */
  readonly announceIp?: string;
  /** Cluster node timeout, in ms. Default 2000. */
  readonly nodeTimeoutMs?: number;
}

/** Options of {@link startRedisServer}. */
export interface RedisServerOptions {
  /** Name or path of the binary. Default {@link DEFAULT_REDIS_SERVER_BINARY}. */
  readonly binary?: string;
  /** Plain TCP port. Default: a free port. */
  readonly port?: number;
  /** Serve TLS too, on a free port, with a certificate for 127.0.0.1/localhost issued by this CA. Default: no TLS. */
  readonly tls?: { readonly ca: CertificateAuthority };
  /** Start in cluster mode. Default: standalone. */
  readonly cluster?: boolean | RedisClusterModeOptions;
  /** Extra configuration lines (`['maxclients 100']`) and arguments appended to the command line. Default none. */
  readonly extraConfig?: readonly string[];
  /** Extra command-line arguments (`['--loglevel', 'verbose']`). Default none. */
  readonly extraArgs?: readonly string[];
  /** Time to wait until the server accepts commands, in ms. Default {@link DEFAULT_REDIS_START_TIMEOUT_MS}. */
  readonly startTimeoutMs?: number;
  /** Time between SIGTERM and SIGKILL on stop, in ms. Default {@link DEFAULT_REDIS_STOP_TIMEOUT_MS}. */
  readonly stopTimeoutMs?: number;
}

/** A running `redis-server`. */
export interface RedisServerHandle {
  /** Always `127.0.0.1`. */
  readonly host: string;
  /** Plain TCP port. */
  readonly port: number;
  /** TLS port, when started with `tls`. */
  readonly tlsPort: number | undefined;
  /** Admin ACL user (all permissions). */
  readonly adminUser: string;
  /** Its password. Secret. */
  readonly adminPassword: string;
  /** PID of the current process (changes on {@link RedisServerHandle.restart}). */
  readonly pid: number;
  /** The server's temporary directory (config, log, cluster config). */
  readonly dir: string;
  /** Opens an authenticated admin connection; the caller closes it. */
  admin(): Promise<AdminConnection>;
  /** Stops the server: SIGTERM, then SIGKILL after `stopTimeoutMs`; removes its directory. Idempotent. */
  stop(): Promise<void>;
  /** Stops the process and starts it again on the same ports, with the same data directory. */
  restart(): Promise<void>;
  /** Kills the process with SIGKILL (a crash) without removing its directory; `restart()` brings it back. */
  kill(): Promise<void>;
  /** The last lines of the server's log. */
  logTail(lines?: number): string;
  /** Metadata only: `adminPassword` is `[redacted]`. */
  toJSON(): Record<string, unknown>;
  /** `util.inspect`: metadata only, no password. */
  [inspect.custom](): string;
}

function logTail(file: string, lines: number): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.removeListener('exit', onExit);
      resolve(false);
    }, timeoutMs);
    // Referenced on purpose: the caller awaits this, and the unref'd child alone would not keep Node alive.
    const onExit = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    child.once('exit', onExit);
  });
}

async function terminate(child: ChildProcess, timeoutMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  if (await waitForExit(child, timeoutMs)) return;
  child.kill('SIGKILL');
  await waitForExit(child, timeoutMs);
}

function buildConfig(o: {
  port: number;
  dir: string;
  adminUser: string;
  adminPassword: string;
  tls: { port: number; cert: string; key: string; ca: string } | undefined;
  cluster: RedisClusterModeOptions | undefined;
  extra: readonly string[];
}): string {
  const lines = [
    `port ${o.port}`,
    'bind 127.0.0.1',
    'protected-mode no',
    `dir "${o.dir}"`,
    'save ""',
    'appendonly no',
    'daemonize no',
    `logfile "${join(o.dir, 'redis.log')}"`,
    // Like Azure: no anonymous access; every connection must AUTH as an ACL user.
    'user default off resetpass -@all',
    `user ${o.adminUser} on >${o.adminPassword} ~* &* +@all`,
  ];
  if (o.tls) {
    lines.push(
      `tls-port ${o.tls.port}`,
      `tls-cert-file "${o.tls.cert}"`,
      `tls-key-file "${o.tls.key}"`,
      `tls-ca-cert-file "${o.tls.ca}"`,
      'tls-auth-clients no',
    );
  }
  if (o.cluster) {
    lines.push(
      'cluster-enabled yes',
      `cluster-config-file "${join(o.dir, 'nodes.conf')}"`,
      `cluster-node-timeout ${o.cluster.nodeTimeoutMs ?? 2000}`,
      `cluster-announce-ip ${o.cluster.announceIp ?? '127.0.0.1'}`,
      'cluster-require-full-coverage yes',
    );
    if (o.cluster.announcePort !== undefined) lines.push(`cluster-announce-port ${o.cluster.announcePort}`);
    if (o.cluster.announceTlsPort !== undefined) lines.push(`cluster-announce-tls-port ${o.cluster.announceTlsPort}`);
  }
  lines.push(...o.extra);
  return `${lines.join('\n')}\n`;
}

/**
 * Starts a real `redis-server` on 127.0.0.1 and waits until it accepts commands.
 *
 * @throws RedisEmulatorError `ERR_REDIS_SERVER_NOT_FOUND` when the binary is missing,
 *   `ERR_REDIS_SERVER_START` when it exits or does not answer in time (the log's tail is in the message).
 */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServerHandle> {
  // A port picked free can be taken by another process before redis-server binds it: try again with new ports.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startRedisServerOnce(options);
    } catch (error) {
      const portPicked = options.port === undefined;
      const raced = error instanceof Error && /Address already in use|EADDRINUSE/i.test(error.message);
      if (!portPicked || !raced || attempt >= 4) throw error;
    }
  }
}

async function startRedisServerOnce(options: RedisServerOptions): Promise<RedisServerHandle> {
  const binary = options.binary ?? DEFAULT_REDIS_SERVER_BINARY;
  const startTimeoutMs = options.startTimeoutMs ?? DEFAULT_REDIS_START_TIMEOUT_MS;
  const stopTimeoutMs = options.stopTimeoutMs ?? DEFAULT_REDIS_STOP_TIMEOUT_MS;
  const host = '127.0.0.1';
  const port = options.port ?? (await findFreePort(host));
  const tlsPort = options.tls ? await findFreePort(host) : undefined;
  const dir = mkdtempSync(join(tmpdir(), 'redis-entraid-server-'));
  const adminUser = DEFAULT_REDIS_ADMIN_USER;
  const adminPassword = randomBytes(24).toString('hex');
  let tls: { port: number; cert: string; key: string; ca: string } | undefined;
  if (options.tls && tlsPort !== undefined) {
    const issued = options.tls.ca.issueServerCertificate(['127.0.0.1', 'localhost']);
    tls = { port: tlsPort, cert: join(dir, 'server.pem'), key: join(dir, 'server-key.pem'), ca: join(dir, 'ca.pem') };
    writeFileSync(tls.cert, issued.certPem);
    writeFileSync(tls.key, issued.keyPem, { mode: 0o600 });
    writeFileSync(tls.ca, options.tls.ca.certPem);
  }
  const cluster = options.cluster === true ? {} : options.cluster === false ? undefined : options.cluster;
  const configFile = join(dir, 'redis.conf');
  writeFileSync(
    configFile,
    buildConfig({ port, dir, adminUser, adminPassword, tls, cluster, extra: options.extraConfig ?? [] }),
    { mode: 0o600 },
  );
  const logFile = join(dir, 'redis.log');
  const args = [configFile, ...(options.extraArgs ?? [])];

  let child: ChildProcess | undefined;
  let stopped = false;
  let stopping: Promise<void> | undefined;

  const launch = async (): Promise<void> => {
    const proc = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'], cwd: dir });
    let stderr = '';
    proc.stderr?.setEncoding('utf8');
    proc.stderr?.on('data', (text: string) => {
      if (stderr.length < 8192) stderr += text;
    });
    const spawnError = await new Promise<Error | undefined>((resolve) => {
      proc.once('spawn', () => resolve(undefined));
      proc.once('error', (error) => resolve(error));
    });
    if (spawnError) {
      const notFound = (spawnError as NodeJS.ErrnoException).code === 'ENOENT';
      throw new RedisEmulatorError(
        notFound ? 'ERR_REDIS_SERVER_NOT_FOUND' : 'ERR_REDIS_SERVER_START',
        notFound
          ? `the redis-server binary "${binary}" was not found (option "binary"). Install Redis 7+: ` +
              '`sudo apt-get install redis-server` (Debian/Ubuntu) or `brew install redis` (macOS), ' +
              'or pass the path of the binary as "binary"'
          : `could not start "${binary}": ${spawnError.message}`,
        { cause: spawnError },
      );
    }
    trackChildProcess(proc);
    // Neither the process nor its stderr pipe keeps the event loop alive; stop() or process exit ends it.
    proc.unref();
    (proc.stderr as unknown as { unref?: () => void } | null)?.unref?.();
    child = proc;
    const deadline = Date.now() + startTimeoutMs;
    let lastError: unknown;
    while (Date.now() < deadline) {
      if (proc.exitCode !== null || proc.signalCode !== null) break;
      try {
        const admin = await AdminConnection.open({ host, port, username: adminUser, password: adminPassword, connectTimeoutMs: 1000 });
        try {
          await admin.command(['PING']);
          return;
        } finally {
          admin.close();
        }
      } catch (error) {
        lastError = error;
        // A foreground wait (the caller awaits it), so the timer stays referenced.
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    }
    await terminate(proc, stopTimeoutMs);
    const exited = proc.exitCode !== null ? `exited with code ${proc.exitCode}` : 'did not accept commands in time';
    throw new RedisEmulatorError(
      'ERR_REDIS_SERVER_START',
      `redis-server on port ${port} ${exited} (startTimeoutMs ${startTimeoutMs}). Log tail:\n${logTail(logFile, 15)}` +
        (stderr ? `\nstderr:\n${stderr.trim()}` : ''),
      { cause: lastError },
    );
  };

  try {
    await launch();
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }

  const handle: RedisServerHandle = {
    host,
    port,
    tlsPort,
    adminUser,
    adminPassword,
    dir,
    get pid(): number {
      return child?.pid ?? -1;
    },
    admin: () => AdminConnection.open({ host, port, username: adminUser, password: adminPassword }),
    stop(): Promise<void> {
      stopping ??= (async () => {
        stopped = true;
        if (child) await terminate(child, stopTimeoutMs);
        rmSync(dir, { recursive: true, force: true });
      })();
      return stopping;
    },
    async restart(): Promise<void> {
      if (stopped) throw new RedisEmulatorError('ERR_REDIS_SERVER_START', 'restart() called after stop()');
      if (child) await terminate(child, stopTimeoutMs);
      await launch();
    },
    async kill(): Promise<void> {
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await waitForExit(child, stopTimeoutMs);
    },
    logTail: (lines = 20) => logTail(logFile, lines),
    // The admin password is readable as a property (tests use it) but never serialized or printed.
    toJSON: () => ({ host, port, tlsPort, adminUser, adminPassword: '[redacted]', dir, pid: handle.pid }),
    [inspect.custom]: () => `RedisServerHandle { ${host}:${port}, pid: ${handle.pid}, adminUser: ${adminUser}, adminPassword: [redacted] }`,
  };
  return handle;
}
