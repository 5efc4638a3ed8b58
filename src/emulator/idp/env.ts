import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Environment variables for one way of authenticating; merge into a child process's env. */
export type EnvironmentVariables = Record<string, string>;

/** Environment-variable helpers of an emulator: one per authentication style the Azure SDKs read from the environment. */
export interface IdentityEmulatorEnv {
  /**
   * Service principal with a client secret (EnvironmentCredential / DefaultAzureCredential):
   * `AZURE_TENANT_ID`, `AZURE_CLIENT_ID`, `AZURE_CLIENT_SECRET`, `AZURE_AUTHORITY_HOST`.
   * Default principal {@link DEFAULT_SECRET_PRINCIPAL}.
   */
  servicePrincipalSecret(principal?: { readonly clientId: string; readonly clientSecret: string }): EnvironmentVariables;
  /**
   * Service principal with a certificate: writes certificate + key PEM into the emulator's temp dir (removed on
   * close) and returns `AZURE_TENANT_ID`, `AZURE_CLIENT_ID`, `AZURE_CLIENT_CERTIFICATE_PATH`, `AZURE_AUTHORITY_HOST`.
   * Default: the default certificate principal and its certificate.
   */
  servicePrincipalCertificate(principal?: { readonly clientId: string; readonly certPem: string; readonly keyPem: string }): EnvironmentVariables;
  /** App Service style managed identity: `IDENTITY_ENDPOINT`, `IDENTITY_HEADER` (+ `AZURE_CLIENT_ID` when `clientId` is given). */
  appServiceManagedIdentity(clientId?: string): EnvironmentVariables;
  /** IMDS style managed identity: `AZURE_POD_IDENTITY_AUTHORITY_HOST` (+ `AZURE_CLIENT_ID` when `clientId` is given). */
  imdsManagedIdentity(clientId?: string): EnvironmentVariables;
  /**
   * Workload identity: writes a federated token issued by the emulator into a file and returns `AZURE_TENANT_ID`,
   * `AZURE_CLIENT_ID`, `AZURE_FEDERATED_TOKEN_FILE`, `AZURE_AUTHORITY_HOST`. Default principal
   * {@link DEFAULT_WORKLOAD_PRINCIPAL}.
   */
  workloadIdentity(clientId?: string): EnvironmentVariables;
  /** `NODE_EXTRA_CA_CERTS` pointing at a file with the emulator's CA certificate (read by node at start-up). */
  trustCa(): EnvironmentVariables;
}

/** A temp directory created on first use and removed by the emulator's close(). @internal */
export class TempDirectory {
  #path: string | undefined;

  /** Writes `content` to `name` inside the directory (mode 0600) and returns the file's path. */
  write(name: string, content: string): string {
    this.#path ??= mkdtempSync(join(tmpdir(), 'redis-entraid-idp-'));
    const file = join(this.#path, name);
    writeFileSync(file, content, { mode: 0o600 });
    return file;
  }

  /** The directory, if created. */
  get path(): string | undefined {
    return this.#path;
  }
}
