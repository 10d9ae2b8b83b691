/**
 * Changes made in AD between runs, in an OU of this file's own (removed at the end), bound as the service
 * account for the sync and as Administrator only to change the directory.
 */
import { Attribute, Change } from 'ldapts';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { ConfigInput } from '../../../shared/config/config-schema';
import type { User } from '../../../shared/domain/user';
import { synchronize } from '../../../shared/use-cases/sync-pipeline';
import { addTeam, replace, UF_NORMAL_PASSWD_NOTREQD, userEntry } from '../../support/scratch-ou';
import { useScratchSync } from '../../support/scratch-sync';
import { fixtureConfig, servicePassword } from '../../support/sync-harness';

const directory = inject('directory');
const scratch = useScratchSync('Churn');
const { dn: ou, tag } = scratch;
const groupDn = `CN=Churn Team,${ou}`;
const NAMES = ['c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8'] as const;
const userDn = (name: string) => `CN=Churn ${name},${ou}`;

const UF_ACCOUNTDISABLE = 0x2;

function config(options: ConfigInput['options'] = {}) {
  return fixtureConfig({
    connection: { baseDn: ou },
    filters: { groups: [groupDn], visibleInAddressListsOnly: true },
    options,
  });
}
const sync = (options: ConfigInput['options'] = {}) =>
  synchronize(scratch.harness.deps, { config: config(options), password: servicePassword() });
const byName = async (): Promise<Map<string, User>> =>
  new Map((await scratch.harness.store.listUsers()).map((u) => [u.userName, u]));

beforeAll(async () => {
  await addTeam(scratch.admin, { userDn, groupDn, label: 'Churn', prefix: 'churn', tag, names: NAMES });
});

