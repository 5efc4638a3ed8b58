// The published package, used from a fresh project: see scripts/test-package.ts for how it installs offline.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { testPackage } from '../../scripts/test-package.js';
import { repoRoot } from '../examples/ensure-built.js';

const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { name: string; version: string };

it('npm pack → install into a fresh project → ESM, CommonJS, bin and node16 types all work', async (t) => {
  const report = await testPackage();
  for (const note of report.notes) t.diagnostic(note);
  t.diagnostic(`installed with ${report.installMode}`);

  assert.equal(report.tarball, `${manifest.name}-${manifest.version}.tgz`);
  const outside = report.files.filter((file) => !file.startsWith('dist/') && !['README.md', 'LICENSE', 'CHANGELOG.md', 'package.json'].includes(file));
  assert.deepEqual(outside, [], 'the tarball ships only dist/, README.md, LICENSE, CHANGELOG.md and package.json');
  for (const file of ['README.md', 'LICENSE', 'CHANGELOG.md', 'dist/index.js', 'dist/index.cjs', 'dist/index.d.ts', 'dist/index.d.cts', 'dist/cli/main.js']) {
    assert.ok(report.files.includes(file), `${file} is in the tarball`);
  }

  for (const [result, format, entry] of [
    [report.esm, 'esm', 'index.js'],
    [report.cjs, 'cjs', 'index.cjs'],
  ] as const) {
    assert.equal(result['format'], format);
    assert.equal(result['nodeRedis'], 'OK', `${format}: node-redis SET through the provider`);
    assert.equal(result['ioredis'], 'ok', `${format}: ioredis GET through withEntraId`);
    assert.equal(result['emulator'], 'function', `${format}: redis-entraid/emulator resolves`);
    assert.equal(result['isError'], false);
    const resolved = String(result['resolved']);
    const path = resolved.startsWith('file:') ? fileURLToPath(resolved) : resolved;
    assert.ok(path.endsWith(join('consumer', 'node_modules', 'redis-entraid', 'dist', entry)), `${format} resolved the installed copy: ${path}`);
    assert.ok(!path.startsWith(repoRoot), `${format} must not resolve this repository's dist/: ${path}`);
  }
  assert.equal(report.binVersion, manifest.version, 'node_modules/.bin/redis-entraid --version');
});
