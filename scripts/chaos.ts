// `npm run chaos [-- --minutes 2 --seed 42]`: runs real node-redis and ioredis clients through the emulator's
// TLS gate while a randomized schedule injects identity-platform faults that must be survived (5xx bursts,
// 429, hangs, malformed JSON, tokens without oid or already expired, resets, latency, short outages).
// Prints failed commands, lost messages, unhandled errors and leaked handles — each must be 0 — writes JSON to
// bench/out/ and exits non-zero when any figure is not ideal.
//
// msal-node reaches the emulator over HTTPS, so the process must trust its CA at start-up: the script creates
// a CA, writes it to a temp file and re-spawns itself with NODE_EXTRA_CA_CERTS.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createClient } from 'redis';
import { Redis } from 'ioredis';
import { ensureTrustedCa, startEmulator, type CertificateAuthority } from '../src/emulator/index.js';
import type { InjectedFault } from '../src/emulator/idp/faults.js';
import { DEFAULT_SECRET_PRINCIPAL } from '../src/emulator/idp/constants.js';
import { withEntraId } from '../src/ioredis/with-entra-id.js';
import { createFromServicePrincipal } from '../src/provider/factories/service-principal.js';

const ROOT = resolve(import.meta.dirname, '..');
const { values } = parseArgs({ options: { minutes: { type: 'string', default: '2' }, seed: { type: 'string' } }, strict: true });
const minutes = Number(values.minutes);
if (!Number.isFinite(minutes) || minutes <= 0) {
  console.error(`--minutes must be a positive number, got ${values.minutes}`);
  process.exit(2);
}

const trust = await ensureTrustedCa(process.env, { commonName: 'redis-entraid chaos CA' });
if (trust.kind === 'delegated') process.exit(trust.exitCode);
await runChaos(trust.ca);

