/** Why the gate closed (or saw close) a connection. */
export type GateCloseReason =
  /** The client closed it. */
  | 'client'
  /** The redis-server closed it (or could not be reached). */
  | 'server'
  /** The last valid token's `exp` (+ `expiryGraceMs`) passed without a fresh AUTH. */
  | 'expired'
  /** `gate.closeAll()` or `gate.close()`. */
  | 'gate'
  /** The client sent bytes that are not RESP. */
  | 'protocol-error';

/** Why the gate refused an AUTH. */
export type GateAuthRejectReason =
  | 'malformed'
  | 'unsupported-algorithm'
  | 'bad-signature'
  | 'wrong-audience'
  | 'wrong-issuer'
  | 'expired'
  | 'not-yet-valid'
  /** `AUTH <token>` without a username. */
  | 'missing-username'
  /** The token has no usable `oid` claim. */
  | 'missing-oid'
  /** The username is not the token's `oid`. */
  | 'username-mismatch'
  /** The ACL user could not be created on the server. */
  | 'acl-error';

/** One AUTH (or HELLO … AUTH) seen by the gate. Never holds the token itself. */
export interface GateAuthRecord {
  /** The gate connection it arrived on. */
  readonly connectionId: number;
  /** `auth` or `hello`. */
  readonly command: 'auth' | 'hello';
  /** Whether the token was accepted. */
  readonly ok: boolean;
  /** Why it was refused, when it was. */
  readonly reason: GateAuthRejectReason | undefined;
  /** The username presented. */
  readonly username: string | undefined;
  /** The token's `oid` claim, when it could be read. */
  readonly oid: string | undefined;
  /** The token's `uti` claim (unique token id), when present: tells renewed tokens apart. */
  readonly uti: string | undefined;
  /** The token's `exp`, in ms since the epoch, when it could be read. */
  readonly expiresAtMs: number | undefined;
  /** When the gate saw it, in ms since the epoch (gate clock). */
  readonly atMs: number;
}

/** A snapshot of one connection through the gate. */
export interface GateConnectionInfo {
  /** Gate-wide sequence number, from 1. */
  readonly id: number;
  /** The client's source port (matches `CLIENT LIST` `laddr` of the client side). */
  readonly remotePort: number | undefined;
  /** The oid of the last accepted token, if any. */
  readonly oid: string | undefined;
  /** AUTH commands seen (accepted + rejected). */
  readonly authCount: number;
  /** Accepted AUTHs. */
  readonly acceptedAuthCount: number;
  /** Rejected AUTHs. */
  readonly rejectedAuthCount: number;
  /**
   * The last accepted token's `exp`, ms since the epoch. The gate closes the connection then (plus its grace),
   * later by the time it held that token's AUTH while creating the ACL user, and not while a re-AUTH received
   * before that moment is still being decided.
   */
  readonly expiresAtMs: number | undefined;
  /** When it was opened, ms since the epoch (gate clock). */
  readonly openedAtMs: number;
  /** When it closed, ms since the epoch (gate clock). */
  readonly closedAtMs: number | undefined;
  /** Why it closed; undefined while open. */
  readonly closedReason: GateCloseReason | undefined;
  /** Every AUTH on it, in order. */
  readonly auths: readonly GateAuthRecord[];
}

/** Gate-wide counters. */
export interface GateStats {
  /** Connections open now. */
  readonly connectionsOpen: number;
  /** Connections accepted since start. */
  readonly connectionsTotal: number;
  /** Accepted AUTHs. */
  readonly authAccepted: number;
  /** Rejected AUTHs. */
  readonly authRejected: number;
  /** Connections closed because their token expired. */
  readonly expiryClosures: number;
  /** Commands forwarded (AUTHs included). */
  readonly commandsForwarded: number;
  /** ACL users created on the server. */
  readonly aclUsersCreated: number;
}

/** Events of a {@link RedisGate}: `gate.on('auth', (record) => …)`. */
export interface RedisGateEvents {
  /** A client connected. */
  connection: [info: GateConnectionInfo];
  /** An AUTH was accepted or refused. */
  auth: [record: GateAuthRecord];
  /** A connection was closed at expiry. */
  expired: [info: GateConnectionInfo];
  /** A connection closed, for any reason. */
  close: [info: GateConnectionInfo];
}
