import { connect as netConnect, type Socket } from 'node:net';
import { RespCommandParser, RespProtocolError, type ParsedBatch } from '../redis/resp-command-parser.js';
import { isAuthOrHello, parseAuthCommand, type AuthCommand } from './auth-command.js';
import type { AclUserRegistry } from './acl-users.js';
import { RedisReplyError } from '../redis/admin-connection.js';
import type { GateAuthRecord, GateAuthRejectReason, GateCloseReason, GateConnectionInfo } from './gate-types.js';
import type { AccessTokenVerifier } from './token-verifier.js';

/** What a connection needs from its gate. */
export interface GateContext {
  readonly target: { readonly host: string; readonly port: number };
  readonly verifier: AccessTokenVerifier;
  readonly acl: AclUserRegistry;
  readonly now: () => number;
  readonly expiryGraceMs: number;
  /** A user/password pair the server refuses, for rewriting refused AUTHs. */
  readonly refused: { readonly username: string; readonly password: string };
  readonly isPaused: () => boolean;
  onAuth(record: GateAuthRecord): void;
  onExpired(connection: GateConnection): void;
  onClosed(connection: GateConnection): void;
  onForwarded(commands: number): void;
}

/** Longest delay a Node timer takes (about 24.8 days), in ms. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** ACL user names the gate creates: the characters of a GUID and a little more, never spaces. */
const OID_PATTERN = /^[A-Za-z0-9._-]{1,128}$/;

type Verdict =
  | { ok: true; oid: string; uti: string | undefined; expiresAtMs: number }
  | { ok: false; reason: GateAuthRejectReason; oid: string | undefined; uti: string | undefined; expiresAtMs: number | undefined };

/** One client connection through the gate, with its own connection to the redis-server. */
export class GateConnection {
  readonly id: number;
  readonly #client: Socket;
  readonly #upstream: Socket;
  readonly #ctx: GateContext;
  readonly #parser = new RespCommandParser();
  readonly #auths: GateAuthRecord[] = [];
  readonly #openedAtMs: number;
  /** Writes waiting behind an ACL user creation, to keep the connection's command order. */
  #chain: Promise<void> | undefined;
  #oid: string | undefined;
  #expiresAtMs: number | undefined;
  /** When the connection is closed for expiry: `exp` + grace + the time the gate took to accept that token. */
  #deadlineMs: number | undefined;
  #expiryTimer: NodeJS.Timeout | undefined;
  /** AUTHs with a valid token received and still waiting for their ACL user: no expiry closure meanwhile. */
  #deciding = 0;
  #closedReason: GateCloseReason | undefined;
  #closedAtMs: number | undefined;
  #backpressure = false;

