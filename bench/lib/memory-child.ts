/**
 * Child process of the memory scenario (run with `--expose-gc`): one provider (ours or the peer) over a local
 * minting token source with ~25 ms refresh periods, 3 node-redis clients re-authenticating on every renewal.
 * Prints one JSON line: heap and RSS after `small` and after `large` renewals, each after full GCs.
 *
 * Usage: node --expose-gc --import tsx bench/lib/memory-child.ts <ours|peer> <small> <large>
 *
 * @module
 */
import { DEFAULT_SECRET_PRINCIPAL, startEmulator } from '../../src/emulator/index.js';
import { connectAll, destroyAll, standaloneClient } from './clients.js';
import { sleep, waitFor } from './stats.js';
import { mintingProvider } from './subjects.js';
import type { SubjectName } from './subjects.js';

const LIFETIME_S = 60;
const REFRESH_MS = 25;

interface Snapshot {
  readonly renewals: number;
  readonly heapUsedMiB: number;
  readonly rssMiB: number;
}

async function snapshot(renewals: number): Promise<Snapshot> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with --expose-gc');
  for (let i = 0; i < 3; i++) {
    gc();
    await sleep(20);
  }
  const usage = process.memoryUsage();
  const mib = (bytes: number): number => Math.round((bytes / 2 ** 20) * 100) / 100;
  return { renewals, heapUsedMiB: mib(usage.heapUsed), rssMiB: mib(usage.rss) };
}

async function main(): Promise<void> {
  const [subjectArg, smallArg, largeArg] = process.argv.slice(2);
  if (subjectArg !== 'ours' && subjectArg !== 'peer') throw new Error(`subject must be ours or peer, got ${String(subjectArg)}`);
  const subject: SubjectName = subjectArg;
  const small = Number(smallArg);
  const large = Number(largeArg);
  const emulator = await startEmulator({ redis: true });
  let minted = 0;
  const mint = (): string => {
    minted++;
    return emulator.identity.issueAccessToken(DEFAULT_SECRET_PRINCIPAL.clientId, { lifetimeSeconds: LIFETIME_S });
  };
  const handle = mintingProvider(subject, mint, LIFETIME_S * 1000, REFRESH_MS / (LIFETIME_S * 1000));
  const redis = emulator.redis;
  if (redis === undefined) throw new Error('no Redis');
  const clients = Array.from({ length: 3 }, () => standaloneClient(redis, emulator.ca.certPem, { provider: handle.provider }));
  try {
    await connectAll(clients);
    const renewals = (): number => minted - 1;
    await waitFor(() => renewals() >= small, `${small} renewals`, 120_000, 5);
    const first = await snapshot(renewals());
    await waitFor(() => renewals() >= large, `${large} renewals`, 600_000, 50);
    const second = await snapshot(renewals());
    let failed = 0;
    for (const client of clients) await client.ping().catch(() => failed++);
    const auths = redis.gates[0]?.stats().authAccepted ?? 0;
    process.stdout.write(`${JSON.stringify({ subject, first, second, failedPings: failed, authAccepted: auths })}\n`);
  } finally {
    destroyAll(clients);
    await handle.close();
    await emulator.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
