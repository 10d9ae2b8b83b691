/**
 * Groups written while the users are applied (early-groups.ts): a first sync writes groups whose members
 * are committed before its last user batch, and ends with every group as the pass alone would leave it; a
 * group naming a user whose create was refused waits for the pass, which leaves that user out; a run that
 * fails in its apply deletes no group.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../../shared/config/config-schema';
import type { DirectoryGroupEntry } from '../../../shared/domain/group';
import type { PlannedChange } from '../../../shared/domain/plan-sync';
import { synchronize } from '../../../shared/use-cases/sync-pipeline';
import { directoryEntry, type InMemoryDirectory, type InMemoryUserStore } from '../../support/in-memory';
import { type InMemoryApp, inMemoryApp, inMemoryConfig } from '../../support/in-memory-app';
import { directoryGroup, InMemoryGroupStore } from '../../support/in-memory-groups';

const BASE = 'DC=company,DC=local';
const USERS = 1500;
const GROUPS = 600;
const userDn = (n: number) => directoryEntry(n).distinguishedName;
const groupDn = (g: number) => `CN=G${g},OU=Groups,${BASE}`;
/** Group g holds users 2g - 1 and 2g, and G(g - 1) when g is a tenth. */
const group = (g: number) =>
  directoryGroup(g, groupDn(g), [
    userDn(2 * g - 1),
    userDn(2 * g),
    ...(g % 10 === 0 ? [groupDn(g - 1)] : []),
  ]);
const CONFIG: Omit<ConfigInput, 'connection'> = {
  groups: { sync: 'all' },
  options: { deleteUsers: true, deletionThreshold: { maxPercent: 100 } },
};

let app: InMemoryApp;
let directory: InMemoryDirectory;
let store: InMemoryUserStore;
let groups: InMemoryGroupStore;
/** Users in the database at each group write (the creates it carried). */
let usersAtGroupWrites: number[];

const run = () =>
  synchronize({ ...app.deps(), groups }, { config: inMemoryConfig(CONFIG), password: directory.password });
const membersOf = async (g: number) =>
  (await groups.membersOf(group(g).objectGuid)).map((m) => m.name).sort();

beforeEach(() => {
  app = inMemoryApp({ entries: Array.from({ length: USERS }, (_, i) => directoryEntry(i + 1)) });
  ({ directory, store } = app);
  directory.pageSize = 100;
  groups = new InMemoryGroupStore(store);
  directory.putGroup(...Array.from({ length: GROUPS }, (_, i) => group(i + 1)));
  usersAtGroupWrites = [];
  const apply = groups.applyGroupChanges.bind(groups);
  groups.applyGroupChanges = async (changes, context) => {
    usersAtGroupWrites.push((await store.listUsers()).length);
    return apply(changes, context);
  };
});

describe('groups written during the apply', () => {
  it('writes groups before the last users are, and leaves every group as the pass would', async () => {
    const report = await run();
    expect(report.status).toBe('succeeded');
    expect(report.steps.find((s) => s.name === 'groups')?.message).toContain(
      `${GROUPS} created, 0 updated, 0 deleted; 0 users`,
    );
    expect(Math.min(...usersAtGroupWrites)).toBeLessThan(USERS);
    expect(await membersOf(1)).toEqual(['user1', 'user2']);
    expect(await membersOf(10)).toEqual(['G9', 'user19', 'user20']);
    // A second (full) run finds nothing to change.
    await app.settings.clearCursor();
    const again = await run();
    expect(again.steps.find((s) => s.name === 'groups')?.message).toContain(
      '0 created, 0 updated, 0 deleted',
    );
  });

  it('leaves a group naming a refused create to the pass, which names only the users stored', async () => {
    const refused = directoryEntry(3).objectGuid;
    const apply = store.applyChanges.bind(store);
    store.applyChanges = async (changes, context) => {
      const kept = changes.filter((c) => !(c.action === 'create' && c.target.objectGuid === refused));
      const result = await apply(kept, context);
      const dropped = changes.filter((c) => !kept.includes(c));
      const conflicts = dropped.map((change: PlannedChange) => ({ change, reason: 'taken meanwhile' }));
      return { ...result, conflicts: [...result.conflicts, ...conflicts] };
    };
    const report = await run();
    expect(report.steps.find((s) => s.name === 'groups')?.ok).toBe(true);
    expect(await membersOf(2)).toEqual(['user4']);
    expect(await membersOf(1)).toEqual(['user1', 'user2']);
  });

  it('leaves a group naming a user deleted by the same run to the pass, which leaves the user out', async () => {
    await run();
    // 300 new groups (written early), the first naming user 5, who leaves AD.
    const fresh = (g: number): DirectoryGroupEntry => ({
      ...group(g),
      members: g === GROUPS + 1 ? [userDn(5), userDn(6)] : [userDn(g - GROUPS)],
    });
    directory.putGroup(...Array.from({ length: 300 }, (_, i) => fresh(GROUPS + 1 + i)));
    directory.remove(directoryEntry(5).objectGuid);
    await app.settings.clearCursor();
    const report = await run();
    expect(report.status).toBe('succeeded');
    expect(await store.getUser('user5')).toBeUndefined();
    expect(await membersOf(GROUPS + 1)).toEqual(['user6']);
    expect(await membersOf(3)).toEqual(['user6']);
    expect(report.steps.find((s) => s.name === 'groups')?.message).toContain('300 created, 1 updated');
  });

  it('deletes no group when the run fails in its apply', async () => {
    await run();
    directory.groupEntries.delete(group(GROUPS).objectGuid);
    await app.settings.clearCursor();
    let batches = 0;
    const apply = store.applyChanges.bind(store);
    store.applyChanges = async (changes, context) => {
      batches += 1;
      if (batches > 1) throw new Error('the table is gone');
      return apply(changes, context);
    };
    // Every user changes: the run writes them all, and fails after its first batch.
    for (let n = 1; n <= USERS; n += 1) directory.put(directoryEntry(n, { displayName: `Changed ${n}` }));
    const failed = await run();
    expect(failed.status).toBe('failed');
    expect(groups.groups.size).toBe(GROUPS);
  });
});
