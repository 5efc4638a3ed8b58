import type { IdentityProvider, IdentityToken, TokenRequest } from '../../src/identity/identity-provider.js';

/** Claims of a fake token. */
export interface FakeClaims {
  readonly oid?: string | undefined;
  readonly exp: number;
  readonly [claim: string]: unknown;
}

/** Mints an unsigned JWT (`header.payload.sig`, base64url) with the given claims. */
export function mintUnsignedJwt(claims: FakeClaims): string {
  const enc = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${enc({ alg: 'none', typ: 'JWT' })}.${enc(claims)}.${Buffer.from('fake-signature').toString('base64url')}`;
}

/** What the fake does for one request: a token, an error, or a promise the test controls. */
export type FakeStep =
  | { readonly kind: 'token'; readonly lifetimeMs?: number; readonly oid?: string | undefined; readonly refreshAfterMs?: number }
  | { readonly kind: 'error'; readonly error: unknown }
  | { readonly kind: 'same' }
  | { readonly kind: 'hang' };

/** Options of {@link FakeIdentityProvider}. */
export interface FakeIdentityOptions {
  /** Time source for `exp`; default `Date.now`. */
  readonly now?: () => number;
  /** Token lifetime, in ms; default 60 minutes. */
  readonly lifetimeMs?: number;
  /** The `oid` claim; default `00000000-0000-4000-8000-000000000001`. Pass `undefined` via `oid: undefined`. */
  readonly oid?: string | undefined;
  /** Called with each raw token minted (e.g. to register it as a Redis ACL password). */
  readonly onMint?: (token: string, oid: string | undefined) => void | Promise<void>;
  /** Answer after this many ms of real time; default 0 (next microtask). */
  readonly latencyMs?: number;
}

/**
 * An {@link IdentityProvider} for tests: mints unsigned JWTs with chosen `exp`/`oid`, records every request,
 * and follows a script of steps (`queue`) before falling back to minting tokens.
 */
export class FakeIdentityProvider implements IdentityProvider {
  readonly name = 'fake';
  /** Every request received, in order. */
  readonly requests: TokenRequest[] = [];
  /** Every raw token handed out, in order. */
  readonly minted: string[] = [];
  /** Script of the next answers; when empty, a new token is minted. */
  readonly queue: FakeStep[] = [];
  /** When set, every request fails with this error (an outage), overriding the queue. */
  failWith: unknown = undefined;
  closeCount = 0;
  readonly #options: FakeIdentityOptions;
  readonly #hasOid: boolean;
  #serial = 0;

  constructor(options: FakeIdentityOptions = {}) {
    this.#options = options;
    this.#hasOid = !('oid' in options) || options.oid !== undefined;
  }

  /** The default `oid` of minted tokens. */
  get oid(): string | undefined {
    return this.#hasOid ? (this.#options.oid ?? '00000000-0000-4000-8000-000000000001') : undefined;
  }

  async requestToken(request: TokenRequest): Promise<IdentityToken> {
    this.requests.push(request);
    if (this.#options.latencyMs !== undefined && this.#options.latencyMs > 0) {
      await new Promise((resolve) => setTimeout(resolve, this.#options.latencyMs));
    }
    if (this.failWith !== undefined) throw this.failWith;
    const step = this.queue.shift() ?? { kind: 'token' };
    switch (step.kind) {
      case 'error':
        throw step.error;
      case 'hang':
        return new Promise<never>(() => {
          // never settles: the manager must time out
        });
      case 'same': {
        const last = this.minted.at(-1);
        if (last === undefined) throw new Error('fake: no token to repeat');
        return { token: last };
      }
      case 'token': {
        const oid = 'oid' in step ? step.oid : this.oid;
        const token = this.mint(step.lifetimeMs ?? this.#options.lifetimeMs ?? 3_600_000, oid);
        await this.#options.onMint?.(token, oid);
        return step.refreshAfterMs === undefined ? { token } : { token, refreshAfterMs: step.refreshAfterMs };
      }
    }
  }

  /** Mints (and records) a token living `lifetimeMs` from now. */
  mint(lifetimeMs: number, oid: string | undefined = this.oid): string {
    const now = (this.#options.now ?? Date.now)();
    this.#serial++;
    const token = mintUnsignedJwt({
      ...(oid === undefined ? {} : { oid }),
      tid: 'tenant-fake',
      exp: (now + lifetimeMs) / 1000,
      uti: `uti-${this.#serial}`,
    });
    this.minted.push(token);
    return token;
  }

  close(): void {
    this.closeCount++;
  }
}
