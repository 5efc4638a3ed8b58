/**
 * Runs the scenarios in order (one at a time: they share 2 cores) and writes `results.json`, `results.md`,
 * `results.svg` and `README.md` into the output directory.
 *
 * @module
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CertificateAuthority } from '../../src/emulator/index.js';
import { machineInfo, loadNow } from '../report/machine.js';
import { markdownReport, markdownTable, machineLine, type ReportMeta } from '../report/markdown.js';
import { renderChart } from '../report/svg.js';
import { SCENARIOS } from '../scenarios/index.js';
import { parseArgs } from './args.js';
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
  for (const scenario of selected) {
    const t0 = Date.now();
    results[scenario.name] = await scenario.run(context);
    context.log(`${scenario.name} done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
  const rows: Row[] = selected.flatMap((s) => results[s.name]?.rows ?? []);
  const charts: Record<string, readonly Series[]> = {};
  for (const result of Object.values(results)) Object.assign(charts, result.charts ?? {});
  const meta: ReportMeta = {
    date: new Date().toISOString(),
    quick: args.quick,
    durationS: Math.round((Date.now() - started) / 1000),
    machine: machineInfo(loadAtStart),
    scenarios: selected.map((s) => s.name),
  };
  mkdirSync(args.outDir, { recursive: true });
  const raw = Object.fromEntries(Object.entries(results).map(([name, r]) => [name, r.raw ?? {}]));
  writeFileSync(join(args.outDir, 'results.json'), `${JSON.stringify({ ...meta, rows, charts, raw }, null, 2)}\n`);
  writeFileSync(join(args.outDir, 'results.md'), markdownReport(rows, meta));
  writeFileSync(join(args.outDir, 'results.svg'), renderChart(charts));
  writeFileSync(join(args.outDir, 'README.md'), benchReadme(rows, meta));
  console.log(markdownTable(rows));
  console.log(`\nwritten to ${args.outDir}`);
  return 0;
}

function benchReadme(rows: readonly Row[], meta: ReportMeta): string {
  return [
    '# Benchmarks',
    '',
    '`npm run bench` (about 10 minutes on 2 cores) measures redis-entraid side by side with `@redis/entraid` and',
    'with a static password, on the bundled emulator. `npm run bench -- --quick` is the smoke-test variant;',
    '`--only=<scenario,…>` runs a subset, `--out=<dir>` writes elsewhere. Details per row: [results.md](results.md),',
    'raw numbers: [results.json](results.json).',
    '',
    '## Latest results',
    '',
    machineLine(meta),
    '',
    markdownTable(rows),
    '',
    '![Re-authentication fan-out and throughput ratio](results.svg)',
    '',
  ].join('\n');
}
