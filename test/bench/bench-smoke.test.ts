import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';

const root = resolve(import.meta.dirname, '../..');
// In the runner's order (the order of bench/scenarios/index.ts).
const SCENARIOS = ['fanout', 'cold-start', 'memory'];
const EXPECTED_ROWS = ['fanout.all', 'fanout.spread', 'cold-start', 'memory.heap', 'memory.rss', 'unhandled-rejections'];

interface Results {
  readonly quick: boolean;
  readonly scenarios: readonly string[];
  readonly rows: readonly { readonly id: string; readonly metric: string; readonly ours: unknown; readonly peer: unknown }[];
}

function runBench(outDir: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--quick', `--only=${SCENARIOS.join(',')}`, `--out=${outDir}`], {
      cwd: root,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('exit', (code) => resolvePromise({ code, stderr }));
  });
}

describe('bench/run.ts --quick (smoke, no performance thresholds)', () => {
  const outDir = mkdtempSync(join(tmpdir(), 'redis-entraid-bench-smoke-'));
  after(() => rmSync(outDir, { recursive: true, force: true }));

  it('writes results.json, results.md and results.svg with every row of the selected scenarios', { timeout: 120_000 }, async () => {
    const { code, stderr } = await runBench(outDir);
    assert.equal(code, 0, stderr.slice(-2000));
    const results = JSON.parse(readFileSync(join(outDir, 'results.json'), 'utf8')) as Results;
    assert.equal(results.quick, true);
    assert.deepEqual(results.scenarios, SCENARIOS);
    assert.deepEqual(
      results.rows.map((row) => row.id),
      EXPECTED_ROWS,
    );
    for (const row of results.rows) {
      assert.ok(row.ours !== undefined && row.ours !== null && row.ours !== '', `row ${row.id} has a value for ours`);
      assert.ok(row.peer !== undefined && row.peer !== null && row.peer !== '', `row ${row.id} has a value for the peer`);
    }
    const markdown = readFileSync(join(outDir, 'results.md'), 'utf8');
    for (const row of results.rows) assert.ok(markdown.includes(row.metric), `results.md lists "${row.metric}"`);
    const svg = readFileSync(join(outDir, 'results.svg'), 'utf8');
    assert.match(svg, /^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.match(svg, /<polyline /, 'the fan-out timeline is drawn');
  });
});
