/**
 * What the configuration dialog reads from the directory (shared/use-cases/browse-directory.ts), with the
 * in-memory directory: the naming contexts without a bind, groups bound as the sync account under the right
 * base DN, the password checked before anything is opened, and every session closed.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { type Config, parseConfig } from '../../../shared/config/config-schema';
import { connectionTarget } from '../../../shared/domain/password-binding';
import {
  InvalidCredentialsError,
  MissingPasswordError,
  PasswordTargetMismatchError,
} from '../../../shared/errors';
import type { DirectoryGroup, DirectorySession } from '../../../shared/ports/directory-reader';
import { listBaseDns, searchGroups, withBoundSession } from '../../../shared/use-cases/browse-directory';
import { InMemoryDirectory } from '../../support/in-memory';

const BASE_DN = 'DC=company,DC=local';

/** The in-memory directory, counting its sessions and answering group searches with `groups`. */
class BrowsedDirectory extends InMemoryDirectory {
  connects = 0;
  closes = 0;
  /** The rootDSE's defaultNamingContext; undefined: the rootDSE names none. */
  defaultNamingContext: string | undefined = BASE_DN;
  groupsFound: DirectoryGroup[] = [];
  readonly groupSearches: { baseDn: string; search: string; limit: number }[] = [];

  override async connect(): Promise<DirectorySession> {
    this.connects += 1;
    const session = await super.connect();
    const directory = this;
    const { defaultNamingContext: _, ...rootDse } = session.rootDse;
    return {
      ...session,
      rootDse: {
        ...rootDse,
        namingContexts: [BASE_DN, `CN=Configuration,${BASE_DN}`],
        ...(this.defaultNamingContext ? { defaultNamingContext: this.defaultNamingContext } : {}),
      },
      async searchGroups(baseDn: string, search: string, limit: number) {
        directory.groupSearches.push({ baseDn, search, limit });
        return directory.groupsFound;
      },
      async close() {
        directory.closes += 1;
      },
    };
  }
}

const config = parseConfig({
  connection: {
    servers: ['dc1.company.local'],
    domain: 'corp.example.com',
    username: 'svc@company.local',
    baseDn: `OU=Staff,${BASE_DN}`,
  },
});
const { baseDn: _, ...connectionWithoutBaseDn } = config.connection;
const withoutBaseDn: Config = { ...config, connection: connectionWithoutBaseDn };

const sales: DirectoryGroup = {
  dn: `CN=Sales,OU=Groups,${BASE_DN}`,
  name: 'Sales',
  description: 'Sales staff',
};

let directory: BrowsedDirectory;

beforeEach(() => {
  directory = new BrowsedDirectory();
  directory.groupsFound = [sales];
});

describe('listBaseDns', () => {
  it("gives the rootDSE's naming contexts without a bind, and closes the session", async () => {
    expect(await listBaseDns(directory, config)).toEqual({
      defaultNamingContext: BASE_DN,
      namingContexts: [BASE_DN, `CN=Configuration,${BASE_DN}`],
    });
    expect(directory.binds).toEqual([]);
    expect({ connects: directory.connects, closes: directory.closes }).toEqual({ connects: 1, closes: 1 });
  });

  it('leaves the default out when the rootDSE names none', async () => {
    directory.defaultNamingContext = undefined;
    // Strictly: the answer has no such key at all, rather than one set to undefined.
    expect(await listBaseDns(directory, config)).toStrictEqual({
      namingContexts: [BASE_DN, `CN=Configuration,${BASE_DN}`],
    });
  });
});

describe('searchGroups', () => {
  it('binds as the sync account, searches under the base DN for at most 100 groups, and closes', async () => {
    expect(await searchGroups(directory, config, directory.password, 'sal')).toEqual({ groups: [sales] });
    expect(directory.binds).toEqual([`dc1.company.local:${directory.password}`]);
    // Groups often sit beside the users' OU: the picker looks where a run does, the base DN's domain.
    expect(directory.groupSearches).toEqual([{ baseDn: BASE_DN, search: 'sal', limit: 100 }]);
    expect(directory.closes).toBe(1);
  });

  it('searches under groups.baseDn when set, and under the base DN when every group there is synchronized', async () => {
    const groupsBase = `OU=Groups,${BASE_DN}`;
    await searchGroups(
      directory,
      { ...config, groups: { sync: 'selected', baseDn: groupsBase } },
      directory.password,
      '',
    );
    await searchGroups(directory, { ...config, groups: { sync: 'all' } }, directory.password, '');
    expect(directory.groupSearches.map((s) => s.baseDn)).toEqual([groupsBase, `OU=Staff,${BASE_DN}`]);
  });

  it("searches under the rootDSE's default naming context when the configuration names no base DN", async () => {
    await searchGroups(directory, withoutBaseDn, directory.password, '');
    expect(directory.groupSearches.map((s) => s.baseDn)).toEqual([BASE_DN]);
  });

  it("searches under the domain's DN when neither names one", async () => {
    directory.defaultNamingContext = undefined;
    await searchGroups(directory, withoutBaseDn, directory.password, '');
    expect(directory.groupSearches.map((s) => s.baseDn)).toEqual(['DC=corp,DC=example,DC=com']);
  });

  it('uses a saved password for the connection it was saved for', async () => {
    const saved = {
      password: directory.password,
      target: connectionTarget(config.connection),
      configVersion: 1,
    };
    expect(await searchGroups(directory, config, saved, 'sal')).toEqual({ groups: [sales] });
  });

  // Refused before anything is awaited (withBoundSession is not async): a caller awaits a throw either way.
  it('sends a saved password to no other connection: refused before a connection is opened', async () => {
    const other = { ...config.connection, servers: ['dc9.elsewhere.local'] };
    const saved = { password: directory.password, target: connectionTarget(other), configVersion: 1 };
    await expect(async () => searchGroups(directory, config, saved, 'sal')).rejects.toBeInstanceOf(
      PasswordTargetMismatchError,
    );
    expect(directory.connects).toBe(0);
  });

  it('refuses without a password before a connection is opened (no anonymous bind)', async () => {
    await expect(async () => searchGroups(directory, config, undefined, 'sal')).rejects.toBeInstanceOf(
      MissingPasswordError,
    );
    await expect(async () => searchGroups(directory, config, '', 'sal')).rejects.toBeInstanceOf(
      MissingPasswordError,
    );
    expect(directory.connects).toBe(0);
  });

  it('closes the session when the bind is refused, and searches nothing', async () => {
    await expect(searchGroups(directory, config, 'wrong', 'sal')).rejects.toBeInstanceOf(
      InvalidCredentialsError,
    );
    expect(directory.groupSearches).toEqual([]);
    expect({ connects: directory.connects, closes: directory.closes }).toEqual({ connects: 1, closes: 1 });
  });
});

describe('withBoundSession', () => {
  it('closes the session when its use fails, and passes the failure on', async () => {
    const failure = new Error('the read failed');
    await expect(
      withBoundSession(directory, config, directory.password, async () => {
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(directory.closes).toBe(1);
  });
});
