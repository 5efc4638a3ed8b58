/**
 * Runs the scenarios in order (one at a time: they share 2 cores) and writes `results.json`, `results.md`,
 * `results.svg` and `README.md` into the output directory.
 *
 * @module
 */
import type { CertificateAuthority } from '../../src/emulator/index.js';
import { machineInfo, loadNow } from '../report/machine.js';
import { markdownTable, type ReportMeta } from '../report/markdown.js';
import { writeReports } from '../report/write.js';
import { SCENARIOS } from '../scenarios/index.js';
import { parseArgs } from './args.js';
import { trackPeerRejections } from './unhandled.js';
import type { BenchContext, Row, ScenarioResult, Series } from './types.js';

/** Runs the benchmark; resolves to the process exit code. */
export async function runBench(ca: CertificateAuthority, argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv);
  const unknown = (args.only ?? []).filter((name) => !SCENARIOS.some((s) => s.name === name));
  if (unknown.length > 0) {
    console.error(`unknown scenario(s): ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.name).join(', ')}`);
    return 2;
  }
  const selected = SCENARIOS.filter((s) => args.only === undefined || args.only.includes(s.name));
  const started = Date.now();
  const loadAtStart = loadNow();
  const context: BenchContext = {
    ca,
    quick: args.quick,
    log: (message) => console.error(`[bench ${((Date.now() - started) / 1000).toFixed(1)}s] ${message}`),
  };
  const results: Record<string, ScenarioResult> = {};
  const rejections = trackPeerRejections();
  try {
    for (const scenario of selected) {
      const t0 = Date.now();
      results[scenario.name] = await scenario.run(context);
      context.log(`${scenario.name} done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }
  } finally {
    rejections.dispose();
  }
  const rows: Row[] = [...selected.flatMap((s) => results[s.name]?.rows ?? []), rejectionsRow(rejections.peer())];
  const charts: Record<string, readonly Series[]> = {};
  for (const result of Object.values(results)) Object.assign(charts, result.charts ?? {});
  const meta: ReportMeta = {
    date: new Date().toISOString(),
    quick: args.quick,
    durationS: Math.round((Date.now() - started) / 1000),
    machine: machineInfo(loadAtStart),
    scenarios: selected.map((s) => s.name),
  };
  const raw = Object.fromEntries(Object.entries(results).map(([name, r]) => [name, r.raw ?? {}]));
  writeReports(args.outDir, { ...meta, rows, charts, raw });
  console.log(markdownTable(rows));
  console.log(`\nwritten to ${args.outDir}`);
  return 0;
}


function rejectionsRow(peer: number): Row {
  return {
    id: 'unhandled-rejections',
    metric: 'Unhandled promise rejections during the whole run (each ends a default Node process)',
    unit: 'rejections',
    ours: 0,
    peer,
    baseline: 0,
    ideal: 0,
    note:
      "the peer's TokenManager rejects without a handler when it is stopped (last subscription disposed, or stop()) while a " +
      'refresh is in flight; the benchmark counts those instead of crashing. Any other unhandled rejection, ours included, ends the run',
  };
}
