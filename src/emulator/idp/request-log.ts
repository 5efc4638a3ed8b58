import type { InjectedFaultKind } from './faults.js';

/** The endpoint a request was routed to. */
export type EmulatorEndpoint = 'token' | 'openid-configuration' | 'jwks' | 'instance-discovery' | 'imds' | 'app-service' | 'not-found';

/** One request the emulator answered (or dropped). */
export interface RequestLogEntry {
  readonly method: string;
  /** Path without the query string. */
  readonly path: string;
  /** Which endpoint handled it. */
  readonly endpoint: EmulatorEndpoint;
  /** HTTP status; 0 when the socket was reset or the request hung. */
  readonly status: number;
  /** Client id of the principal the request was for, when known. */
  readonly principal: string | undefined;
  /** The injected fault, if any. */
  readonly fault: InjectedFaultKind | undefined;
  /** When the request arrived, in ms since the epoch. */
  readonly at: number;
}

/** Counters of an emulator, see {@link RequestRecorder.stats}. */
export interface IdentityEmulatorStats {
  /** Requests answered, in total. */
  readonly requests: number;
  /** Requests by endpoint. */
  readonly requestsByEndpoint: Readonly<Partial<Record<EmulatorEndpoint, number>>>;
  /** Token requests (token and managed-identity endpoints) by principal client id. */
  readonly requestsByPrincipal: Readonly<Record<string, number>>;
  /** Access tokens issued over HTTP (not counting `issueAccessToken`). */
  readonly tokensIssued: number;
  /** Access tokens issued over HTTP, by principal client id. */
  readonly tokensIssuedByPrincipal: Readonly<Record<string, number>>;
  /** Faults injected, by kind. */
  readonly faultsInjected: Readonly<Record<string, number>>;
}

/** The largest number of entries kept in the request log (oldest dropped first). */
export const MAX_REQUEST_LOG_ENTRIES = 10_000;

/** The largest number of received client assertions kept (oldest dropped first). */
export const MAX_RECORDED_CLIENT_ASSERTIONS = 1_000;

const bump = (map: Map<string, number>, key: string): void => {
  map.set(key, (map.get(key) ?? 0) + 1);
};

/** Keeps the request log and counters of one emulator. */
export class RequestRecorder {
  readonly entries: RequestLogEntry[] = [];
  readonly #byEndpoint = new Map<string, number>();
  readonly #byPrincipal = new Map<string, number>();
  readonly #tokensByPrincipal = new Map<string, number>();
  // Secrets: only in a private field (never shown by util.inspect or JSON), read through clientAssertions().
  readonly #clientAssertions: string[] = [];
  #total = 0;
  #tokens = 0;

  constructor(private readonly onEntry: ((entry: RequestLogEntry) => void) | undefined) {}

  /** Records a request. */
  record(entry: RequestLogEntry): void {
    this.#total += 1;
    bump(this.#byEndpoint, entry.endpoint);
    if (entry.principal !== undefined) bump(this.#byPrincipal, entry.principal);
    this.entries.push(Object.freeze(entry));
    if (this.entries.length > MAX_REQUEST_LOG_ENTRIES) this.entries.shift();
    try {
      this.onEntry?.(entry);
    } catch {
      // A throwing log callback must not break the emulator.
    }
  }

  /** Counts an issued token. */
  tokenIssued(clientId: string): void {
    this.#tokens += 1;
    bump(this.#tokensByPrincipal, clientId);
  }

  /** Records the raw `client_assertion` of a token request. Never logged; see {@link clientAssertions}. */
  clientAssertionReceived(assertion: string): void {
    this.#clientAssertions.push(assertion);
    if (this.#clientAssertions.length > MAX_RECORDED_CLIENT_ASSERTIONS) this.#clientAssertions.shift();
  }

  /** The recorded client assertions, oldest first (a copy). Secrets: for tests only. */
  clientAssertions(): string[] {
    return [...this.#clientAssertions];
  }

  /** A snapshot of the counters. */
  stats(faultsInjected: Readonly<Record<string, number>>): IdentityEmulatorStats {
    return {
      requests: this.#total,
      requestsByEndpoint: Object.fromEntries(this.#byEndpoint),
      requestsByPrincipal: Object.fromEntries(this.#byPrincipal),
      tokensIssued: this.#tokens,
      tokensIssuedByPrincipal: Object.fromEntries(this.#tokensByPrincipal),
      faultsInjected: { ...faultsInjected },
    };
  }
}
