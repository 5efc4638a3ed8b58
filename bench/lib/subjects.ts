/**
 * The two credentials providers under test, configured alike against the same emulator:
 * - ours: `createFromServicePrincipal` (MSAL client credentials, secret) with the emulator's `authorityHost`;
 * - peer: `@redis/entraid`'s `createForDefaultAzureCredential` with an `@azure/identity` `ClientSecretCredential`
 *   (`authorityHost` + `disableInstanceDiscovery`). Its own `createForClientCredentials` cannot be used offline:
 *   MSAL calls public-cloud instance discovery for a custom authority and the factory does not pass
 *   `knownAuthorities` through.
 *
 * Both renew at 80 % of the token lifetime. The peer gets its `DEFAULT_RETRY_POLICY` with every error retryable
 * (its default retries only MSAL `NetworkError`s, which `@azure/identity` never throws: it would stop renewing
 * after the first failed request).
 *
 * @module
 */
import { ClientSecretCredential } from '@azure/identity';
import type { AccessToken as AzureAccessToken, TokenCredential } from '@azure/core-auth';
import { DEFAULT_RETRY_POLICY, EntraIdCredentialsProviderFactory } from '@redis/entraid';
import type { RedisClientOptions } from 'redis';
import { createFromIdentityProvider, createFromServicePrincipal, REDIS_SCOPE_DEFAULT } from '../../src/index.js';
import type { EntraIdCredentialsProvider, IdentityProvider, TokenManagerConfig } from '../../src/index.js';
import { DEFAULT_SECRET_PRINCIPAL } from '../../src/emulator/index.js';
import type { IdentityEmulator } from '../../src/emulator/index.js';

/** node-redis's credentials provider option. */
export type NodeRedisCredentialsProvider = NonNullable<RedisClientOptions['credentialsProvider']>;

export type SubjectName = 'ours' | 'peer';
export const SUBJECTS: readonly SubjectName[] = ['ours', 'peer'];

/** Refresh ratio given to both libraries. */
export const REFRESH_RATIO = 0.8;

/** A provider and how to stop it. */
export interface ProviderHandle {
  readonly name: SubjectName;
  readonly provider: NodeRedisCredentialsProvider;
  /** Our provider, for events and the ioredis adapter; undefined for the peer. */
  readonly ours: EntraIdCredentialsProvider | undefined;
  /** Re-authentication failures the provider was told about so far. */
  reAuthErrors(): number;
  close(): Promise<void>;
}

type PeerProvider = ReturnType<typeof EntraIdCredentialsProviderFactory.createForDefaultAzureCredential>;

/** The peer's TokenManager has `stop()` at run time but declares it private. */
interface Stoppable {
  stop(): void;
}

function peerHandle(peer: PeerProvider, errors: { count: number }): ProviderHandle {
  return {
    name: 'peer',
    reAuthErrors: () => errors.count,
    provider: peer,
    ours: undefined,
    close: async () => {
      // The peer has no close(): its timer stops only when the last subscription is disposed, which node-redis
      // does not always do. Stop its token manager directly so the benchmark process can exit.
      (peer.getTokenManager() as unknown as Stoppable).stop();
    },
  };
}

function oursHandle(provider: EntraIdCredentialsProvider): ProviderHandle {
  let errors = 0;
  provider.on('reAuthenticationFailed', () => {
    errors++;
  });
  return { name: 'ours', provider, ours: provider, reAuthErrors: () => errors, close: () => provider.close() };
}

function peerConfig(refreshRatio: number): { expirationRefreshRatio: number; retry: typeof DEFAULT_RETRY_POLICY } {
  return { expirationRefreshRatio: refreshRatio, retry: { ...DEFAULT_RETRY_POLICY, isRetryable: () => true } };
}

/** A provider for the emulator's default secret service principal, through the real token endpoint. */
export function servicePrincipalProvider(name: SubjectName, identity: IdentityEmulator, config: TokenManagerConfig = {}): ProviderHandle {
  const refreshRatio = config.expirationRefreshRatio ?? REFRESH_RATIO;
  if (name === 'ours') {
    return oursHandle(
      createFromServicePrincipal({
        clientId: DEFAULT_SECRET_PRINCIPAL.clientId,
        clientSecret: DEFAULT_SECRET_PRINCIPAL.clientSecret,
        tenantId: identity.tenantId,
        authorityHost: identity.authorityHost,
        tokenManagerConfig: { ...config, expirationRefreshRatio: refreshRatio },
      }),
    );
  }
  const credential = new ClientSecretCredential(identity.tenantId, DEFAULT_SECRET_PRINCIPAL.clientId, DEFAULT_SECRET_PRINCIPAL.clientSecret, {
    authorityHost: identity.authorityHost,
    disableInstanceDiscovery: true,
  });
  const errors = { count: 0 };
  const peer = EntraIdCredentialsProviderFactory.createForDefaultAzureCredential({
    credential,
    scopes: REDIS_SCOPE_DEFAULT,
    options: {},
    tokenManagerConfig: peerConfig(refreshRatio),
    // Counted instead of the default handler's console.error.
    onReAuthenticationError: () => {
      errors.count++;
    },
  });
  return peerHandle(peer, errors);
}

/**
 * A provider over a local token source that mints tokens with `mint()` (no HTTP): for memory runs that need
 * hundreds of renewals quickly. Both libraries see the same source; `minRefreshIntervalMs` is lowered for ours.
 */
export function mintingProvider(name: SubjectName, mint: () => string, lifetimeMs: number, refreshRatio: number): ProviderHandle {
  if (name === 'ours') {
    const identity: IdentityProvider = {
      name: 'bench-minting',
      requestToken: async () => ({ token: mint() }),
    };
    return oursHandle(
      createFromIdentityProvider(identity, {
        tokenManagerConfig: { expirationRefreshRatio: refreshRatio, minRefreshIntervalMs: 1, lowerRefreshBoundMillis: 0 },
      }),
    );
  }
  const credential: TokenCredential = {
    getToken: async (): Promise<AzureAccessToken> => ({ token: mint(), expiresOnTimestamp: Date.now() + lifetimeMs }),
  };
  const errors = { count: 0 };
  const peer = EntraIdCredentialsProviderFactory.createForDefaultAzureCredential({
    credential,
    scopes: REDIS_SCOPE_DEFAULT,
    options: {},
    tokenManagerConfig: peerConfig(refreshRatio),
    // Counted instead of the default handler's console.error.
    onReAuthenticationError: () => {
      errors.count++;
    },
  });
  return peerHandle(peer, errors);
}

/** Token requests the emulator answered for the default secret principal so far. */
export function tokenRequests(identity: IdentityEmulator): number {
  return identity.stats().requestsByPrincipal[DEFAULT_SECRET_PRINCIPAL.clientId] ?? 0;
}
