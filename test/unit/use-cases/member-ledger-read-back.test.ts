/**
 * How the member ledger reads its suspects back for the group pass (member-ledger.ts, suspectPages): by the
 * names the run left them under, with consistent reads, each item taken only for its own objectGUID; the
 * objectGUID index only for the suspects not found so, and its answers read again by name. The store's index
 * lags here as DynamoDB's does on AWS (lagging-guid-index.ts): a test passes only if the ledger does not rely
 * on it for what the run just wrote.
 */
import { describe, expect, it } from 'vitest';
import { MembershipIndex } from '../../../shared/domain/group-membership';
import type { PlannedChange } from '../../../shared/domain/plan-sync';
import type { MappedUser, User } from '../../../shared/domain/user';
import { MemberLedger } from '../../../shared/use-cases/member-ledger';
import { aDirectoryUser } from '../../support/builders';
import { directoryEntry, InMemoryUserStore } from '../../support/in-memory';
import { directoryGroup } from '../../support/in-memory-groups';
import { lagGuidIndex } from '../../support/lagging-guid-index';

const dn = (n: number) => directoryEntry(n).distinguishedName;
const guid = (n: number) => directoryEntry(n).objectGuid;
/** Users 1 to 4 are in Staff; 5 and beyond in no group. */
const staff = directoryGroup(1, `CN=Staff,OU=Groups,DC=company,DC=local`, [1, 2, 3, 4].map(dn));
/** Directory user `n` holding what Staff gives it (not a suspect when listed, if in Staff). */
const member = (n: number, overrides: Partial<User> = {}) =>
  aDirectoryUser(n, { groups: ['Staff'], groupPrivileges: [], groupArchiveAccess: [], ...overrides });
const mapped = (n: number, overrides: Partial<MappedUser> = {}): MappedUser => ({
  userName: `user${n}`,
  fullName: `User ${n}`,
  emailAddresses: [],
  distinguishedName: dn(n),
  objectGuid: guid(n),
  ...overrides,
});
const describeOf = (target: MappedUser) => ({
  userName: target.userName,
  fullName: target.fullName,
  emailAddresses: target.emailAddresses,
});
const update = (current: User, target: MappedUser): PlannedChange => ({
  action: 'update',
  ...describeOf(target),
  changedFields: ['userName'],
  current,
  target,
});
const create = (target: MappedUser): PlannedChange => ({
  action: 'create',
  ...describeOf(target),
  changedFields: [],
  target,
});

/**
 * A ledger that listed `listed`, over a store holding `stored` whose objectGUID index has caught up only with
 * `indexed` (nobody, by default).
 */
function setUp(listed: readonly User[], stored: readonly User[], indexed: readonly User[] = []) {
  const index = new MembershipIndex({ all: true }, []);
  index.add([staff]);
  const ledger = new MemberLedger(index);
  for (const user of listed) ledger.take(user);
  ledger.listingEnded();
  const store = new InMemoryUserStore().seed(...stored);
  const lag = lagGuidIndex(store, indexed);
  const readBack = async (size = 1000) => {
    const users: { user: User; target: { groups: readonly string[] } }[] = [];
    for await (const page of ledger.suspectPages((g, n) => store.findUsers(g, n), size)) users.push(...page);
    return users;
  };
  const holderOf = (n: number) => ledger.userOf(index.idOf(dn(n)) as number);
  return { ledger, lag, readBack, holderOf };
}
const commit = (ledger: MemberLedger, ...changes: PlannedChange[]) =>
  ledger.written(changes, new Set(changes));
const refuse = (ledger: MemberLedger, ...changes: PlannedChange[]) => ledger.written(changes, new Set());
const namesOf = (users: readonly { user: User }[]) => users.map(({ user }) => user.userName).sort();

