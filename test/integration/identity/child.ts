// Runs the observe-factory fixture in a child process with the given environment and parses its JSON output.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Observation } from './observe.js';

const fixture = fileURLToPath(new URL('./fixtures/observe-factory.ts', import.meta.url));

/** Environment variables that select an identity source; removed from the child's env unless set explicitly. */
const IDENTITY_ENV = [
  'AZURE_TENANT_ID', 'AZURE_CLIENT_ID', 'AZURE_CLIENT_SECRET', 'AZURE_CLIENT_CERTIFICATE_PATH', 'AZURE_AUTHORITY_HOST',
  'AZURE_FEDERATED_TOKEN_FILE', 'AZURE_POD_IDENTITY_AUTHORITY_HOST', 'IDENTITY_ENDPOINT', 'IDENTITY_HEADER',
  'IMDS_ENDPOINT', 'MSI_ENDPOINT', 'MSI_SECRET', 'IDENTITY_SERVER_THUMBPRINT', 'AZURE_TOKEN_CREDENTIALS',
];

/** What the child saw, plus the hosts it sent HTTP requests to. */
export type ChildObservation = Observation & { readonly hosts: string[] };

/** Runs the fixture; rejects with its stderr when it fails. */
export function observeInChild(spec: object, env: Record<string, string>): Promise<ChildObservation> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([key]) => !IDENTITY_ENV.includes(key)));
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', fixture],
      { env: { ...base, ...env, FIXTURE_SPEC: JSON.stringify(spec) }, timeout: 40_000 },
      (error, stdout, stderr) => {
        if (error) {
          reject(new Error(`fixture failed: ${error.message}\n${stderr}`));
          return;
        }
        resolve(JSON.parse(stdout.trim().split('\n').pop() ?? '') as ChildObservation);
      },
    );
  });
}
