/**
 * What the configuration dialog shows from the directory: the naming contexts for the Base-DN picker and the
 * groups for the group picker. Read-only, with the same connection rules as the sync.
 */
import { type Config, groupSearchBaseOf } from '../config/config-schema';
import { baseDnFromDomain } from '../domain/distinguished-name';
import { type BindPassword, bindCredentials } from '../domain/password-binding';
import type { DirectoryGroup, DirectoryReader, DirectorySession } from '../ports/directory-reader';

const GROUP_LIMIT = 100;

async function withSession<T>(
  directory: DirectoryReader,
  config: Config,
  use: (s: DirectorySession) => Promise<T>,
) {
  const session = await directory.connect(
    await directory.resolveServers(config.connection),
    config.connection,
  );
  try {
    return await use(session);
  } finally {
    await session.close();
  }
}

/** Runs `use` on a session bound as the sync account (the saved password), closed afterwards. */
export function withBoundSession<T>(
  directory: DirectoryReader,
  config: Config,
  password: BindPassword | undefined,
  use: (session: DirectorySession) => Promise<T>,
): Promise<T> {
  const credentials = bindCredentials(config.connection, password);
  return withSession(directory, config, async (session) => {
    await session.bind(credentials.username, credentials.password);
    return use(session);
  });
}

/** The rootDSE's naming contexts; the rootDSE is readable before a bind. */
export function listBaseDns(
  directory: DirectoryReader,
  config: Config,
): Promise<{ defaultNamingContext?: string; namingContexts: readonly string[] }> {
  return withSession(directory, config, async ({ rootDse }) => ({
    ...(rootDse.defaultNamingContext ? { defaultNamingContext: rootDse.defaultNamingContext } : {}),
    namingContexts: rootDse.namingContexts,
  }));
}

/**
 * Groups whose name or description contains `search`, bound as the sync account, where a run looks for groups
 * (groupSearchBaseOf: `groups.baseDn`, else the base DN for `all`, else the base DN's domain: groups often sit
 * in an OU beside the users').
 */
export function searchGroups(
  directory: DirectoryReader,
  config: Config,
  password: BindPassword | undefined,
  search: string,
): Promise<{ groups: DirectoryGroup[] }> {
  return withBoundSession(directory, config, password, async (session) => {
    const { defaultNamingContext } = session.rootDse;
    const baseDn =
      config.connection.baseDn || defaultNamingContext || baseDnFromDomain(config.connection.domain ?? '');
    const base = groupSearchBaseOf(config, baseDn, defaultNamingContext) ?? baseDn;
    return { groups: await session.searchGroups(base, search, GROUP_LIMIT) };
  });
}