describe('changes in Active Directory between runs', () => {
  it('creates the users of the selected group on the first run', async () => {
    const report = await sync();
    expect(report.error).toBeUndefined();
    expect(report.counts).toMatchObject({ created: NAMES.length, directoryUsers: NAMES.length });
  });

  it('follows a rename and a new address in AD with an update of the same user, not a duplicate', async () => {
    const before = await byName();
    const original = before.get('churn-c1') as User;
    await scratch.harness.archiveMessages('churn-c1', 5);

    await scratch.admin.modifyDN(userDn('c1'), 'CN=Churn Renamed (c1)');
    const renamedDn = `CN=Churn Renamed (c1),${ou}`;
    await scratch.admin.modify(renamedDn, [
      replace('sAMAccountName', ['churn-renamed']),
      replace('displayName', ['Churn Renamed']),
      replace('mail', ['Renamed@Company.local']),
    ]);
    await scratch.admin.modify(userDn('c2'), [replace('mail', ['churn-c2-new@company.local'])]);

    const report = await sync();
    expect(report.error).toBeUndefined();
    expect(report.counts).toMatchObject({ created: 0, updated: 2, deleted: 0 });
    expect(report.changes.find((c) => c.userName === 'churn-renamed')?.changedFields).toEqual([
      'userName',
      'fullName',
      'emailAddresses',
      'distinguishedName',
    ]);

    const after = await byName();
    expect(after.size).toBe(before.size);
    expect(after.has('churn-c1')).toBe(false);
    expect(after.get('churn-renamed')).toMatchObject({
      objectGuid: original.objectGuid,
      fullName: 'Churn Renamed',
      emailAddresses: ['renamed@company.local'],
      distinguishedName: renamedDn,
      privileges: original.privileges,
      createdAt: original.createdAt,
    });
    expect(after.get('churn-c2')?.emailAddresses).toEqual(['churn-c2-new@company.local']);
    // The archive folder follows the rename.
    expect(await scratch.harness.store.getArchiveFolder('churn-renamed')).toMatchObject({
      ownerUserName: 'churn-renamed',
      messageCount: 5,
    });
    expect(await scratch.harness.store.getArchiveFolder('churn-c1')).toBeUndefined();
  });

  it('adopts an account recreated in AD under the same name: the same user, its privileges and archive kept', async () => {
    const original = (await byName()).get('churn-c7') as User;
    await scratch.harness.archiveMessages('churn-c7', 3);
    await scratch.admin.del(userDn('c7'));
    await scratch.admin.add(
      userDn('c7'),
      userEntry({
        sAMAccountName: 'churn-c7',
        userPrincipalName: `churn-c7@${directory.domain}`,
        displayName: 'Churn c7 (recreated)',
        mail: `churn-c7@${directory.domain}`,
      }),
    );
    await scratch.admin.modify(groupDn, [
      new Change({
        operation: 'add',
        modification: new Attribute({ type: 'member', values: [userDn('c7')] }),
      }),
    ]);

    // A full read decides once it has read everything: the old objectGUID is gone, so the name is adopted.
    const report = await sync({ deleteUsers: true });
    expect(report.error).toBeUndefined();
    expect(report.counts).toMatchObject({ created: 0, updated: 1, deleted: 0, conflicts: 0 });
    expect(report.changes).toEqual([
      expect.objectContaining({
        action: 'update',
        userName: 'churn-c7',
        changedFields: ['fullName', 'objectGuid'],
        reason: 'the directory account was recreated under the same name',
      }),
    ]);
    const adopted = (await byName()).get('churn-c7');
    expect(adopted?.objectGuid).not.toBe(original.objectGuid);
    expect(adopted).toMatchObject({ createdAt: original.createdAt, privileges: original.privileges });
    expect(await scratch.harness.store.getArchiveFolder('churn-c7')).toMatchObject({ messageCount: 3 });
  });

  describe('users that leave the scope', () => {
    beforeAll(async () => {
      await scratch.harness.archiveMessages('churn-c6', 42);
      await scratch.harness.archiveMessages('churn-c3', 0);
      await scratch.admin.modify(userDn('c3'), [
        replace('userAccountControl', [String(UF_NORMAL_PASSWD_NOTREQD | UF_ACCOUNTDISABLE)]),
      ]);
      await scratch.admin.modify(userDn('c4'), [replace('msExchHideFromAddressLists', ['TRUE'])]);
      await scratch.admin.modify(groupDn, [
        new Change({
          operation: 'delete',
          modification: new Attribute({ type: 'member', values: [userDn('c5')] }),
        }),
      ]);
      await scratch.admin.del(userDn('c6'));
    });

    it('are left untouched while deleteUsers is off', async () => {
      const before = await scratch.harness.store.listUsers();
      const report = await sync({ deleteUsers: false });
      expect(report.status).toBe('succeeded');
      expect(report.counts.deleted).toBe(0);
      expect(report.excluded.map((e) => [e.userName, e.reasons])).toEqual(
        expect.arrayContaining([
          ['churn-c3', ['disabled']],
          ['churn-c4', ['hiddenFromAddressLists']],
          ['churn-c5', ['notInSelectedGroups']],
        ]),
      );
      expect(await scratch.harness.store.listUsers()).toEqual(before);
    });

    it('are deleted when deleteUsers is on; an archive folder with messages is kept, an empty one goes', async () => {
      const folderOfC3 = await scratch.harness.store.getArchiveFolder('churn-c3');
      const report = await sync({ deleteUsers: true, deletionThreshold: { maxCount: 10, maxPercent: 100 } });
      expect(report.status).toBe('succeeded');
      expect(report.counts.deleted).toBe(4);
      expect(
        report.changes
          .filter((c) => c.action === 'delete')
          .map((c) => [c.userName, c.reason])
          .sort(),
      ).toEqual([
        ['churn-c3', 'out of scope: disabled'],
        ['churn-c4', 'out of scope: hiddenFromAddressLists'],
        ['churn-c5', 'out of scope: notInSelectedGroups'],
        ['churn-c6', 'no longer returned by the directory'],
      ]);
      expect([...(await byName()).keys()].sort()).toEqual([
        'churn-c2',
        'churn-c7',
        'churn-c8',
        'churn-renamed',
      ]);

      expect(await scratch.harness.store.getArchiveFolder('churn-c6')).toMatchObject({
        messageCount: 42,
        ownerDeletedAt: expect.any(String),
      });
      expect(folderOfC3).toBeDefined();
      expect(await scratch.harness.store.getArchiveFolder('churn-c3')).toBeUndefined();
    });

    it('withholds deletes above the threshold and applies them once with allowMassDeletion', async () => {
      await scratch.admin.modify(groupDn, [replace('member', [userDn('c7')])]);
      const stopped = await sync({ deleteUsers: true, deletionThreshold: { maxCount: 1, maxPercent: 100 } });
      expect(stopped.status).toBe('deletionThresholdExceeded');
      expect(stopped.counts.deleted).toBe(0);
      expect(stopped.deletesWithheld).toBe(3);
      expect((await byName()).size).toBe(4);

      const allowed = await synchronize(scratch.harness.deps, {
        config: config({ deleteUsers: true, deletionThreshold: { maxCount: 1, maxPercent: 100 } }),
        password: servicePassword(),
        approvedDeletes: stopped.deletesWithheld ?? 0,
      });
      expect(allowed.status).toBe('succeeded');
      expect(allowed.counts.deleted).toBe(3);
      expect([...(await byName()).keys()]).toEqual(['churn-c7']);
    });
  });
});
