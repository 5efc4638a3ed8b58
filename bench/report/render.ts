/**
 * Re-renders `results.md`, `results.svg` and `README.md` from a directory's `results.json` (no measuring):
 * `node --import tsx bench/report/render.ts [dir]` (default `bench/`).
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeReports, type ResultsFile } from './write.js';

const dir = resolve(process.argv[2] ?? join(import.meta.dirname, '..'));
const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as ResultsFile;
writeReports(dir, results);
console.log(`re-rendered ${dir}`);
