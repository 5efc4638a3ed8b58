/** The results table as markdown. */
import type { Cell, Row } from '../lib/types.js';
import type { MachineInfo } from './machine.js';

export interface ReportMeta {
  readonly date: string;
  readonly quick: boolean;
  readonly durationS: number;
  readonly machine: MachineInfo;
  readonly scenarios: readonly string[];
}

const cell = (value: Cell): string => (typeof value === 'number' ? String(value) : value).replaceAll('|', '\\|');

/** The table alone (quoted by the README). */
export function markdownTable(rows: readonly Row[]): string {
  const lines = [
    '| Metric | Unit | redis-entraid (ours) | @redis/entraid 6.1.0 (peer) | Static password (baseline) | Ideal |',
    '|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${cell(r.metric)} | ${cell(r.unit)} | ${cell(r.ours)} | ${cell(r.peer)} | ${cell(r.baseline)} | ${cell(r.ideal)} |`),
  ];
  return lines.join('\n');
}

/** Machine, date and load, in one paragraph. */
export function machineLine(meta: ReportMeta): string {
  const m = meta.machine;
  const noisy = m.loadAverage.start > m.cpuCount * 0.5 || m.loadAverage.end > m.cpuCount * 0.5;
  return (
    `Measured ${meta.date} on ${m.cpuCount} × ${m.cpuModel}, ${m.memoryGiB} GiB RAM, Node ${m.node}, ${m.os}; ` +
    `1-min load average ${m.loadAverage.start} at start, ${m.loadAverage.end} at end` +
    (noisy ? ' — **the machine was shared with other jobs (noisy): read absolute times with care, ratios are interleaved per round**' : '') +
    `. ${meta.quick ? 'Quick (smoke) run. ' : ''}Run time ${meta.durationS} s.`
  );
}

/** The whole `results.md`. */
export function markdownReport(rows: readonly Row[], meta: ReportMeta): string {
  const notes = rows.filter((r) => r.note !== undefined).map((r) => `- **${r.metric}**: ${r.note as string}`);
  return [
    '# Benchmark results',
    '',
    'redis-entraid vs @redis/entraid vs a static password, one `npm run bench` run on the emulator',
    '(local Entra ID + Azure-like TLS gate + real redis-server), node-redis 6.3.1 clients unless noted.',
    '',
    machineLine(meta),
    '',
    markdownTable(rows),
    '',
    '## How each row was measured',
    '',
    ...notes,
    '',
    '## How the peer was configured',
    '',
    '- `@redis/entraid` `createForClientCredentials` with a custom authority cannot run offline (first row): msal-node',
    '  first asks public-cloud instance discovery about an authority it does not know, and the factory passes no',
    '  `knownAuthorities`/`cloudDiscoveryMetadata` through. Every other row therefore uses its',
    '  `createForDefaultAzureCredential` with an `@azure/identity` `ClientSecretCredential` (`authorityHost` = the',
    '  emulator, `disableInstanceDiscovery: true`): the same service principal and token endpoint as ours, with the',
    "  peer's own `TokenManager` and `EntraidCredentialsProvider`.",
    '- Both libraries renew at 80 % of the token lifetime. The peer gets its `DEFAULT_RETRY_POLICY` with',
    '  `isRetryable: () => true`: its default retries only msal `NetworkError`s, which `@azure/identity` never',
    '  throws, so with the default it stops renewing at the first failed token request.',
    "- The peer has no `close()`; the benchmark stops its token manager directly at the end of each scenario. Its",
    "  re-authentication errors are counted through `onReAuthenticationError` (the default prints to the console).",
    '- "Static password" = the same node-redis client with a fixed `username`/`password` (a long-lived token',
    '  minted once, so it goes through the same gate, TLS and ACL user) and no credentials provider.',
    '',
    '## Reading the numbers',
    '',
    '- Time is compressed: tokens live 4–60 s instead of 60–90 min, so every scenario sees several renewals.',
    '- Throughput and latency ratios come from interleaved rounds (order rotated) and are medians of per-round',
    '  ratios; the throughput note gives the spread of the baseline itself across rounds: differences smaller',
    '  than that spread are noise, not overhead.',
    '- RSS depends on the allocator and on what else runs; the heap figure (after forced GCs) is the one that shows',
    '  a leak.',
    '- Fan-out uses a plain-TCP gate so that 1,000 TLS handshakes on two busy cores do not dominate the run. On the',
    '  node-redis path neither library staggers AUTHs: the spread is only the time to write 1,000 AUTHs and have',
    '  them verified. (Our ioredis adapter adds jitter, `reAuthJitterMs`, default 500 ms.)',
    '',
    `Scenarios: ${meta.scenarios.join(', ')}. Raw numbers: \`results.json\`; chart: \`results.svg\`.`,
    '',
  ].join('\n');
}
