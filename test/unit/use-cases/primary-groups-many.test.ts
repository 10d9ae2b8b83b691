/**
 * Primary groups when many groups are read (sync-groups.ts takePrimaryGroups): more than 100 groups, the read
 * asks for every user when a Domain Users (RID 513) is among them, else only for the users whose primary group
 * is another one; either way each user is a direct member of its primary group (SPEC 8.2), with the in-memory
 * directory answering as the DC does.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { synchronize } from '../../../shared/use-cases/sync-pipeline';
import { directoryEntry, type InMemoryDirectory, type InMemoryUserStore } from '../../support/in-memory';
import { type InMemoryApp, inMemoryApp, inMemoryConfig } from '../../support/in-memory-app';
import { directoryGroup, InMemoryGroupStore } from '../../support/in-memory-groups';

const DOMAIN_SID = 'S-1-5-21-1-2-3';
const dnOf = (name: string) => `CN=${name},OU=Groups,DC=company,DC=local`;
/** Groups 1000 to 1000 + count - 1 (their RIDs), and Domain Users when asked. */
const manyGroups = (count: number, withDomainUsers: boolean) => [
  ...Array.from({ length: count }, (_, i) => ({
    ...directoryGroup(i + 1, dnOf(`Team ${1000 + i}`)),
    objectSid: `${DOMAIN_SID}-${1000 + i}`,
  })),
  ...(withDomainUsers
    ? [{ ...directoryGroup(count + 1, dnOf('Domain Users')), objectSid: `${DOMAIN_SID}-513` }]
    : []),
];

let app: InMemoryApp;
let directory: InMemoryDirectory;
let store: InMemoryUserStore;
let groups: InMemoryGroupStore;

beforeEach(() => {
  app = inMemoryApp({ entries: [1, 2].map((n) => directoryEntry(n)) });
  ({ directory, store } = app);
  groups = new InMemoryGroupStore(store);
  // user1's primary group is Domain Users (as most users'), user2's is Team 1005.
  directory.primaryGroups.set(directoryEntry(1).distinguishedName, `${DOMAIN_SID}-513`);
  directory.primaryGroups.set(directoryEntry(2).distinguishedName, `${DOMAIN_SID}-1005`);
});

const sync = () =>
  synchronize(
    { ...app.deps(), groups },
    { config: inMemoryConfig({ groups: { sync: 'all' } }), password: directory.password },
  );

describe('primary groups with more than 100 groups read', () => {
  it('without Domain Users among them: the users of the others are their members, Domain Users named by none', async () => {
    directory.putGroup(...manyGroups(101, false));
    expect((await sync()).status).toBe('succeeded');
    expect((await store.getUser('user2'))?.groups).toEqual(['Team 1005']);
    expect((await store.getUser('user1'))?.groups ?? []).toEqual([]);
  });

  it('with Domain Users among them: every user is read, and each is a member of its primary group', async () => {
    directory.putGroup(...manyGroups(101, true));
    expect((await sync()).status).toBe('succeeded');
    expect((await store.getUser('user1'))?.groups).toEqual(['Domain Users']);
    expect((await store.getUser('user2'))?.groups).toEqual(['Team 1005']);
    const domainUsers = await groups.findGroup('Domain Users');
    expect(domainUsers?.memberCount).toBe(1);
    expect((await groups.membersOf(domainUsers?.objectGuid ?? '')).map((m) => m.name)).toEqual(['user1']);
  });
});
