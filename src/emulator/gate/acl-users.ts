import { createHmac, randomBytes } from 'node:crypto';
import { AdminConnection } from '../redis/admin-connection.js';

/** Where the ACL users live and how to administer them. */
export interface AclUserRegistryOptions {
  /** The redis-server the gate fronts (plain TCP). */
  readonly target: { readonly host: string; readonly port: number };
  /** An ACL user allowed to run `ACL SETUSER`. */
  readonly admin: { readonly username: string; readonly password: string };
}

/**
 * Creates, once per principal, the real ACL user that stands for an Entra ID object id on the server,
 * with a password derived from the oid and a per-gate secret. Concurrent requests for the same oid share
 * one `ACL SETUSER`. When the admin connection has to be reopened (the server restarted), the list of
 * known users is forgotten, so they are created again.
 */
export class AclUserRegistry {
  readonly #options: AclUserRegistryOptions;
  readonly #secret = randomBytes(32);
  readonly #known = new Map<string, Promise<void>>();
  /** Oids whose user was created over the current admin connection. */
  readonly #ready = new Set<string>();
  #admin: Promise<AdminConnection> | undefined;
  /** The admin connection once open. */
  #live: AdminConnection | undefined;
  #created = 0;
  #closed = false;

  constructor(options: AclUserRegistryOptions) {
    this.#options = options;
  }

  /** The password of the ACL user for `oid` (HMAC-SHA256 of the oid with the gate's secret, hex). */
  passwordFor(oid: string): string {
    return createHmac('sha256', this.#secret).update(oid, 'utf8').digest('hex');
  }

  /** How many `ACL SETUSER` calls succeeded. */
  get createdCount(): number {
    return this.#created;
  }

  /** True when `oid`'s user is known to exist (no round trip needed). */
  isKnown(oid: string): boolean {
    return this.#ready.has(oid) && this.#live?.usable === true;
  }

  /** Makes sure the ACL user for `oid` exists. Rejects when the server cannot be reached or refuses. */
  ensure(oid: string): Promise<void> {
    const existing = this.#known.get(oid);
    // A cached creation only holds while its admin connection lives: a dropped one may mean the server
    // restarted and lost its users, so create again (the reconnect in #connection forgets every user).
    const adminLost = this.#live !== undefined && !this.#live.usable;
    if (existing && !adminLost) return existing;
    const created = this.#create(oid);
    this.#known.set(oid, created);
    created.catch(() => this.#known.delete(oid));
    return created;
  }

  async #create(oid: string): Promise<void> {
    const admin = await this.#connection();
    await admin.command(['ACL', 'SETUSER', oid, 'on', `>${this.passwordFor(oid)}`, '~*', '&*', '+@all']);
    this.#created++;
    // Created over the current admin connection: the user exists now, even when opening that connection made
    // #reconnect forget the creation that was in flight (otherwise the next AUTH would create it again).
    if (this.#live === admin) {
      this.#ready.add(oid);
      if (!this.#known.has(oid)) this.#known.set(oid, Promise.resolve());
    }
  }

  #connection(): Promise<AdminConnection> {
    if (this.#closed) return Promise.reject(new Error('the gate is closed'));
    const current = this.#admin;
    if (current) {
      // Only the first caller to find the connection stale reopens it; later ones share the new one (each
      // reopening would close the previous connection under an ACL SETUSER in flight).
      const replace = (): Promise<AdminConnection> => (this.#admin === current || this.#admin === undefined ? this.#reconnect() : this.#admin);
      return current.then((admin) => (admin.usable ? admin : replace()), replace);
    }
    return this.#reconnect();
  }

  #reconnect(): Promise<AdminConnection> {
    // A new connection may mean a new server process: users created before may be gone.
    const previous = this.#admin;
    this.#known.clear();
    this.#ready.clear();
    const next = AdminConnection.open({ ...this.#options.target, ...this.#options.admin });
    this.#admin = next;
    this.#live = undefined;
    next.then(
      (admin) => {
        if (this.#admin === next) this.#live = admin;
      },
      () => {
        if (this.#admin === next) this.#admin = undefined;
      },
    );
    if (previous) void previous.then((admin) => admin.close(), () => undefined);
    return next;
  }

  /** Closes the admin connection. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    const admin = this.#admin;
    this.#admin = undefined;
    this.#live = undefined;
    if (admin) await admin.then((a) => a.close(), () => undefined);
  }
}
