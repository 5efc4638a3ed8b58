/**
 * The Azure-like gate: a TCP/TLS proxy in front of a real redis-server that accepts Entra ID access tokens
 * as passwords, exactly where Azure Redis does, and closes connections whose token expired.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { AclUserRegistry } from './acl-users.js';
import { GateConnection, type GateContext } from './gate-connection.js';
import type { GateAuthRecord, GateConnectionInfo, GateStats, RedisGateEvents } from './gate-types.js';
import type { AccessTokenVerifier } from './token-verifier.js';

/** Default grace after a token's `exp` before the gate closes the connection, in ms. */
export const DEFAULT_GATE_EXPIRY_GRACE_MS = 0;

/** Options of {@link startRedisGate}. */
export interface RedisGateOptions {
  /** The redis-server to forward to (plain TCP). */
  readonly target: { readonly host: string; readonly port: number };
  /** An ACL user of the target allowed to run `ACL SETUSER`. */
  readonly admin: { readonly username: string; readonly password: string };
  /** Checks presented tokens (signature, audience, validity period). */
  readonly verifier: AccessTokenVerifier;
  /** Port to listen on, on 127.0.0.1. Default 0 (a free port). */
  readonly port?: number;
  /** Serve TLS with this certificate and key (PEM), e.g. from `ca.issueServerCertificate(['127.0.0.1'])`. Default: plain TCP. */
  readonly tls?: { readonly cert: string; readonly key: string };
  /** Time after a token's `exp` before its connection is closed, in ms. Default {@link DEFAULT_GATE_EXPIRY_GRACE_MS}. */
  readonly expiryGraceMs?: number;
  /** Now, in ms since the epoch, for token checks and expiry deadlines. Default `Date.now`. Timers still run in real time. */
  readonly clock?: () => number;
}

/** A running gate. Emits the events of {@link RedisGateEvents}. */
export interface RedisGate extends EventEmitter<RedisGateEvents> {
  /** Always `127.0.0.1`. */
  readonly host: string;
  /** The port it listens on. */
  readonly port: number;
  /** Whether it serves TLS. */
  readonly tls: boolean;
  /** Counters since start. */
  stats(): GateStats;
  /** Every connection seen since start (open and closed), oldest first. */
  connections(): GateConnectionInfo[];
  /** Every AUTH seen since start, oldest first. */
  auths(): GateAuthRecord[];
  /** Drops every open connection (reason `gate`), e.g. to test reconnects. The gate keeps listening. */
  closeAll(): void;
  /** Stops reading from every connection, current and new (a network stall), until {@link RedisGate.resume}. */
  pause(): void;
  /** Resumes after {@link RedisGate.pause}. */
  resume(): void;
  /** Stops listening, drops every connection and the admin connection. Idempotent. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

function validate(options: RedisGateOptions): void {
  const grace = options.expiryGraceMs ?? DEFAULT_GATE_EXPIRY_GRACE_MS;
  if (!Number.isFinite(grace) || grace < 0) throw new RangeError(`"expiryGraceMs" must be a finite number >= 0, got ${grace}`);
  if (!Number.isInteger(options.target.port) || options.target.port <= 0) {
    throw new RangeError(`"target.port" must be a TCP port, got ${options.target.port}`);
  }
  if (typeof options.verifier?.verifyAccessToken !== 'function') {
    throw new TypeError('"verifier" must have a verifyAccessToken(token, nowMs) method');
  }
}

/** Starts a gate on 127.0.0.1 and resolves once it listens. */
export async function startRedisGate(options: RedisGateOptions): Promise<RedisGate> {
  validate(options);
  const emitter = new EventEmitter<RedisGateEvents>();
  const acl = new AclUserRegistry({ target: options.target, admin: options.admin });
  const open = new Set<GateConnection>();
  const all: GateConnection[] = [];
  const authLog: GateAuthRecord[] = [];
  const counters = { connectionsTotal: 0, authAccepted: 0, authRejected: 0, expiryClosures: 0, commandsForwarded: 0 };
  let paused = false;
  let nextId = 1;
  let closing: Promise<void> | undefined;
  const ctx: GateContext = {
    target: { host: options.target.host, port: options.target.port },
    verifier: options.verifier,
    acl,
    now: options.clock ?? Date.now,
    expiryGraceMs: options.expiryGraceMs ?? DEFAULT_GATE_EXPIRY_GRACE_MS,
    // A user that never exists: the server itself answers WRONGPASS, in order.
    refused: { username: `entraid-gate-refused-${randomBytes(6).toString('hex')}`, password: randomBytes(16).toString('hex') },
    isPaused: () => paused,
    onAuth(record) {
      if (record.ok) counters.authAccepted++;
      else counters.authRejected++;
      authLog.push(record);
      emitter.emit('auth', record);
    },
    onExpired(connection) {
      counters.expiryClosures++;
      emitter.emit('expired', connection.info());
    },
    onClosed(connection) {
      open.delete(connection);
      emitter.emit('close', connection.info());
    },
    onForwarded(commands) {
      counters.commandsForwarded += commands;
    },
  };

  const onSocket = (socket: Socket): void => {
    if (closing) {
      socket.destroy();
      return;
    }
    counters.connectionsTotal++;
    const connection = new GateConnection(nextId++, socket, ctx);
    open.add(connection);
    all.push(connection);
    emitter.emit('connection', connection.info());
  };
  const server: Server = options.tls
    ? createTlsServer({ cert: options.tls.cert, key: options.tls.key }).on('secureConnection', onSocket)
    : createNetServer(onSocket);
  // A client that fails the TLS handshake never becomes a connection; nothing to record.
  server.on('tlsClientError', (_error: Error, socket: Socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
  server.unref();
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  const gate = Object.assign(emitter, {
    host: '127.0.0.1',
    port,
    tls: options.tls !== undefined,
    stats: (): GateStats => ({
      connectionsOpen: open.size,
      connectionsTotal: counters.connectionsTotal,
      authAccepted: counters.authAccepted,
      authRejected: counters.authRejected,
      expiryClosures: counters.expiryClosures,
      commandsForwarded: counters.commandsForwarded,
      aclUsersCreated: acl.createdCount,
    }),
    connections: (): GateConnectionInfo[] => all.map((c) => c.info()),
    auths: (): GateAuthRecord[] => [...authLog],
    closeAll(): void {
      for (const connection of [...open]) connection.close('gate');
    },
    pause(): void {
      paused = true;
      for (const connection of open) connection.pause();
    },
    resume(): void {
      paused = false;
      for (const connection of open) connection.resume();
    },
    close(): Promise<void> {
      closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const connection of [...open]) connection.close('gate');
        await Promise.all([stopped, acl.close()]);
      })();
      return closing;
    },
    [Symbol.asyncDispose](): Promise<void> {
      return gate.close();
    },
  });
  return gate;
}
