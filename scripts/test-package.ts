// Packs redis-entraid as npm would publish it, installs the tarball into a fresh temporary project next to
// node-redis and ioredis, and uses it there like a user: an ESM (.mjs) and a CommonJS (.cjs) program against the
// emulator, the `redis-entraid` bin, and a TypeScript consumer type-checked with `moduleResolution: node16` for
// every subpath (`.`, `./ioredis`, `./emulator`) from both module systems.
//
//   npm run test:package             (also run by `npm test` through test/package/pack.test.ts)
//   KEEP_PACKAGE_TEST_DIR=1 …         keeps the temporary project for inspection
//
// Installing without the network. Tests must not need the registry, and a clean CI machine after `npm ci` has
// the tarballs of the lockfile in npm's cache but not necessarily the registry metadata that `npm install
// <name>@<version>` needs. So:
//   1. first `npm install --offline <tarball> redis@<v> ioredis@<v>`, which is exactly what a user runs and
//      works whenever the cache holds the metadata (developer machines, most CI images);
//   2. if npm answers that something is not cached (ENOTCACHED / offline), the "linked" layout: the tarball is
//      unpacked into node_modules/redis-entraid (as npm does) and each dependency *declared in the packed
//      package.json* is a symlink into this repository's node_modules (installed by `npm ci`), plus the bin
//      link. A dependency missing from package.json is therefore still caught, and the package code runs from
//      the unpacked tarball, never from this repository's dist/.
// The mode used is reported; REDIS_ENTRAID_PACKAGE_INSTALL=npm|linked forces one.
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createCertificateAuthority, DEFAULT_SECRET_PRINCIPAL, startEmulator } from '../src/emulator/index.js';
import { ensureBuilt, repoRoot } from '../test/examples/ensure-built.js';

interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function run(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = process.env, timeoutMs = 120_000): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

