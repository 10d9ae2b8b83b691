/**
 * The logon guard's work (ports/account-guard.ts): with the service account, over the saved connection only
 * (the fingerprint the password was saved with), read on one DC what it says of an account's lockout. The
 * same resolve, connect and bind as a run, on a session of its own that is closed at once.
 */
import type { AccountStanding } from '../domain/account-lockout';
import { bindCredentials } from '../domain/password-binding';
import { UnreachableError } from '../errors';
import type { AccountGuardRequest } from '../ports/account-guard';
import type { DirectoryReader, DirectorySession } from '../ports/directory-reader';
import type { SecretStore } from '../ports/secret-store';

export interface AccountStandingDependencies {
  readonly directory: DirectoryReader;
  readonly secrets: SecretStore;
}

/**
 * The account's standing on the domain's PDC emulator (each DC keeps a count of its own; a bad password on any
 * DC is checked again, and counted, on the PDC emulator, which locks the account); undefined when the domain
 * has no such account. The PDC emulator must be one of the connection's servers: otherwise, and when it does
 * not answer, the standing is not read (UnreachableError), and no logon is checked.
 */
export async function readAccountStanding(
  deps: AccountStandingDependencies,
  { connection, configVersion, objectGuid }: AccountGuardRequest,
): Promise<AccountStanding | undefined> {
  // Before any connection: the password goes only where it was saved for.
  const { username, password } = bindCredentials(connection, await deps.secrets.getPassword(configVersion));
  const servers = await deps.directory.resolveServers(connection);
  const read = async (session: DirectorySession) => {
    await session.bind(username, password);
    return session.readAccountStanding(objectGuid);
  };
  let pdc: string;
  const first = await deps.directory.connect(servers, connection);
  try {
    await first.bind(username, password);
    pdc = await first.readPdcEmulator();
    if (sameHost(first.rootDse.dnsHostName, pdc)) return await first.readAccountStanding(objectGuid);
  } finally {
    await first.close();
  }
  // Another DC keeps the count that locks: find it among the connection's servers.
  for (const server of servers) {
    const session = await deps.directory.connect([server], connection).catch(() => undefined);
    if (!session) continue;
    try {
      if (sameHost(session.rootDse.dnsHostName, pdc)) return await read(session);
    } finally {
      await session.close();
    }
  }
  throw new UnreachableError(
    `the domain's PDC emulator ${pdc}, which keeps the domain's bad-password counts, is not one of the ` +
      "connection's servers or did not answer: add it to the servers",
  );
}

const sameHost = (a: string | undefined, b: string): boolean => a?.toLowerCase() === b.toLowerCase();
