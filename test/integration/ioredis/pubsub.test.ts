// Subscribers through the gate with the real provider. RESP3 (ioredis 6 default): re-AUTH in place, not one
// message missed. RESP2 (ioredis 5, or ioredis 6 with protocol: 2): AUTH is refused in subscribe mode, so the
// adapter reconnects ahead of expiry with the fresh token and ioredis resubscribes; the messages published
// during each reconnect are counted and reported.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { withEntraId } from '../../../src/ioredis/index.js';
import type { ReAuthenticationSkippedEvent } from '../../../src/provider/types.js';
import { IOREDIS5, IOREDIS6, type AnyRedis, type Flavour } from './helpers/clients.js';
import { acceptedUtis, eventually, gateConnectionOf, useStack, waitFor } from './helpers/stack.js';

const RENEWALS = 3;
const PUBLISH_EVERY_MS = 10;

interface Variant {
  readonly flavour: Flavour;
  readonly label: string;
  readonly extra: object;
  readonly resp3: boolean;
}
const variants: Variant[] = [
  { flavour: IOREDIS6, label: 'ioredis 6 RESP3', extra: {}, resp3: true },
  { flavour: IOREDIS6, label: 'ioredis 6 protocol: 2', extra: { protocol: 2 }, resp3: false },
  { flavour: IOREDIS5, label: 'ioredis 5 (RESP2)', extra: {}, resp3: false },
];

describe('subscribers across token rotations', { concurrency: true }, () => {
  for (const variant of variants) {
    describe(variant.label, () => {
      const stack = useStack<AnyRedis>({ checkReleased: true });
      const clients = stack.clients;

      test(`keeps receiving over ${RENEWALS} renewals; ${variant.resp3 ? 'no message missed' : 'missed messages counted'}`, async (t) => {
        const { emulator, provider, log } = stack;
        const azure = emulator.redis;
        assert.ok(azure);
        const open = (credentials: object): AnyRedis => {
          const client = variant.flavour.create({ host: azure.host, port: azure.port, tls: { ca: emulator.ca.certPem }, retryStrategy: () => 20, ...variant.extra, ...credentials });
          client.on('error', () => undefined);
          clients.add(client);
          return client;
        };
        const skipped: ReAuthenticationSkippedEvent[] = [];
        provider.on('reAuthenticationSkipped', (event) => skipped.push(event));
        const subscriber = await withEntraId(provider, open, { reAuthJitterMs: 200 });
        const publisher = await withEntraId(provider, open, { reAuthJitterMs: 200 });
        const received: number[] = [];
        subscriber.on('message', (_channel: string, message: string) => received.push(Number(message)));
        await subscriber.subscribe('rotation');
        const first = gateConnectionOf(azure.gates, subscriber);
        assert.ok(first);
        const start = log.tokens.length;

        let published = 0;
        let unheard = 0; // PUBLISH answered "0 receivers": the subscriber was between connections
        const stopAt = start + RENEWALS;
        while (log.tokens.length < stopAt) {
          const receivers = await publisher.publish('rotation', String(++published));
          if (receivers === 0) unheard++;
          await new Promise((resolve) => setTimeout(resolve, PUBLISH_EVERY_MS));
        }
        // a last message that must arrive: the subscriber is subscribed again by now
        await eventually(async () => {
          const marker = ++published;
          if ((await publisher.publish('rotation', String(marker))) === 0) unheard++;
          await waitFor('the marker', () => received.includes(marker), 500);
        });
        const missed = published - received.length;
        t.diagnostic(`${variant.label}: published ${published}, received ${received.length}, missed ${missed} (${unheard} published with no subscriber) over ${RENEWALS} renewals`);
        assert.deepEqual(received, [...new Set(received)].sort((a, b) => a - b), 'in order, no duplicates');
        assert.equal(azure.gates[0]?.stats().expiryClosures, 0);
        const resp2Skips = (): ReAuthenticationSkippedEvent[] => skipped.filter((event) => event.reason === 'resp2-subscriber');
        const latest = log.tokens.at(-1)?.uti;
        if (variant.resp3) {
          assert.equal(missed, 0);
          await eventually(() => assert.equal(acceptedUtis(gateConnectionOf(azure.gates, subscriber)).at(-1), latest));
          const now = gateConnectionOf(azure.gates, subscriber);
          assert.equal(now?.id, first.id, 'the subscriber never reconnected');
          assert.deepEqual(acceptedUtis(now), log.tokens.slice(start - 1).map((token) => token.uti), 'one AUTH per token');
          assert.equal(resp2Skips().length, 0);
        } else {
          // one reconnect per renewal, each announced and made ahead of expiry (no expiry closure above)
          await eventually(() => assert.equal(resp2Skips().length, log.tokens.length - start));
          assert.deepEqual(resp2Skips()[0], { address: `${azure.host}:${azure.port}`, reason: 'resp2-subscriber', action: 'reconnect-before-expiry' });
          await eventually(() => assert.deepEqual(acceptedUtis(gateConnectionOf(azure.gates, subscriber)), [latest], 'a fresh connection with the newest token'));
          assert.ok(missed <= unheard + RENEWALS * 2, `missed ${missed} of ${published}, ${unheard} while unsubscribed`);
        }
      });
    });
  }
});