async function mustRun(command: string, args: readonly string[], cwd: string, env?: NodeJS.ProcessEnv): Promise<string> {
  const result = await run(command, args, cwd, env);
  if (result.code !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited with ${result.code}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`);
  }
  return result.stdout;
}

/** A clean environment for consumer processes: no test-runner or loader state from this process. */
function consumerEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  for (const key of ['NODE_TEST_CONTEXT', 'NODE_OPTIONS', 'NODE_PATH']) delete env[key];
  return env;
}

function installedVersion(name: string): string {
  const manifest = JSON.parse(readFileSync(join(repoRoot, 'node_modules', name, 'package.json'), 'utf8')) as { version: string };
  return manifest.version;
}

function linkFromRepo(project: string, name: string): void {
  const target = join(repoRoot, 'node_modules', name);
  if (!existsSync(target)) throw new Error(`${name} is not installed in this repository (run npm ci)`);
  const link = join(project, 'node_modules', name);
  if (existsSync(link)) return;
  mkdirSync(dirname(link), { recursive: true });
  symlinkSync(target, link, 'dir');
}

async function installWithNpm(project: string, tarball: string): Promise<RunResult> {
  return run(
    'npm',
    ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', '--no-package-lock', tarball,
      `redis@${installedVersion('redis')}`, `ioredis@${installedVersion('ioredis')}`],
    project,
    consumerEnv({ npm_config_update_notifier: 'false' }),
  );
}

async function installLinked(project: string, tarball: string): Promise<void> {
  const target = join(project, 'node_modules', 'redis-entraid');
  mkdirSync(target, { recursive: true });
  await mustRun('tar', ['-xzf', tarball, '-C', target, '--strip-components=1'], project);
  const manifest = JSON.parse(readFileSync(join(target, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
    bin?: Record<string, string>;
  };
  for (const name of [...Object.keys(manifest.dependencies ?? {}), 'redis', 'ioredis']) linkFromRepo(project, name);
  for (const [name, file] of Object.entries(manifest.bin ?? {})) {
    const bin = join(project, 'node_modules', '.bin');
    mkdirSync(bin, { recursive: true });
    chmodSync(join(target, file), 0o755); // as npm does for bin targets
    symlinkSync(join('..', 'redis-entraid', file), join(bin, name));
  }
}

const ESM_CONSUMER = `import { createClient } from 'redis';
import { Redis } from 'ioredis';
import { createFromServicePrincipal, isRedisEntraIdError } from 'redis-entraid';
import { withEntraId } from 'redis-entraid/ioredis';
import { startEmulator } from 'redis-entraid/emulator';

const { HOST, PORT, TENANT_ID, CLIENT_ID, CLIENT_SECRET, AUTHORITY_HOST } = process.env;
const provider = createFromServicePrincipal({ tenantId: TENANT_ID, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, authorityHost: AUTHORITY_HOST });
const client = createClient({ socket: { host: HOST, port: Number(PORT), tls: true }, credentialsProvider: provider });
await client.connect();
const redis = await withEntraId(provider, (credentials) => new Redis({ host: HOST, port: Number(PORT), tls: {}, ...credentials }));
console.log(JSON.stringify({
  format: 'esm',
  resolved: import.meta.resolve('redis-entraid'),
  nodeRedis: await client.set('package:esm', 'ok'),
  ioredis: await redis.get('package:esm'),
  emulator: typeof startEmulator,
  isError: isRedisEntraIdError(new Error('x')),
}));
client.destroy();
await redis.quit();
await provider.close();
`;

const CJS_CONSUMER = `'use strict';
const { createClient } = require('redis');
const { Redis } = require('ioredis');
const { createFromServicePrincipal, isRedisEntraIdError } = require('redis-entraid');
const { withEntraId } = require('redis-entraid/ioredis');
const { startEmulator } = require('redis-entraid/emulator');

async function main() {
  const { HOST, PORT, TENANT_ID, CLIENT_ID, CLIENT_SECRET, AUTHORITY_HOST } = process.env;
  const provider = createFromServicePrincipal({ tenantId: TENANT_ID, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, authorityHost: AUTHORITY_HOST });
  const client = createClient({ socket: { host: HOST, port: Number(PORT), tls: true }, credentialsProvider: provider });
  await client.connect();
  const redis = await withEntraId(provider, (credentials) => new Redis({ host: HOST, port: Number(PORT), tls: {}, ...credentials }));
  console.log(JSON.stringify({
    format: 'cjs',
    resolved: require.resolve('redis-entraid'),
    nodeRedis: await client.set('package:cjs', 'ok'),
    ioredis: await redis.get('package:cjs'),
    emulator: typeof startEmulator,
    isError: isRedisEntraIdError(new Error('x')),
  }));
  client.destroy();
  await redis.quit();
  await provider.close();
}
main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
`;

// Type-checked only. @ts-expect-error lines prove the types are real (an \`any\` would make them fail as unused).
const TS_CONSUMER = `import { createClient, createCluster } from 'redis';
import { Redis, Cluster } from 'ioredis';
import {
  createFromServicePrincipal,
  createFromManagedIdentity,
  createFromDefaultAzureCredential,
  ManagedIdentityType,
  DEFAULT_LOWER_REFRESH_BOUND_MILLIS,
  type EntraIdCredentialsProvider,
  type AnyRedisEntraIdError,
  type TokenManagerConfig,
} from 'redis-entraid';
import { withEntraId, bindEntraId, type EntraIdBinding } from 'redis-entraid/ioredis';
import { startEmulator, type Emulator } from 'redis-entraid/emulator';

const config: TokenManagerConfig = { lowerRefreshBoundMillis: DEFAULT_LOWER_REFRESH_BOUND_MILLIS, retryPolicy: { maxAttempts: 5 } };
const provider: EntraIdCredentialsProvider = createFromServicePrincipal({ tenantId: 't', clientId: 'c', clientSecret: 's', tokenManagerConfig: config });
export const mi: EntraIdCredentialsProvider = createFromManagedIdentity({ identityType: ManagedIdentityType.SYSTEM_ASSIGNED });
export const dac: EntraIdCredentialsProvider = createFromDefaultAzureCredential();
export const client = createClient({ socket: { host: 'h', port: 10000, tls: true }, credentialsProvider: provider });
export const cluster = createCluster({ rootNodes: [{ socket: { host: 'h', port: 10000 } }], defaults: { credentialsProvider: provider } });
export const redis: Promise<Redis> = withEntraId(provider, (credentials) => new Redis({ ...credentials }));
export const ioCluster: Promise<Cluster> = withEntraId(provider, (credentials) => new Cluster([], { redisOptions: { ...credentials } }));
export const binding: Promise<EntraIdBinding> = bindEntraId(new Redis({ lazyConnect: true }), provider);
export const emulator: Promise<Emulator> = startEmulator({ redis: false });
export function describe(error: AnyRedisEntraIdError): string {
  switch (error.code) {
    case 'ERR_INVALID_CONFIG':
      return error.field;
    case 'ERR_TOKEN_REQUEST_FAILED':
    case 'ERR_TOKEN_REQUEST_TIMEOUT':
      return error.kind;
    default:
      return error.code;
  }
}
// @ts-expect-error clientId must be a string
createFromServicePrincipal({ tenantId: 't', clientId: 1, clientSecret: 's' });
// @ts-expect-error unknown token manager option
createFromServicePrincipal({ tenantId: 't', clientId: 'c', clientSecret: 's', tokenManagerConfig: { refreshRatio: 0.5 } });
// @ts-expect-error reAuthJitterMs is a number of ms
bindEntraId(new Redis({ lazyConnect: true }), provider, { reAuthJitterMs: '500' });
`;

export interface PackageTestReport {
  /** How the tarball was installed: with `npm install --offline`, or unpacked with linked dependencies. */
  readonly installMode: 'npm' | 'linked';
  readonly tarball: string;
  /** Every path in the tarball. */
  readonly files: readonly string[];
  readonly esm: Record<string, unknown>;
  readonly cjs: Record<string, unknown>;
  readonly binVersion: string;
  /** What each step did and when it ended. */
  readonly notes: readonly string[];
}

/** Runs the whole package test; throws with the failing step's output. Cleans up everything it started. */
export async function testPackage(): Promise<PackageTestReport> {
  const started = Date.now();
  const notes: string[] = [];
  const step = (what: string): void => {
    notes.push(`${what} at ${((Date.now() - started) / 1000).toFixed(1)} s`);
  };
  step(await ensureBuilt());
  const work = mkdtempSync(join(tmpdir(), 'redis-entraid-package-'));
  const project = join(work, 'consumer');
  const emulator = await startEmulator({ ca: createCertificateAuthority('redis-entraid package test CA') });
  try {
    // 1. Pack, as `npm publish` would.
    const packed = JSON.parse(await mustRun('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], repoRoot, consumerEnv({}))) as {
      filename: string;
      files: { path: string }[];
    }[];
    const { filename, files } = packed[0]!;
    const tarball = join(work, filename);
    step('packed');

    // 2. A fresh project; install the tarball next to node-redis and ioredis without the network.
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }, null, 2));
    const forced = process.env['REDIS_ENTRAID_PACKAGE_INSTALL'];
    let installMode: 'npm' | 'linked' = 'linked';
    if (forced !== 'linked') {
      const npm = await installWithNpm(project, tarball);
      if (npm.code === 0) installMode = 'npm';
      else if (forced === 'npm' || !/ENOTCACHED|offline/i.test(npm.stderr)) {
        throw new Error(`npm install of the tarball failed\n${npm.stderr}`);
      } else {
        notes.push('npm cache lacks registry metadata: using the linked layout');
        rmSync(join(project, 'node_modules'), { recursive: true, force: true });
      }
    }
    if (installMode === 'linked') await installLinked(project, tarball);
    linkFromRepo(project, '@types/node'); // for the TypeScript consumer only
    step(`installed (${installMode})`);

    // 3. ESM and CommonJS programs against the emulator.
    const caFile = join(work, 'ca.pem');
    writeFileSync(caFile, emulator.ca.certPem);
    const env = consumerEnv({
      NODE_EXTRA_CA_CERTS: caFile,
      HOST: emulator.redis!.host,
      PORT: String(emulator.redis!.port),
      TENANT_ID: emulator.identity.tenantId,
      CLIENT_ID: DEFAULT_SECRET_PRINCIPAL.clientId,
      CLIENT_SECRET: DEFAULT_SECRET_PRINCIPAL.clientSecret,
      AUTHORITY_HOST: emulator.identity.authorityHost,
    });
    writeFileSync(join(project, 'consumer.mjs'), ESM_CONSUMER);
    writeFileSync(join(project, 'consumer.cjs'), CJS_CONSUMER);
    // 5. (in parallel) Types for every subpath from ESM (.mts) and CommonJS (.cts), moduleResolution node16.
    writeFileSync(join(project, 'consumer-esm.mts'), TS_CONSUMER);
    writeFileSync(join(project, 'consumer-cjs.cts'), TS_CONSUMER);
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { module: 'node16', moduleResolution: 'node16', target: 'es2022', strict: true, noEmit: true, types: ['node'], skipLibCheck: true },
        files: ['consumer-esm.mts', 'consumer-cjs.cts'],
      }),
    );
    const typeCheck = mustRun(process.execPath, [join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], project, env);
    typeCheck.catch(() => undefined); // awaited below; this only avoids an unhandled rejection meanwhile
    const [esmOut, cjsOut] = await Promise.all([
      mustRun(process.execPath, ['consumer.mjs'], project, env),
      mustRun(process.execPath, ['consumer.cjs'], project, env),
    ]);
    const esm = JSON.parse(esmOut) as Record<string, unknown>;
    const cjs = JSON.parse(cjsOut) as Record<string, unknown>;
    step('ran the ESM and CommonJS programs');

    // 4. The bin, through node_modules/.bin as npm linked it.
    const binVersion = (await mustRun(join(project, 'node_modules', '.bin', 'redis-entraid'), ['--version'], project, env)).trim();
    await typeCheck;
    step('type-checked');

    return { installMode, tarball: filename, files: files.map((f) => f.path).sort(), esm, cjs, binVersion, notes };
  } finally {
    await emulator.close();
    if (process.env['KEEP_PACKAGE_TEST_DIR']) console.error(`kept ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const started = Date.now();
  testPackage().then(
    (report) => {
      console.log(JSON.stringify(report, null, 2));
      console.log(`package test passed in ${Math.round((Date.now() - started) / 1000)} s`);
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
