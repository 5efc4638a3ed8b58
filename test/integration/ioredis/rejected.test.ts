// A re-AUTH the server rejects: the gate refuses a token issued to another principal under our username.
// The provider emits reAuthenticationFailed with the connection's address (no token in it), the adapter
// reconnects, and the connection recovers with the next good token.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_CERTIFICATE_PRINCIPAL } from '../../../src/emulator/idp/constants.js';
import type { ReAuthenticationError } from '../../../src/errors.js';
import { withEntraId, type CredentialsSource } from '../../../src/ioredis/index.js';
import type { EntraIdCredentialsProvider } from '../../../src/provider/entra-id-credentials-provider.js';
import type { CredentialsListener, RedisCredentials } from '../../../src/provider/types.js';
import { IOREDIS5, IOREDIS6 } from './helpers/clients.js';
import { acceptedUtis, eventually, gateConnectionOf, useStack, waitFor } from './helpers/stack.js';
import type { AnyRedis } from './helpers/clients.js';

const stack = useStack<AnyRedis>();
const clients = stack.clients;

/** The real provider, plus a way to push a token of another principal (under our oid) to the bound clients. */
class InjectingSource implements CredentialsSource {
  readonly #listeners = new Set<CredentialsListener>();
  constructor(readonly inner: EntraIdCredentialsProvider) {}
  async subscribe(listener: CredentialsListener): ReturnType<CredentialsSource['subscribe']> {
    const wrapped: CredentialsListener = { onNext: (c) => listener.onNext(c), onError: (e) => listener.onError(e) };
    this.#listeners.add(wrapped);
    const [credentials, subscription] = await this.inner.subscribe(wrapped);
    return [credentials, { dispose: () => (this.#listeners.delete(wrapped), subscription.dispose()) }];
  }
  getCredentials(): RedisCredentials {
    return this.inner.getCredentials();
  }
  getTokenInfo(): ReturnType<CredentialsSource['getTokenInfo']> {
    return this.inner.getTokenInfo();
  }
  reportReAuthenticationFailure(error: ReAuthenticationError, address?: string): void {
    this.inner.reportReAuthenticationFailure(error, address);
  }
  pushForeignToken(): string {
    const foreign = stack.emulator.identity.issueAccessToken(DEFAULT_CERTIFICATE_PRINCIPAL.clientId);
    for (const listener of this.#listeners) listener.onNext({ username: this.getCredentials().username, password: foreign });
    return foreign;
  }
}

for (const flavour of [IOREDIS6, IOREDIS5]) {
  test(`${flavour.name}: a rejected re-AUTH is reported with the address and recovers on the next token`, async () => {
    const { emulator, provider, log } = stack;
    const azure = emulator.redis;
    assert.ok(azure);
    const source = new InjectingSource(provider);
    const failures: ReAuthenticationError[] = [];
    const onFailure = ({ error }: { error: ReAuthenticationError }): void => void failures.push(error);
    provider.on('reAuthenticationFailed', onFailure);
    const redis = await withEntraId(
      source,
      (credentials) => clients.add(flavour.create({ host: azure.host, port: azure.port, tls: { ca: emulator.ca.certPem }, retryStrategy: () => 100, ...credentials })),
      { reAuthJitterMs: 0 },
    );
    redis.on('error', () => undefined);
    const rejectedBefore = azure.gates[0]?.stats().authRejected ?? 0;
    const foreign = source.pushForeignToken();
    await waitFor('the failure event', () => failures.length > 0);
    const failure = failures[0];
    assert.equal(failure?.code, 'ERR_REAUTH_FAILED');
    assert.equal(failure?.address, `${azure.host}:${azure.port}`);
    assert.match(failure?.message ?? '', /^redis-entraid\/ioredis: the server at 127\.0\.0\.1:\d+ rejected AUTH with the renewed token \(WRONGPASS/);
    assert.equal(JSON.stringify(failure).includes(foreign) || String(failure?.stack).includes(foreign), false, 'no token in the error');
    assert.ok((azure.gates[0]?.stats().authRejected ?? 0) > rejectedBefore);
    // recovery: the next real token reaches the (reconnected) connection
    const next = log.tokens.length;
    await waitFor('the next token', () => log.tokens.length > next, 10_000);
    await eventually(async () => {
      assert.equal(redis.status, 'ready');
      assert.equal(acceptedUtis(gateConnectionOf(azure.gates, redis)).at(-1), log.tokens.at(-1)?.uti);
      assert.equal(await redis.ping(), 'PONG');
    });
    provider.off('reAuthenticationFailed', onFailure);
  });
}
