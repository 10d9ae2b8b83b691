/**
 * Where `selected` finds the groups nested in the selected ones (SPEC 8.2, docs/contract.md#groups): in the whole
 * domain, not under the users' base DN, and an incremental run looks for a changed group there too. The common
 * layout: users in OU=Staff (the base DN), groups in OU=Groups beside it.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { type ConfigInput, parseConfig } from '../../../shared/config/config-schema';
import { groupBasesOf } from '../../../shared/use-cases/sync-groups';
import { synchronize } from '../../../shared/use-cases/sync-pipeline';
import { directoryEntry, type InMemoryDirectory, type InMemoryUserStore } from '../../support/in-memory';
import { type InMemoryApp, inMemoryApp, inMemoryConfig } from '../../support/in-memory-app';
import { directoryGroup, InMemoryGroupStore } from '../../support/in-memory-groups';

const DOMAIN = 'DC=company,DC=local';
const STAFF = `OU=Staff,${DOMAIN}`;
const dnOf = (name: string) => `CN=${name},OU=Groups,${DOMAIN}`;

describe('groupBasesOf', () => {
  const config = (input: Omit<ConfigInput, 'connection'>) =>
    parseConfig({ ...input, connection: { domain: 'company.local', baseDn: STAFF } });
  const selected = { filters: { groups: [dnOf('Sales')] }, groups: { sync: 'selected' as const } };

  it('searches the whole domain for the groups nested in the selected groups and the rules groups', () => {
    expect(groupBasesOf(config(selected), STAFF, DOMAIN)).toEqual({ search: DOMAIN, changes: DOMAIN });
    expect(groupBasesOf(config({ privilegeRules: [{ group: dnOf('Sales') }] }), STAFF, DOMAIN)).toEqual({
      search: DOMAIN,
      changes: DOMAIN,
    });
    // Without the DC's default naming context: the base DN's domain.
    expect(groupBasesOf(config(selected), STAFF)).toEqual({ search: DOMAIN, changes: DOMAIN });
  });

  it('searches every group under the base DN for `all`', () => {
    expect(groupBasesOf(config({ groups: { sync: 'all' } }), STAFF, DOMAIN)).toEqual({
      search: STAFF,
      changes: STAFF,
    });
  });

  it('keeps to an explicit groups.baseDn, and looks for changes in the domain when a selected group is outside it', () => {
    const groups = `OU=Groups,${DOMAIN}`;
    expect(
      groupBasesOf(config({ ...selected, groups: { sync: 'selected', baseDn: groups } }), STAFF, DOMAIN),
    ).toEqual({ search: groups, changes: groups });
    const teams = `OU=Teams,${DOMAIN}`;
    expect(
      groupBasesOf(config({ ...selected, groups: { sync: 'selected', baseDn: teams } }), STAFF, DOMAIN),
    ).toEqual({
      search: teams,
      changes: DOMAIN,
    });
  });
});

describe('selected groups outside the base DN', () => {
  let app: InMemoryApp;
  let directory: InMemoryDirectory;
  let store: InMemoryUserStore;
  let groups: InMemoryGroupStore;
  const guid = (n: number) => directoryEntry(n).objectGuid;
  const userDn = (n: number) => directoryEntry(n).distinguishedName;
  // Sales > user1, Sales-EU > user2; Support > user1; Other (not selected) > user3.
  const sales = directoryGroup(1, dnOf('Sales'), [userDn(1), dnOf('Sales-EU')]);
  const salesEu = directoryGroup(2, dnOf('Sales-EU'), [userDn(2)]);
  const support = directoryGroup(3, dnOf('Support'), [userDn(1)]);
  const config = {
    connection: { baseDn: STAFF },
    filters: { groups: [dnOf('Sales'), dnOf('Support')] },
    groups: { sync: 'selected' as const },
  };
  const run = () =>
    synchronize({ ...app.deps(), groups }, { config: inMemoryConfig(config), password: directory.password });
  const names = () => [...groups.groups.values()].map((g) => g.group.name).sort();

  beforeEach(() => {
    app = inMemoryApp({ entries: [1, 2, 3].map((n) => directoryEntry(n)) });
    ({ directory, store } = app);
    groups = new InMemoryGroupStore(store);
    directory.putGroup(sales, salesEu, support, directoryGroup(4, dnOf('Other'), [userDn(3)]));
    // The users' filter (AD's in-chain rule): user1 and user2 are members.
    directory.group(dnOf('Sales'), [guid(1), guid(2)]);
    directory.group(dnOf('Support'), [guid(1)]);
  });

  it('synchronizes the groups nested in them, and gives their members those groups', async () => {
    const report = await run();
    expect(report.status).toBe('succeeded');
    expect(names()).toEqual(['Sales', 'Sales-EU', 'Support']);
    expect((await store.getUser('user1'))?.groups).toEqual(['Sales', 'Support']);
    expect((await store.getUser('user2'))?.groups).toEqual(['Sales', 'Sales-EU']);
  });

  it('has an incremental run read them again when a member left one', async () => {
    await run();
    directory.putGroup({ ...sales, members: [dnOf('Sales-EU')] });
    const report = await run();
    expect(report.steps.find((s) => s.name === 'groups')?.message).not.toContain('no group changed');
    expect((await store.getUser('user1'))?.groups).toEqual(['Support']);
    expect((await store.getUser('user2'))?.groups).toEqual(['Sales', 'Sales-EU']);
  });

  it('has an incremental run read them again when a nested group was deleted', async () => {
    await run();
    directory.groupEntries.delete(salesEu.objectGuid);
    await run();
    expect(names()).toEqual(['Sales', 'Support']);
    expect((await store.getUser('user2'))?.groups).toEqual([]);
  });
});