  constructor(id: number, client: Socket, ctx: GateContext) {
    this.id = id;
    this.#client = client;
    this.#ctx = ctx;
    this.#openedAtMs = ctx.now();
    client.setNoDelay(true);
    this.#upstream = netConnect({ host: ctx.target.host, port: ctx.target.port });
    this.#upstream.setNoDelay(true);
    this.#upstream.on('data', (chunk: Buffer) => {
      if (!this.#client.write(chunk)) {
        this.#upstream.pause();
        this.#client.once('drain', () => this.#resumeIfAllowed(this.#upstream));
      }
    });
    this.#upstream.on('drain', () => {
      this.#backpressure = false;
      this.#resumeIfAllowed(this.#client);
    });
    client.on('data', (chunk: Buffer) => this.#onClientData(chunk));
    client.on('end', () => this.#upstream.end());
    this.#upstream.on('end', () => this.#client.end());
    client.on('close', () => this.close('client'));
    this.#upstream.on('close', () => this.close('server'));
    client.on('error', () => this.close('client'));
    this.#upstream.on('error', () => this.close('server'));
    if (ctx.isPaused()) this.pause();
  }

  /** A snapshot of this connection's state. */
  info(): GateConnectionInfo {
    const accepted = this.#auths.filter((a) => a.ok).length;
    return {
      id: this.id,
      remotePort: this.#client.remotePort,
      oid: this.#oid,
      authCount: this.#auths.length,
      acceptedAuthCount: accepted,
      rejectedAuthCount: this.#auths.length - accepted,
      expiresAtMs: this.#expiresAtMs,
      openedAtMs: this.#openedAtMs,
      closedAtMs: this.#closedAtMs,
      closedReason: this.#closedReason,
      auths: [...this.#auths],
    };
  }

  /** True once closed. */
  get closed(): boolean {
    return this.#closedReason !== undefined;
  }

  /** Stops reading from both sides (a network stall). */
  pause(): void {
    this.#client.pause();
    this.#upstream.pause();
  }

  /** Undoes {@link GateConnection.pause}. */
  resume(): void {
    if (!this.#backpressure) this.#client.resume();
    this.#upstream.resume();
  }

  /** Closes both sockets, optionally sending `lastWords` to the client first. Idempotent; the first reason wins. */
  close(reason: GateCloseReason, lastWords?: string): void {
    if (this.#closedReason !== undefined) return;
    this.#closedReason = reason;
    this.#closedAtMs = this.#ctx.now();
    if (this.#expiryTimer) clearTimeout(this.#expiryTimer);
    this.#expiryTimer = undefined;
    if (lastWords === undefined) this.#client.destroy();
    else this.#client.end(lastWords);
    this.#upstream.destroy();
    this.#ctx.onClosed(this);
  }

  #resumeIfAllowed(socket: Socket): void {
    if (!this.#ctx.isPaused() && !this.closed) socket.resume();
  }

  #onClientData(chunk: Buffer): void {
    let batch: ParsedBatch;
    try {
      batch = this.#parser.push(chunk);
    } catch (error) {
      if (!(error instanceof RespProtocolError)) throw error;
      this.close('protocol-error', `-ERR Protocol error: ${error.message}\r\n`);
      return;
    }
    const { buffer, commands } = batch;
    if (commands.length === 0) return;
    this.#ctx.onForwarded(commands.length);
    let runStart = (commands[0] as { start: number }).start;
    let runEnd = runStart;
    for (const command of commands) {
      const auth = isAuthOrHello(command.args[0]) ? parseAuthCommand(command.args) : undefined;
      if (!auth) {
        if (command.start !== runEnd) {
          // An empty inline line was skipped between commands: flush what came before it.
          this.#write(buffer.subarray(runStart, runEnd));
          runStart = command.start;
        }
        runEnd = command.end;
        continue;
      }
      if (runEnd > runStart) this.#write(buffer.subarray(runStart, runEnd));
      this.#handleAuth(auth);
      runStart = command.end;
      runEnd = command.end;
    }
    if (runEnd > runStart) this.#write(buffer.subarray(runStart, runEnd));
  }

  #write(bytes: Buffer): void {
    if (this.#chain) {
      this.#enqueue(() => this.#writeNow(bytes));
      return;
    }
    this.#writeNow(bytes);
  }

  /** Runs `step` after the writes and AUTHs already waiting; the chain is dropped once it has drained. */
  #enqueue(step: () => void | Promise<void>): void {
    const next = (this.#chain ?? Promise.resolve()).then(step);
    const drained = (): void => {
      if (this.#chain === next) this.#chain = undefined;
    };
    this.#chain = next;
    next.then(drained, drained);
  }

  #writeNow(bytes: Buffer): void {
    if (this.closed) return;
    if (!this.#upstream.write(bytes) && !this.#backpressure) {
      this.#backpressure = true;
      this.#client.pause();
    }
  }

  #handleAuth(auth: AuthCommand): void {
    const verdict = this.#verify(auth);
    if (!verdict.ok) {
      this.#record(auth, verdict);
      this.#write(auth.rewrite(this.#ctx.refused.username, this.#ctx.refused.password));
      return;
    }
    const accept = (heldMs = 0): void => {
      this.#record(auth, verdict);
      this.#oid = verdict.oid;
      this.#scheduleExpiry(verdict.expiresAtMs, heldMs);
      this.#writeNow(auth.rewrite(verdict.oid, this.#ctx.acl.passwordFor(verdict.oid)));
    };
    if (!this.#chain && this.#ctx.acl.isKnown(verdict.oid)) {
      accept();
      return;
    }
    const created = this.#ctx.acl.ensure(verdict.oid);
    // The connection may close while the ACL user is being created (e.g. the redis-server went away): that AUTH
    // was never answered, so it is neither accepted nor refused. A creation that failed because the server could
    // not be reached (it is restarting) is the server being unavailable, not a refused token: the connection is
    // closed as if the server had dropped it, and the client reconnects. An error reply from the server refuses.
    // The time the gate spends here is its own, never the client's: until this AUTH is decided the connection is
    // not closed for expiry, and once accepted its deadline moves by the time it was held.
    const receivedAtMs = this.#ctx.now();
    this.#deciding++;
    this.#enqueue(() =>
      created.then(
        () => {
          this.#deciding--;
          if (!this.closed) accept(Math.max(0, this.#ctx.now() - receivedAtMs));
        },
        (error: unknown) => {
          this.#deciding--;
          if (this.closed) return;
          if (!(error instanceof RedisReplyError)) {
            this.close('server');
            return;
          }
          const refusal = { ...verdict, ok: false as const, reason: 'acl-error' as const };
          this.#record(auth, refusal);
          this.#writeNow(auth.rewrite(this.#ctx.refused.username, this.#ctx.refused.password));
          this.#armExpiry(); // the previous token's deadline may have passed meanwhile
        },
      ),
    );
  }

  #verify(auth: AuthCommand): Verdict {
    const now = this.#ctx.now();
    const result = this.#ctx.verifier.verifyAccessToken(auth.password, now);
    if (!result.ok) return { ok: false, reason: result.reason, oid: undefined, uti: undefined, expiresAtMs: undefined };
    const claims = result.claims;
    const oid = typeof claims['oid'] === 'string' ? claims['oid'] : undefined;
    const uti = typeof claims['uti'] === 'string' ? claims['uti'] : undefined;
    const exp = claims['exp'];
    const expiresAtMs = typeof exp === 'number' ? exp * 1000 : undefined;
    if (expiresAtMs === undefined) return { ok: false, reason: 'malformed', oid, uti, expiresAtMs };
    if (auth.username === undefined) return { ok: false, reason: 'missing-username', oid, uti, expiresAtMs };
    if (oid === undefined || !OID_PATTERN.test(oid)) return { ok: false, reason: 'missing-oid', oid, uti, expiresAtMs };
    if (auth.username !== oid) return { ok: false, reason: 'username-mismatch', oid, uti, expiresAtMs };
    return { ok: true, oid, uti, expiresAtMs };
  }

  #record(auth: AuthCommand, verdict: Verdict): void {
    const record: GateAuthRecord = {
      connectionId: this.id,
      command: auth.kind,
      ok: verdict.ok,
      reason: verdict.ok ? undefined : verdict.reason,
      username: auth.username,
      oid: verdict.oid,
      uti: verdict.uti,
      expiresAtMs: verdict.expiresAtMs,
      atMs: this.#ctx.now(),
    };
    this.#auths.push(record);
    this.#ctx.onAuth(record);
  }

  #scheduleExpiry(expiresAtMs: number, heldMs: number): void {
    this.#expiresAtMs = expiresAtMs;
    this.#deadlineMs = expiresAtMs + this.#ctx.expiryGraceMs + heldMs;
    this.#armExpiry();
  }

  /** (Re)arms the expiry timer for the current deadline; closes the connection once it has passed. */
  #armExpiry(): void {
    if (this.#expiryTimer) clearTimeout(this.#expiryTimer);
    this.#expiryTimer = undefined;
    // An `auth` listener may have closed this connection (e.g. `gate.closeAll()`): nothing is left to expire.
    if (this.closed || this.#deadlineMs === undefined) return;
    const delay = this.#deadlineMs - this.#ctx.now();
    if (delay > 0) {
      this.#expiryTimer = setTimeout(() => this.#armExpiry(), Math.min(delay, MAX_TIMER_MS));
      this.#expiryTimer.unref();
      return;
    }
    // A re-AUTH received in time is still being decided: it re-arms (or closes) when it is.
    if (this.#deciding > 0) return;
    this.close('expired');
    this.#ctx.onExpired(this);
  }
}