describe('the member ledger reads its suspects back', () => {
  it('reads listed suspects under their listed names, consistently, and asks the objectGUID index nothing', async () => {
    // user1's stored groups differ (it is in Staff); user5 left every group (it holds no DN).
    const listed = [aDirectoryUser(1), member(5, { groups: ['Old'] })];
    const { lag, readBack } = setUp(listed, listed);
    const users = await readBack();
    expect(users.map(({ user, target }) => [user.userName, target.groups])).toEqual([
      ['user1', ['Staff']],
      ['user5', []],
    ]);
    expect(lag.nameLookups).toEqual([['user1', 'user5']]);
    expect(lag.guidLookups).toEqual([]);
  });

  it('reads a user the run renamed under its new name, where the index still has the old one', async () => {
    const { ledger, lag, readBack, holderOf } = setUp(
      [member(2)],
      [member(2, { userName: 'renamed2' })],
      [member(2)],
    );
    commit(ledger, update(member(2), mapped(2, { userName: 'renamed2' })));
    expect(namesOf(await readBack())).toEqual(['renamed2']);
    expect(holderOf(2)).toEqual({ userName: 'renamed2', objectGuid: guid(2) });
    expect(lag.guidLookups).toEqual([]);
  });

  it('reads a user whose rename was not committed under its old name', async () => {
    const { ledger, lag, readBack, holderOf } = setUp([member(3)], [member(3)], [member(3)]);
    refuse(ledger, update(member(3), mapped(3, { userName: 'renamed3' })));
    expect(namesOf(await readBack())).toEqual(['user3']);
    expect(holderOf(3)).toEqual({ userName: 'user3', objectGuid: guid(3) });
    expect(lag.nameLookups).toEqual([['user3', 'renamed3']]);
    expect(lag.guidLookups).toEqual([]);
  });

  it('reads a write found in place (committed by an earlier attempt) under its target name', async () => {
    const { ledger, lag, readBack, holderOf } = setUp(
      [member(3)],
      [member(3, { userName: 'renamed3' }), aDirectoryUser(6)],
      [member(3)],
    );
    refuse(ledger, update(member(3), mapped(3, { userName: 'renamed3' })), create(mapped(6)));
    expect(namesOf(await readBack())).toEqual(['renamed3', 'user6']);
    expect(holderOf(3)).toEqual({ userName: 'renamed3', objectGuid: guid(3) });
    expect(lag.guidLookups).toEqual([]);
  });

  it("takes no item whose objectGUID is not the suspect's: a create refused for a taken name, a re-anchored user", async () => {
    const anchor = '00000000-0000-4000-8000-0000000000aa';
    const { ledger, lag, readBack, holderOf } = setUp(
      [member(1), member(4)],
      [member(1, { objectGuid: anchor }), member(4)],
      // The index as before the run: the old objectGUID still at user1.
      [member(1), member(4)],
    );
    // User 6 is refused the name user4 (user 4 holds it); user1 is re-anchored to a new objectGUID.
    refuse(ledger, create(mapped(6, { userName: 'user4' })));
    commit(ledger, update(member(1), mapped(1, { objectGuid: anchor })));
    const users = await readBack();
    expect(users.map(({ user }) => [user.userName, user.objectGuid])).toEqual([['user1', anchor]]);
    expect(holderOf(1)).toEqual({ userName: 'user1', objectGuid: anchor });
    expect(holderOf(4)).toEqual({ userName: 'user4', objectGuid: guid(4) });
    // Not found by name: user 6 (not stored) and user1's old objectGUID. The index's answer for the latter,
    // user1, was read again by name: it carries the new objectGUID, so it was not taken a second time.
    expect(lag.guidLookups).toEqual([[guid(6), guid(1)]]);
    expect(lag.nameLookups).toEqual([['user4', 'user1'], ['user1']]);
  });

  it('asks the index only for a suspect whose name it does not know, and reads its answer again by name', async () => {
    // user1 is a suspect held at its DN; a user created at that DN takes it, and with it user1's name.
    const moved = aDirectoryUser(1, { distinguishedName: dn(5) });
    const { ledger, lag, readBack } = setUp(
      [aDirectoryUser(1), aDirectoryUser(2)],
      [moved, aDirectoryUser(2), aDirectoryUser(7, { distinguishedName: dn(1) })],
      [moved],
    );
    commit(ledger, create(mapped(7, { distinguishedName: dn(1) })));
    expect(namesOf(await readBack())).toEqual(['user1', 'user2', 'user7']);
    expect(lag.nameLookups).toEqual([['user2', 'user7'], ['user1']]);
    expect(lag.guidLookups).toEqual([[guid(1)]]);
  });

  it('gives each user once, for its own objectGUID: two refused renames that swap names', async () => {
    const { ledger, lag, readBack, holderOf } = setUp([member(1), member(2)], [member(1), member(2)]);
    refuse(
      ledger,
      update(member(1), mapped(1, { userName: 'user2' })),
      update(member(2), mapped(2, { userName: 'user1' })),
    );
    const users = await readBack();
    expect(users.map(({ user }) => [user.userName, user.objectGuid])).toEqual([
      ['user1', guid(1)],
      ['user2', guid(2)],
    ]);
    expect(holderOf(1)).toEqual({ userName: 'user1', objectGuid: guid(1) });
    expect(lag.nameLookups).toEqual([['user1', 'user2']]);
    expect(lag.guidLookups).toEqual([]);
  });

  it('reads `size` suspects at a time', async () => {
    const listed = [1, 2, 3].map((n) => aDirectoryUser(n));
    const { lag, readBack } = setUp(listed, listed);
    expect(namesOf(await readBack(2))).toEqual(['user1', 'user2', 'user3']);
    expect(lag.nameLookups).toEqual([['user1', 'user2'], ['user3']]);
  });
});
