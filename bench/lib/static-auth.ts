/** The static-password baseline: a fixed username/password, no provider. */
import { DEFAULT_SECRET_PRINCIPAL } from '../../src/emulator/index.js';
import type { IdentityEmulator } from '../../src/emulator/index.js';

/**
 * The service principal's oid and a token minted once with a long lifetime, used as a fixed password: the
 * client goes through the same gate, TLS and ACL user as the providers, with no renewal at all.
 */
export function staticAuth(identity: IdentityEmulator, lifetimeSeconds = 3600): { username: string; password: string } {
  return {
    username: DEFAULT_SECRET_PRINCIPAL.objectId,
    password: identity.issueAccessToken(DEFAULT_SECRET_PRINCIPAL.clientId, { lifetimeSeconds }),
  };
}
