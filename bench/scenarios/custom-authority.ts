/**
 * Scenario 0: can each library use a custom (here: the emulator's) authority with a client secret, offline?
 * The global `fetch` (msal-node's HTTP path) is guarded: non-loopback requests are recorded and refused locally.
 * Ours: `createFromServicePrincipal({ authorityHost })`. Peer: its own
 * `createForClientCredentials({ authorityConfig: { type: 'custom', authorityUrl } })`.
 *
 * @module
 */
import { EntraIdCredentialsProviderFactory } from '@redis/entraid';
import { DEFAULT_SECRET_PRINCIPAL, startEmulator } from '../../src/emulator/index.js';
import { guardFetch } from '../lib/loopback-fetch.js';
import { servicePrincipalProvider } from '../lib/subjects.js';
import type { NodeRedisCredentialsProvider } from '../lib/subjects.js';
import type { BenchContext, Row, Scenario, ScenarioResult } from '../lib/types.js';

interface Outcome {
  readonly ok: boolean;
  readonly error: string | undefined;
  readonly blocked: readonly string[];
}

async function firstCredentials(provider: NodeRedisCredentialsProvider, stop: () => Promise<void>): Promise<Outcome> {
  const guard = guardFetch();
  try {
    if (provider.type !== 'streaming-credentials-provider') throw new Error('not a streaming provider');
    const [, subscription] = await provider.subscribe({ onNext: () => undefined, onError: () => undefined });
    subscription.dispose();
    return { ok: true, error: undefined, blocked: [...guard.blocked] };
  } catch (error) {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return { ok: false, error: message.split('\n')[0]?.split(': See ')[0]?.slice(0, 200), blocked: [...guard.blocked] };
  } finally {
    guard.restore();
    await stop();
  }
}

const describe = (o: Outcome): string =>
  o.ok
    ? `yes (non-loopback requests: ${o.blocked.length})`
    : `no: ${o.blocked.length > 0 ? `first asks ${o.blocked[0] as string} (refused offline)` : 'failed'} → ${o.error ?? 'error'}`;

export const customAuthorityScenario: Scenario = {
  name: 'custom-authority',
  async run(context: BenchContext): Promise<ScenarioResult> {
    const emulator = await startEmulator({ ca: context.ca, redis: false });
    try {
      const ours = servicePrincipalProvider('ours', emulator.identity);
      const oursOutcome = await firstCredentials(ours.provider, () => ours.close());
      const peer = EntraIdCredentialsProviderFactory.createForClientCredentials({
        clientId: DEFAULT_SECRET_PRINCIPAL.clientId,
        clientSecret: DEFAULT_SECRET_PRINCIPAL.clientSecret,
        authorityConfig: { type: 'custom', authorityUrl: `${emulator.identity.authorityHost}/${emulator.identity.tenantId}` },
        tokenManagerConfig: { expirationRefreshRatio: 0.8 },
        onReAuthenticationError: () => undefined,
      });
      const peerOutcome = await firstCredentials(peer, async () => undefined);
      const rows: Row[] = [
        {
          id: 'custom-authority',
          metric: 'Service principal (secret) against a custom authority, offline',
          unit: 'works?',
          ours: describe(oursOutcome),
          peer: describe(peerOutcome),
          baseline: 'n/a',
          ideal: 'yes, loopback only',
          note:
            'global fetch guarded (loopback passes, anything else refused locally). Peer: createForClientCredentials with ' +
            "authorityConfig { type: 'custom' }; it exposes no knownAuthorities, so every other row uses its " +
            'createForDefaultAzureCredential with an @azure/identity ClientSecretCredential instead',
        },
      ];
      return { rows, raw: { ours: oursOutcome, peer: peerOutcome } };
    } finally {
      await emulator.close();
    }
  },
};
