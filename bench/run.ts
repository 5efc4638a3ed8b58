/**
 * `npm run bench [-- --quick] [--only=a,b] [--out=dir]`: redis-entraid side by side with @redis/entraid and a
 * static password, on the emulator (local Entra ID + Azure-like gate + real redis-server).
 *
 * MSAL trusts the emulator's CA only through NODE_EXTRA_CA_CERTS, read at process start: `ensureTrustedCa`
 * creates a CA and re-runs this file in a child (with `--expose-gc`) that trusts it.
 *
 * @module
 */
import { ensureTrustedCa } from '../src/emulator/index.js';
import { runBench } from './lib/runner.js';

const trust = await ensureTrustedCa(process.env, { commonName: 'redis-entraid bench CA', execArgv: ['--expose-gc'] });
if (trust.kind === 'delegated') {
  process.exitCode = trust.exitCode;
} else {
  try {
    process.exitCode = await runBench(trust.ca, process.argv.slice(2));
  } catch (error) {
    console.error(error);
    process.exitCode = 1;
  }
}
