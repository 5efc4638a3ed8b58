/**
 * Scenario 6: memory after 1,000 renewals vs after 10 (60 vs 10 with --quick), heap and RSS after full GCs,
 * each library in its own child process (`bench/lib/memory-child.ts`) so earlier scenarios do not pollute it.
 *
 * @module
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { round } from '../lib/stats.js';
import { SUBJECTS } from '../lib/subjects.js';
import type { SubjectName } from '../lib/subjects.js';
import type { BenchContext, Row, Scenario, ScenarioResult } from '../lib/types.js';

interface Snapshot {
  readonly renewals: number;
  readonly heapUsedMiB: number;
  readonly rssMiB: number;
}

interface ChildResult {
  readonly subject: SubjectName;
  readonly first: Snapshot;
  readonly second: Snapshot;
  readonly failedPings: number;
  readonly authAccepted: number;
}

const CHILD = resolve(import.meta.dirname, '../lib/memory-child.ts');

function runChild(subject: SubjectName, small: number, large: number): Promise<ChildResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', CHILD, subject, String(small), String(large)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || line === '') {
        reject(new Error(`memory child for ${subject} exited with ${String(code)}`));
        return;
      }
      resolvePromise(JSON.parse(line) as ChildResult);
    });
  });
}

export const memoryScenario: Scenario = {
  name: 'memory',
  async run(context: BenchContext): Promise<ScenarioResult> {
    const small = 10;
    const large = context.quick ? 60 : 1000;
    const results: Partial<Record<SubjectName, ChildResult>> = {};
    for (const subject of SUBJECTS) {
      context.log(`memory: ${subject} (${small} then ${large} renewals)`);
      results[subject] = await runChild(subject, small, large);
    }
    const ours = results.ours as ChildResult;
    const peer = results.peer as ChildResult;
    const growth = (r: ChildResult, key: 'heapUsedMiB' | 'rssMiB'): string =>
      `${r.second[key] - r.first[key] >= 0 ? '+' : ''}${round(r.second[key] - r.first[key])} (${r.first[key]} → ${r.second[key]})`;
    const rows: Row[] = [
      {
        id: 'memory.heap',
        metric: `Heap growth, ${large} renewals vs ${small}`,
        unit: 'MiB',
        ours: growth(ours, 'heapUsedMiB'),
        peer: growth(peer, 'heapUsedMiB'),
        baseline: 'n/a (no renewal)',
        ideal: '≈ 0',
        note:
          `own process per library, local minting token source (no HTTP), a renewal every ~25 ms, 3 node-redis clients ` +
          `re-authenticating each time; heap after 3 forced GCs. Renewals reached: ours ${ours.second.renewals}, peer ${peer.second.renewals}; ` +
          `AUTHs accepted: ours ${ours.authAccepted}, peer ${peer.authAccepted}`,
      },
      {
        id: 'memory.rss',
        metric: `RSS growth, ${large} renewals vs ${small}`,
        unit: 'MiB',
        ours: growth(ours, 'rssMiB'),
        peer: growth(peer, 'rssMiB'),
        baseline: 'n/a (no renewal)',
        ideal: '≈ 0',
      },
    ];
    return { rows, raw: { small, large, ours, peer } };
  },
};
