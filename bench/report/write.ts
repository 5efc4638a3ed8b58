/** Writes `results.json`, `results.md`, `results.svg` and `README.md` into a directory. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Row, Series } from '../lib/types.js';
import { markdownReport, markdownTable, machineLine, type ReportMeta } from './markdown.js';
import { renderChart } from './svg.js';

/** Everything `results.json` holds. */
export interface ResultsFile extends ReportMeta {
  readonly rows: readonly Row[];
  readonly charts: Readonly<Record<string, readonly Series[]>>;
  readonly raw: Readonly<Record<string, unknown>>;
}

export function writeReports(outDir: string, results: ResultsFile): void {
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(outDir, 'results.md'), markdownReport(results.rows, results));
  writeFileSync(join(outDir, 'results.svg'), renderChart(results.charts));
  writeFileSync(join(outDir, 'README.md'), benchReadme(results.rows, results));
}

function benchReadme(rows: readonly Row[], meta: ReportMeta): string {
  return [
    '# Benchmarks',
    '',
    '`npm run bench` (under 10 minutes on 2 cores) measures redis-entraid side by side with `@redis/entraid` and',
    'with a static password, on the bundled emulator. `npm run bench -- --quick` is the smoke-test variant;',
    '`--only=<scenario,…>` runs a subset, `--out=<dir>` writes elsewhere. `node --import tsx bench/report/render.ts',
    '<dir>` re-renders the markdown and SVG from a `results.json`. How each row was measured and how the peer',
    'was configured: [results.md](results.md); raw numbers: [results.json](results.json).',
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
