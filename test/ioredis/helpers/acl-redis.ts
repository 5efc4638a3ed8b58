// A real redis-server on a free port with the default user off, and a fake credentials source whose
// "tokens" are ACL passwords of one user: each renewal adds a new password and removes the previous one,
// so a reconnect that used a stale password would fail.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import type { CredentialsSource } from '../../../src/ioredis/credentials-source.js';
import type { ReAuthenticationError } from '../../../src/errors.js';
import type {
  CredentialsListener,
  CredentialsSubscription,
  ReAuthenticationSkippedEvent,
  RedisCredentials,
} from '../../../src/provider/types.js';
import type { TokenInfo } from '../../../src/token/access-token.js';

export const ADMIN = { username: 'admin', password: 'admin-secret' };
export const USER = 'entra-oid-1';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface TestRedis {
  port: number;
  admin: Redis;
  authCalls(): Promise<number>;
  stop(): Promise<void>;
}

export async function startAclRedis(extraArgs: string[] = []): Promise<TestRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'entraid-ioredis-'));
  const child = spawn(
    'redis-server',
    [...extraArgs, '--dir', dir, '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
      '--user', 'default', 'off', '--user', ADMIN.username, 'on', `>${ADMIN.password}`, '~*', '&*', '+@all'],
    { stdio: 'ignore' },
  );
  const admin = new Redis({ port, host: '127.0.0.1', ...ADMIN, lazyConnect: true, retryStrategy: () => 50 });
  admin.on('error', () => {});
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      await admin.connect();
      break;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      admin.disconnect();
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    port,
    admin,
    async authCalls() {
      const info = await admin.info('commandstats');
      const match = /cmdstat_auth:calls=(\d+)/.exec(info);
      return match ? Number(match[1]) : 0;
    },
    async stop() {
      admin.disconnect();
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGKILL');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A fake credentials source backed by ACL passwords of {@link USER}. */
export class AclCredentialsSource implements CredentialsSource {
  readonly skipped: ReAuthenticationSkippedEvent[] = [];
  readonly failures: { error: ReAuthenticationError; address: string | undefined }[] = [];
  readonly listeners = new Set<CredentialsListener>();
  #n = 0;
  #lastIssued = 'token-1';
  #credentials: RedisCredentials = { username: USER, password: '' };
  readonly #admins: Redis[];

  constructor(admin: Redis | Redis[]) {
    this.#admins = Array.isArray(admin) ? admin : [admin];
  }

  async #acl(...args: string[]): Promise<void> {
    await Promise.all(this.#admins.map((admin) => admin.call('ACL', 'SETUSER', USER, ...args)));
  }

  async init(): Promise<this> {
    this.#n = 1;
    this.#credentials = { username: USER, password: 'token-1' };
    await this.#acl('on', '>token-1', '~*', '&*', '+@all');
    return this;
  }

  /** Issues a new password, removes the previous one, then notifies subscribers. */
  async renew(options: { keepOld?: boolean } = {}): Promise<RedisCredentials> {
    const old = this.#lastIssued;
    this.#n += 1;
    const password = `token-${this.#n}`;
    await this.#acl(`>${password}`);
    if (!options.keepOld) await this.#acl(`<${old}`);
    this.#credentials = { username: USER, password };
    this.#lastIssued = password;
    for (const listener of this.listeners) listener.onNext(this.#credentials);
    return this.#credentials;
  }

  /** Notifies subscribers of a password the server does not know. */
  pushBogus(): void {
    this.#credentials = { username: USER, password: 'not-a-password' };
    for (const listener of this.listeners) listener.onNext(this.#credentials);
  }

  async subscribe(listener: CredentialsListener): Promise<[RedisCredentials, CredentialsSubscription]> {
    this.listeners.add(listener);
    return [this.#credentials, { dispose: () => this.listeners.delete(listener) }];
  }

  getCredentials(): RedisCredentials {
    return this.#credentials;
  }

  getTokenInfo(): TokenInfo {
    return { oid: USER, tenantId: undefined, expiresAtMs: Date.now() + 60_000, receivedAtMs: Date.now(), refreshAfterMs: undefined, uti: undefined };
  }

  reportReAuthenticationSkipped(event: ReAuthenticationSkippedEvent): void {
    this.skipped.push(event);
  }

  reportReAuthenticationFailure(error: ReAuthenticationError, address?: string): void {
    this.failures.push({ error, address });
  }
}

/** Polls `check` until it returns true or the deadline passes. */
export async function waitFor(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Three cluster-mode masters on free ports, slots split evenly, all with the ACL users. */
export async function startAclCluster(): Promise<TestRedis[]> {
  const nodes = await Promise.all([0, 1, 2].map(() => startAclRedis(['--cluster-enabled', 'yes'])));
  const ranges = [[0, 5460], [5461, 10922], [10923, 16383]] as const;
  await Promise.all(nodes.map((node, i) => node.admin.call('CLUSTER', 'ADDSLOTSRANGE', String(ranges[i]![0]), String(ranges[i]![1]))));
  for (const node of nodes.slice(1)) await nodes[0]!.admin.call('CLUSTER', 'MEET', '127.0.0.1', String(node.port));
  await waitFor(async () => {
    const infos = await Promise.all(nodes.map((node) => node.admin.call('CLUSTER', 'INFO') as Promise<string>));
    return infos.every((info) => info.includes('cluster_state:ok') && info.includes('cluster_known_nodes:3'));
  }, 'cluster state ok', 15_000);
  return nodes;
}
