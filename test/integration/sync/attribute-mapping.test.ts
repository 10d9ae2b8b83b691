/**
 * Attribute mapping (SPEC 8.3) against the Samba DC and DynamoDB Local, in an OU of this file's own, with
 * incremental runs as deployed: the attributes read as LDAP returns them (text, objectGUID and objectSid as
 * bytes, generalized time), a manager outside the base DN read by DN, a rule failing on one user, a changed
 * attribute as an update, and a changed user name source renaming everyone in place. The rules, transforms
 * and budgets themselves are unit-tested (test/unit/domain/attribute-mapping.test.ts).
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ConfigInput } from '../../../shared/config/config-schema';
import type { User } from '../../../shared/domain/user';
import { explainUser } from '../../../shared/use-cases/explain-user';
import { synchronize } from '../../../shared/use-cases/sync-pipeline';
import { replace, userEntry } from '../../support/scratch-ou';
import { useScratchSync } from '../../support/scratch-sync';
import { fixtureConfig, servicePassword } from '../../support/sync-harness';

const scratch = useScratchSync('Mapping', { incremental: true });
const { dn: ou, tag } = scratch;
const staff = `OU=Staff,${ou}`;
const execs = `OU=Execs,${ou}`;
const { domain } = inject('directory');
const userDn = (name: string, under = staff) => `CN=Map ${name},${under}`;
const account = (name: string) => `map${tag}-${name}`;

const MAPPING: ConfigInput['mapping'] = {
  attributes: {
    department: { from: 'department' },
    title: { from: 'title', default: 'none' },
    manager: { from: 'manager', transform: 'userName' },
    employee: { from: 'employeeID', transform: 'int' },
    phones: { from: ['otherMobile', 'telephoneNumber'], transform: 'all' },
    created: { from: 'whenCreated', transform: 'date' },
    expires: { from: 'accountExpires', transform: 'date' },
    sid: { from: 'objectSid', transform: 'sid' },
    guid: { from: 'objectGUID', transform: 'guid' },
    label: { expression: '$uppercase(department) & "-" & $string(employeeID)' },
  },
};
const config = (mapping: ConfigInput['mapping'] = MAPPING) =>
  fixtureConfig({ connection: { baseDn: staff }, filters: { exchangeUsersOnly: false }, mapping });
const sync = (mapping?: ConfigInput['mapping']) =>
  synchronize(scratch.harness.deps, { config: config(mapping), password: servicePassword() });
const users = async (): Promise<Map<string, User>> =>
  new Map((await scratch.harness.store.listUsers()).map((u) => [u.userName, u]));

beforeAll(async () => {
  const { admin } = scratch;
  await admin.add(staff, { objectClass: ['top', 'organizationalUnit'] });
  await admin.add(execs, { objectClass: ['top', 'organizationalUnit'] });
  const add = (name: string, attributes: Record<string, string | string[]>, under = staff) =>
    admin.add(
      userDn(name, under),
      userEntry({
        sAMAccountName: account(name),
        userPrincipalName: `${account(name)}@${domain}`,
        ...attributes,
      }),
    );
  // The boss is outside the base DN: its name is read by DN.
  await add('boss', { department: 'Board' }, execs);
  await add('ann', {
    department: 'Sales',
    title: 'Clerk',
    manager: userDn('boss', execs),
    employeeID: '1001',
    telephoneNumber: '+49 30 1',
    otherMobile: ['+49 170 1', '+49 170 2'],
  });
  await add('ben', { department: 'Sales', manager: userDn('ann'), employeeID: '1002' });
  await add('bad', { department: 'Sales', employeeID: 'n/a' });
});

afterAll(async () => {
  // The scratch OU removes what it holds directly: the users in the two OUs go first.
  const { admin } = scratch;
  for (const dn of [userDn('ann'), userDn('ben'), userDn('bad'), userDn('boss', execs), staff, execs]) {
    await admin.del(dn).catch(() => {});
  }
});

describe('attribute mapping against the directory', () => {
  it('maps each rule from what LDAP returns; a rule failing on one user excludes it, the run goes on', async () => {
    const report = await sync();
    expect(report.status).toBe('succeeded');
    expect(report.counts).toMatchObject({ created: 2, excluded: 1 });
    expect(report.excluded).toEqual([
      {
        userName: account('bad'),
        distinguishedName: userDn('bad'),
        reasons: ['mappingFailed'],
        detail: 'mapping.attributes.employee: "n/a" is not an integer from -(2^53-1) to 2^53-1',
      },
    ]);
    const ann = (await users()).get(account('ann')) as User;
    // A multi-valued attribute's values, in whichever order the DC keeps them.
    expect([...((ann.attributes?.phones as string[]) ?? [])].sort()).toEqual(['+49 170 1', '+49 170 2']);
    expect(ann.attributes).toEqual({
      department: 'Sales',
      title: 'Clerk',
      manager: account('boss'),
      employee: 1001,
      phones: expect.any(Array),
      created: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/),
      expires: 'never',
      sid: expect.stringMatching(/^S-1-5-21-\d+-\d+-\d+-\d+$/),
      guid: ann.objectGuid,
      label: 'SALES-1001',
    });
    const ben = (await users()).get(account('ben')) as User;
    expect(ben.attributes).toMatchObject({ manager: account('ann'), title: 'none' });
  });

  it('updates a changed attribute, naming attributes.<field>, on an incremental run', async () => {
    await scratch.admin.modify(userDn('ben'), [replace('department', ['Marketing'])]);
    const report = await sync();
    expect(report.steps.find((s) => s.name === 'search')?.message).not.toContain('full read');
    expect(report.changes).toEqual([
      expect.objectContaining({
        action: 'update',
        userName: account('ben'),
        changedFields: ['attributes.department', 'attributes.label'],
      }),
    ]);
  });

  it('explains a user with its mapped attributes', async () => {
    const { harness } = scratch;
    const explanation = await explainUser(
      harness.deps.directory,
      config(),
      servicePassword(),
      harness.store,
      new Date(),
      account('ben'),
    );
    expect(explanation).toMatchObject({
      plannedAction: 'unchanged',
      mapped: { attributes: { department: 'Marketing', manager: account('ann') } },
    });
  });

  it('renames every user in place when userName changes: a full read, same objectGUIDs, managers by the new name', async () => {
    const before = await users();
    const report = await sync({ ...MAPPING, userName: 'userPrincipalName' });
    expect(report.steps.find((s) => s.name === 'search')?.message).toContain(
      'full read: the settings changed',
    );
    expect(report.counts).toMatchObject({ updated: 2, created: 0, deleted: 0, conflicts: 0 });
    const after = await users();
    expect([...after.keys()].sort()).toEqual([`${account('ann')}@${domain}`, `${account('ben')}@${domain}`]);
    const ann = after.get(`${account('ann')}@${domain}`) as User;
    expect(ann.objectGuid).toBe(before.get(account('ann'))?.objectGuid);
    expect(ann.attributes?.manager).toBe(`${account('boss')}@${domain}`);
  });

  it("follows a renamed manager on an incremental run: the reports' manager field takes the new name", async () => {
    const byUpn = { ...MAPPING, userName: 'userPrincipalName' as const };
    const renamed = `${account('ann')}-new@${domain}`;
    // The report's own uSNChanged does not move: only the manager's does.
    await scratch.admin.modify(userDn('ann'), [replace('userPrincipalName', [renamed])]);
    const report = await sync(byUpn);
    expect(report.steps.find((s) => s.name === 'search')?.message).not.toContain('full read');
    expect(report.changes.map((c) => c.userName).sort()).toEqual([renamed, `${account('ben')}@${domain}`]);
    expect(report.changes.find((c) => c.userName === `${account('ben')}@${domain}`)?.changedFields).toEqual([
      'attributes.manager',
    ]);
    expect((await users()).get(`${account('ben')}@${domain}`)?.attributes?.manager).toBe(renamed);
  });

  it('follows a manager outside the base DN renamed: the database does not hold it, its reports are read again', async () => {
    const byUpn = { ...MAPPING, userName: 'userPrincipalName' as const };
    const chief = `${account('boss')}-chief@${domain}`;
    await scratch.admin.modify(userDn('boss', execs), [replace('userPrincipalName', [chief])]);
    const report = await sync(byUpn);
    expect(report.steps.find((s) => s.name === 'search')?.message).not.toContain('full read');
    expect(report.changes).toEqual([
      expect.objectContaining({
        action: 'update',
        userName: `${account('ann')}-new@${domain}`,
        changedFields: ['attributes.manager'],
      }),
    ]);
  });

  it('reads everything at every run while a rule reads memberOf (a back link: no uSNChanged of the user moves)', async () => {
    const withGroups = {
      userName: 'userPrincipalName' as const,
      attributes: { ...MAPPING.attributes, memberships: { from: 'memberOf', transform: 'all' as const } },
    };
    expect((await sync(withGroups)).steps.find((s) => s.name === 'search')?.message).toContain(
      'full read: the settings changed',
    );
    const again = await sync(withGroups);
    expect(again.steps.find((s) => s.name === 'search')?.message).toContain(
      "full read: the mapping reads memberof, which changes without the user's uSNChanged",
    );
    // Without it, runs are incremental again (after the full read of the changed settings).
    await sync({ ...MAPPING, userName: 'userPrincipalName' });
    const back = await sync({ ...MAPPING, userName: 'userPrincipalName' });
    expect(back.steps.find((s) => s.name === 'search')?.message).not.toContain('full read');
  });
});
