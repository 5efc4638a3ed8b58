// Runs the factory fixture in a child process with the given environment and parses the JSON line it prints.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ChildSpec } from './fixtures/factory-child.js';
import type { ScenarioResult } from './scenario.js';

const fixture = fileURLToPath(new URL('./fixtures/factory-child.ts', import.meta.url));

/** Environment variables that select an identity source: never inherited, only set explicitly per case. */
const IDENTITY_ENV = new Set([
  'AZURE_TENANT_ID', 'AZURE_CLIENT_ID', 'AZURE_CLIENT_SECRET', 'AZURE_CLIENT_CERTIFICATE_PATH', 'AZURE_CLIENT_CERTIFICATE_PASSWORD',
  'AZURE_AUTHORITY_HOST', 'AZURE_FEDERATED_TOKEN_FILE', 'AZURE_POD_IDENTITY_AUTHORITY_HOST', 'AZURE_USERNAME', 'AZURE_PASSWORD',
  'IDENTITY_ENDPOINT', 'IDENTITY_HEADER', 'IMDS_ENDPOINT', 'MSI_ENDPOINT', 'MSI_SECRET', 'IDENTITY_SERVER_THUMBPRINT',
  'AZURE_TOKEN_CREDENTIALS',
]);

/**
 * Runs the fixture with the parent's environment minus identity variables, plus `env`. The child must exit by
 * itself within `timeoutMs` (it is killed and the promise rejects otherwise); rejects with its stderr on failure.
 */
export function runInChild(spec: ChildSpec, env: Record<string, string>, timeoutMs = 60_000): Promise<ScenarioResult> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([key]) => !IDENTITY_ENV.has(key)));
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', fixture],
      { env: { ...base, ...env, FIXTURE_SPEC: JSON.stringify(spec) }, timeout: timeoutMs, killSignal: 'SIGKILL' },
      (error, stdout, stderr) => {
        if (error) {
          reject(new Error(`factory child (${spec.label}) failed: ${error.message}\n${stderr}`));
          return;
        }
        try {
          resolve(JSON.parse(stdout.trim().split('\n').pop() ?? '') as ScenarioResult);
        } catch (cause) {
          reject(new Error(`factory child (${spec.label}) printed no result: ${stdout}\n${stderr}`, { cause }));
        }
      },
    );
  });
}