/** A small deterministic PRNG (mulberry32), so a schedule can be replayed with --seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function runChaos(ca: CertificateAuthority): Promise<void> {
  const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
  const random = prng(seed);
  const unhandled: string[] = [];
  process.on('unhandledRejection', (reason) => unhandled.push(`unhandledRejection: ${String(reason)}`));
  process.on('uncaughtExceptionMonitor', (error) => unhandled.push(`uncaughtException: ${error.message}`));
  const baseline = new Set(process.getActiveResourcesInfo().map((r, i) => `${r}#${i}`)).size;

  // 20 s tokens renewed every 4 s: every fault below is shorter than the token's remaining life.
  const emulator = await startEmulator({ ca, tokenLifetimeSeconds: 20 });
  const redis = emulator.redis;
  if (redis === undefined) throw new Error('the emulator started without Redis');
  const provider = createFromServicePrincipal({
    clientId: DEFAULT_SECRET_PRINCIPAL.clientId,
    clientSecret: DEFAULT_SECRET_PRINCIPAL.clientSecret,
    tenantId: emulator.identity.tenantId,
    authorityHost: emulator.identity.authorityHost,
    tokenManagerConfig: {
      expirationRefreshRatio: 0.2,
      lowerRefreshBoundMillis: 0,
      tokenRequestExecutionTimeoutInMs: 1_500,
      retryPolicy: { maxAttempts: 4, delayInMs: 250, maxDelayInMs: 1_000 },
      failedRenewalRetryIntervalMs: 500,
      maxFailedRenewalRetryIntervalMs: 2_000,
    },
  });
  let renewals = 0;
  let renewalFailures = 0;
  provider.on('tokenRenewed', () => renewals++).on('renewalFailed', () => renewalFailures++);

  const socket = { host: redis.host, port: redis.port, tls: true as const, ca: ca.certPem };
  const nodeClients = [createClient({ socket, RESP: 3, credentialsProvider: provider }), createClient({ socket, RESP: 2, credentialsProvider: provider })];
  const subscriber = createClient({ socket, RESP: 3, credentialsProvider: provider });
  for (const client of [...nodeClients, subscriber]) {
    client.on('error', (error: Error) => unhandled.push(`node-redis client error: ${error.message}`));
    await client.connect();
  }
  const ioredis = await withEntraId(provider, (creds) => new Redis({ ...socket, tls: { ca: ca.certPem }, ...creds }));
  ioredis.on('error', (error: Error) => unhandled.push(`ioredis client error: ${error.message}`));

  const key = 'chaos:counter';
  let acknowledged = 0;
  let failedCommands = 0;
  const failures: string[] = [];
  let received = 0;
  let published = 0;
  let outOfOrder = 0;
  await subscriber.subscribe('chaos:events', (message) => {
    if (Number(message) !== received) outOfOrder++;
    received++;
  });

  const deadline = Date.now() + minutes * 60_000;
  const incr: (() => Promise<unknown>)[] = [...nodeClients.map((c) => () => c.incr(key)), () => ioredis.incr(key)];
  const loops = incr.map(async (command) => {
    while (Date.now() < deadline) {
      const batch = Array.from({ length: 50 }, () => command().then(() => acknowledged++, (error: unknown) => {
        failedCommands++;
        if (failures.length < 10) failures.push(error instanceof Error ? error.message : String(error));
      }));
      await Promise.all(batch);
      await new Promise((r) => setTimeout(r, 20));
    }
  });
  const publishing = (async () => {
    const publisher = nodeClients[0];
    while (Date.now() < deadline && publisher !== undefined) {
      try {
        await publisher.publish('chaos:events', String(published));
        published++;
      } catch (error) {
        failedCommands++;
        if (failures.length < 10) failures.push(`publish: ${error instanceof Error ? error.message : String(error)}`);
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  })();

  const faults: [string, () => void][] = [
    ['503 burst', () => emulator.identity.faults.failNext(1 + Math.floor(random() * 3), { kind: 'status', status: 503 }, { endpoint: 'token' })],
    ['500 burst', () => emulator.identity.faults.failNext(1 + Math.floor(random() * 3), { kind: 'status', status: 500 }, { endpoint: 'token' })],
    ['429', () => emulator.identity.faults.failNext(1, { kind: '429', retryAfterSeconds: 1 } satisfies InjectedFault, { endpoint: 'token' })],
    ['hang', () => emulator.identity.faults.failNext(1, { kind: 'hang' }, { endpoint: 'token' })],
    ['malformed JSON', () => emulator.identity.faults.failNext(1, { kind: 'malformed-json' }, { endpoint: 'token' })],
    ['token without oid', () => emulator.identity.faults.failNext(1, { kind: 'token-without-oid' }, { endpoint: 'token' })],
    ['expired token', () => emulator.identity.faults.failNext(1, { kind: 'expired-token' }, { endpoint: 'token' })],
    ['reset', () => emulator.identity.faults.failNext(2, { kind: 'reset' }, { endpoint: 'token' })],
    ['latency 400 ms', () => emulator.identity.faults.setLatency(400, { endpoint: 'token' })],
    ['outage 3 s', () => emulator.identity.faults.setOutage(true, { endpoint: 'token' })],
  ];
  const injected: Record<string, number> = {};
  const chaos = (async () => {
    while (Date.now() < deadline - 8_000) {
      const [name, inject] = faults[Math.floor(random() * faults.length)] as [string, () => void];
      injected[name] = (injected[name] ?? 0) + 1;
      inject();
      await new Promise((r) => setTimeout(r, 3_000 + Math.floor(random() * 3_000)));
      emulator.identity.faults.clear();
    }
  })();

  const progress = setInterval(() => {
    process.stdout.write(`  ${Math.round((deadline - Date.now()) / 1000)} s left: ${acknowledged} INCRs, ${renewals} renewals, ${renewalFailures} failed attempts, ${failedCommands} failed commands\n`);
  }, 15_000);
  progress.unref();
  await Promise.all([...loops, publishing, chaos]);
  clearInterval(progress);
  emulator.identity.faults.clear();
  await new Promise((r) => setTimeout(r, 1_000)); // let the last messages arrive
  const counter = Number(await nodeClients[0]?.get(key));
  const lostMessages = published - received + outOfOrder;

  await subscriber.close();
  for (const client of nodeClients) await client.close();
  await ioredis.quit();
  await provider.close();
  await emulator.close();
  await new Promise((r) => setTimeout(r, 500));
  const leaked = process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap' && r !== 'PipeWrap');
  const leakedHandles = Math.max(0, leaked.length - baseline);

  const result = {
    seed,
    minutes,
    commands: acknowledged,
    counter,
    failedCommands: failedCommands + Math.abs(counter - acknowledged),
    published,
    received,
    lostMessages,
    unhandledErrors: unhandled.length,
    leakedHandles,
    renewals,
    renewalFailures,
    injected,
    failures,
    unhandled: unhandled.slice(0, 10),
    leaked,
  };
  const rows: [string, number][] = [
    ['failed commands', result.failedCommands],
    ['lost messages', result.lostMessages],
    ['unhandled errors', result.unhandledErrors],
    ['leaked handles', result.leakedHandles],
  ];
  process.stdout.write(
    `\nchaos: ${minutes} min, seed ${seed}, ${acknowledged} INCRs (counter ${counter}), ${published} messages, ${renewals} renewals, ` +
      `${renewalFailures} failed renewal attempts; faults ${JSON.stringify(injected)}\n\n` +
      rows.map(([name, value]) => `  ${name.padEnd(18)} ${String(value).padStart(6)}${value === 0 ? '' : '   <-- not 0'}`).join('\n') +
      '\n',
  );
  if (failures.length > 0) process.stdout.write(`\nfirst failures:\n  ${failures.join('\n  ')}\n`);
  if (unhandled.length > 0) process.stdout.write(`\nunhandled:\n  ${unhandled.slice(0, 10).join('\n  ')}\n`);
  const outDir = join(ROOT, 'bench', 'out');
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `chaos-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`\nwritten: ${file}\n`);
  process.exitCode = rows.every(([, value]) => value === 0) ? 0 : 1;
}
