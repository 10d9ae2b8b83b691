/**
 * The logon guard's work (ports/account-guard.ts): with the service account, over the saved connection only
 * (the fingerprint the password was saved with), read on one DC what it says of an account's lockout. The
 * same resolve, connect and bind as a run, on a session of its own that is closed at once.
 */
import type { AccountStanding } from '../domain/account-lockout';
import { bindCredentials } from '../domain/password-binding';
import type { AccountGuardRequest } from '../ports/account-guard';
import type { DirectoryReader } from '../ports/directory-reader';
import type { SecretStore } from '../ports/secret-store';

export interface AccountStandingDependencies {
  readonly directory: DirectoryReader;
  readonly secrets: SecretStore;
}

/** The account's standing on the first DC that answers; undefined when the domain has no such account. */
export async function readAccountStanding(
  deps: AccountStandingDependencies,
  { connection, configVersion, objectGuid }: AccountGuardRequest,
): Promise<AccountStanding | undefined> {
  // Before any connection: the password goes only where it was saved for.
  const { username, password } = bindCredentials(connection, await deps.secrets.getPassword(configVersion));
  const servers = await deps.directory.resolveServers(connection);
  const session = await deps.directory.connect(servers, connection);
  try {
    await session.bind(username, password);
    return await session.readAccountStanding(objectGuid);
  } finally {
    await session.close();
  }
}
