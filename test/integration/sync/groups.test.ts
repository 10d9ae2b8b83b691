/**
 * Groups, memberships and privileges by group (SPEC 8.2) against the Samba DC, read with the read-only
 * service account, kept in DynamoDB Local: nested groups and a cycle, a rename in AD, a member who leaves a
 * rule's group, a group deleted in AD, a rule naming something that is no group, and a user renamed in AD
 * read back by the pass under its new name while the objectGUID index lags (as AWS's may); Test Settings
 * listing who a removed rule would take privileges from.
 */

import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { Attribute, Change } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoGroupStore } from '../../../shared/adapters/dynamodb/dynamo-group-store';
import { userKey } from '../../../shared/adapters/dynamodb/keys';
import type { ConfigInput } from '../../../shared/config/config-schema';
import { mapDirectoryGroup } from '../../../shared/domain/group';
import type { Report } from '../../../shared/domain/report';
import type { User } from '../../../shared/domain/user';
import { planOneUser } from '../../../shared/use-cases/explain-user';
import { synchronize, testSettings } from '../../../shared/use-cases/sync-pipeline';
import { dynamoDbClient } from '../../support/clients';
import { lagGuidIndex } from '../../support/lagging-guid-index';
import { replace, userEntry } from '../../support/scratch-ou';
import { useScratchSync } from '../../support/scratch-sync';
import { fixtureConfig, servicePassword, withServiceSession } from '../../support/sync-harness';

const scratch = useScratchSync('Groups', { incremental: true });
const { dn: ou, tag } = scratch;
const userDn = (name: string) => `CN=Grp ${name},${ou}`;
const groupDn = (name: string) => `CN=${name} ${tag},${ou}`;
const userName = (name: string) => `grp-${tag}-${name}`;
const groupName = (name: string) => `${name.toLowerCase()}-${tag}`;

const client = dynamoDbClient();
const documents = DynamoDBDocumentClient.from(client);
let groups: DynamoGroupStore;
afterAll(() => client.destroy());

const rules = () => [
  {
    group: groupDn('Exporters'),
    privileges: ['login' as const, 'exportEmail' as const],
    ownArchiveAccess: ['write' as const],
  },
];
const config = (overrides: Omit<ConfigInput, 'connection'> = {}) =>
  fixtureConfig({
    connection: { baseDn: ou },
    defaultPrivileges: { privileges: ['archiveEmail'], ownArchiveAccess: ['read'] },
    groups: { sync: 'all' },
    privilegeRules: rules(),
    ...overrides,
  });
const sync = (overrides: Omit<ConfigInput, 'connection'> = {}): Promise<Report> =>
  synchronize(
    { ...scratch.harness.deps, groups },
    { config: config(overrides), password: servicePassword() },
  );
const user = (name: string) => scratch.harness.store.getUser(userName(name));
const groupsStep = (report: Report) => report.steps.find((s) => s.name === 'groups');
const storedNames = async () => (await groups.listGroups()).map((g) => g.name).sort();

beforeAll(async () => {
  groups = new DynamoGroupStore(client, scratch.harness.tableName);
  for (const name of ['u1', 'u2', 'u3', 'u4']) {
    await scratch.admin.add(
      userDn(name),
      userEntry({
        sAMAccountName: userName(name),
        displayName: `Grp ${name}`,
        mail: `${userName(name)}@company.local`,
      }),
    );
  }
  // Inner > u1; Outer > Inner, u2; Inner > Outer (a cycle); Exporters > Inner, u3; u4 in no group.
  await scratch.admin.add(groupDn('Inner'), {
    objectClass: ['top', 'group'],
    sAMAccountName: groupName('Inner'),
    member: [userDn('u1')],
  });
  await scratch.admin.add(groupDn('Outer'), {
    objectClass: ['top', 'group'],
    sAMAccountName: groupName('Outer'),
    description: 'everyone outside',
    mail: `outer-${tag}@company.local`,
    member: [groupDn('Inner'), userDn('u2')],
  });
  await scratch.admin.modify(groupDn('Inner'), [
    new Change({
      operation: 'add',
      modification: new Attribute({ type: 'member', values: [groupDn('Outer')] }),
    }),
  ]);
  await scratch.admin.add(groupDn('Exporters'), {
    objectClass: ['top', 'group'],
    sAMAccountName: groupName('Exporters'),
    // A universal distribution group.
    groupType: '8',
    member: [groupDn('Inner'), userDn('u3')],
  });
});

describe('groups from the directory', () => {
  it('synchronizes every group under the base DN with its direct members, and the users their groups through nesting', async () => {
    const report = await sync();
    expect(report.error).toBeUndefined();
    expect(groupsStep(report)).toMatchObject({ ok: true });
    expect(groupsStep(report)?.message).toContain('3 groups read, 3 synchronized: 3 created');
    expect(await storedNames()).toEqual(
      [groupName('Exporters'), groupName('Inner'), groupName('Outer')].sort(),
    );

    const outer = await groups.findGroup(groupName('Outer'));
    expect(outer).toMatchObject({
      displayName: `Outer ${tag}`,
      distinguishedName: groupDn('Outer'),
      description: 'everyone outside',
      emailAddresses: [`outer-${tag}@company.local`],
      kind: 'security',
      scope: 'global',
      memberCount: 2,
    });
    const inner = await groups.findGroup(groupName('Inner'));
    expect(await groups.membersOf(outer?.objectGuid as string)).toEqual([
      { type: 'user', name: userName('u2'), objectGuid: (await user('u2'))?.objectGuid },
      { type: 'group', name: groupName('Inner'), objectGuid: inner?.objectGuid },
    ]);
    expect(await groups.findGroup(groupName('Exporters'))).toMatchObject({
      kind: 'distribution',
      scope: 'universal',
    });

    // u1 is in Inner, so in Outer (Outer is in Inner too: a cycle, walked once) and in Exporters.
    expect((await user('u1'))?.groups).toEqual([
      groupName('Exporters'),
      groupName('Inner'),
      groupName('Outer'),
    ]);
    expect((await user('u2'))?.groups).toEqual([
      groupName('Exporters'),
      groupName('Inner'),
      groupName('Outer'),
    ]);
    expect((await user('u3'))?.groups).toEqual([groupName('Exporters')]);
    expect((await user('u4'))?.groups).toBeUndefined();
    // Created with them: one write each (version 1), its user.created naming them; no update followed.
    expect(groupsStep(report)?.message).toContain('; 0 users');
    const { Item: item } = await documents.send(
      new GetCommand({ TableName: scratch.harness.tableName, Key: userKey(userName('u1')) }),
    );
    expect(item).toMatchObject({ version: 1, lastChange: { kind: 'create', version: 1 } });
    expect(item?.lastChange.changedFields).toEqual(expect.arrayContaining(['groups', 'groupPrivileges']));
  });

  it('gives what the rule of a group gives, nested members included, and leaves the privileges as created', async () => {
    for (const name of ['u1', 'u2', 'u3']) {
      expect(await user(name)).toMatchObject({
        privileges: ['archiveEmail'],
        ownArchiveAccess: ['read'],
        groupPrivileges: ['login', 'exportEmail'],
        groupArchiveAccess: ['write'],
      });
    }
    expect((await user('u4'))?.groupPrivileges).toBeUndefined();
  });

  it('explains what the groups would give a user, and why: the rule and the chain of groups', async () => {
    const settings = config();
    await withServiceSession(scratch.harness.deps.directory, settings, async (session) => {
      const plan = (name: string) =>
        planOneUser({ session, config: settings, users: scratch.harness.store, now: new Date(), name });
      const { explanation } = await plan(userName('u1'));
      expect(explanation.membership).toEqual({
        groups: [groupName('Exporters'), groupName('Inner'), groupName('Outer')],
        groupPrivileges: ['login', 'exportEmail'],
        groupArchiveAccess: ['write'],
        rules: [
          {
            rule: 0,
            group: groupDn('Exporters'),
            privileges: ['login', 'exportEmail'],
            ownArchiveAccess: ['write'],
            via: [groupName('Inner'), groupName('Exporters')],
          },
        ],
      });
      expect((await plan(userName('u4'))).explanation.membership).toEqual({
        groups: [],
        groupPrivileges: [],
        groupArchiveAccess: [],
        rules: [],
      });
    });
  });

  it('reads no group and changes nothing on a run with no change in AD', async () => {
    const writes = scratch.harness.userWrites();
    const report = await sync();
    // Incremental: no group's uSNChanged moved and the same groups are there, so none is read.
    expect(groupsStep(report)?.message).toContain('no group changed since the last run');
    expect(scratch.harness.userWrites()).toBe(writes);
  });

  it('Test Settings lists the existing users a removed rule would take privileges from, once each, and writes nothing', async () => {
    const report = await testSettings(
      { ...scratch.harness.deps, groups },
      { config: config({ privilegeRules: [] }), password: servicePassword() },
    );
    expect(report.error).toBeUndefined();
    const listed = report.changes.filter((c) => c.userName.startsWith(`grp-${tag}-`));
    expect(listed.map((c) => c.userName).sort()).toEqual(['u1', 'u2', 'u3'].map(userName));
    for (const change of listed) {
      expect(change).toMatchObject({
        action: 'update',
        changedFields: ['groupPrivileges', 'groupArchiveAccess'],
        membership: { groupPrivileges: [], groupArchiveAccess: [], rules: [] },
      });
    }
    expect(listed.find((c) => c.userName === userName('u1'))?.membership?.groups).toEqual([
      groupName('Exporters'),
      groupName('Inner'),
      groupName('Outer'),
    ]);
    expect(report.counts.updated).toBe(0);
    expect(groupsStep(report)?.message).toContain("3 users' groups or group privileges to change");
    expect((await user('u1'))?.groupPrivileges).toEqual(['login', 'exportEmail']);
  });

  it('follows a rename in AD on the same group, and takes a rule away from a user who left its group', async () => {
    const before = await groups.findGroup(groupName('Outer'));
    await scratch.admin.modify(groupDn('Outer'), [replace('sAMAccountName', [groupName('Outer2')])]);
    await scratch.admin.modify(groupDn('Exporters'), [
      new Change({
        operation: 'delete',
        modification: new Attribute({ type: 'member', values: [userDn('u3')] }),
      }),
    ]);
    const report = await sync();
    expect(report.error).toBeUndefined();
    const renamed = await groups.findGroup(groupName('Outer2'));
    expect(renamed?.objectGuid).toBe(before?.objectGuid);
    expect(renamed?.version).toBe((before?.version ?? 0) + 1);
    expect(await groups.findGroup(groupName('Outer'))).toBeUndefined();
    expect((await user('u1'))?.groups).toEqual([
      groupName('Exporters'),
      groupName('Inner'),
      groupName('Outer2'),
    ]);
    expect(await user('u3')).toMatchObject({
      privileges: ['archiveEmail'],
      groups: [],
      groupPrivileges: [],
      groupArchiveAccess: [],
    });
  });

  it('refuses a rule naming something that is no group, and deletes nothing then', async () => {
    const report = await sync({ privilegeRules: [{ group: userDn('u4') }, { group: groupDn('Nowhere') }] });
    expect(report.status).toBe('failed');
    expect(report.error?.code).toBe('ValidationError');
    expect(groupsStep(report)?.message).toContain('privilegeRules.0.group');
    // One whose DN the directory does not have is no error: it gives nothing (below).
    expect(groupsStep(report)?.message).not.toContain('privilegeRules.1.group');
    expect(await storedNames()).toHaveLength(3);
  });

  it('takes a rule whose group is not in the directory (deleted, renamed) as giving nothing, and runs on', async () => {
    const report = await sync({ privilegeRules: [{ group: groupDn('Nowhere') }] });
    expect(report.error).toBeUndefined();
    expect(report.status).toBe('succeeded');
    expect(groupsStep(report)?.message).toContain(
      `privilegeRules.0.group: the directory has no ${groupDn('Nowhere')}`,
    );
    expect(await storedNames()).toHaveLength(3);
  });

  it('deletes a group deleted in AD, and its members lose it', async () => {
    await scratch.admin.del(groupDn('Outer'));
    const report = await sync();
    expect(report.error).toBeUndefined();
    expect(await storedNames()).toEqual([groupName('Exporters'), groupName('Inner')].sort());
    expect((await user('u2'))?.groups).toEqual([]);
    expect((await user('u1'))?.groups).toEqual([groupName('Exporters'), groupName('Inner')]);
  });

  it('writes creates many to a transaction: one refused (its group written meanwhile) leaves the others written', async () => {
    const made = (n: number) =>
      mapDirectoryGroup(
        {
          objectGuid: `00000000-0000-4000-a000-${String(n).padStart(12, '0')}`,
          distinguishedName: `CN=Made ${n},${ou}`,
          sAMAccountName: `made-${tag}-${n}`,
          proxyAddresses: [],
          groupType: -2147483646,
          members: [],
        },
        [{ type: 'user', name: userName('u1'), objectGuid: '00000000-0000-4000-a000-000000000099' }],
      );
    const context = { runId: 'groups-test', now: new Date().toISOString() };
    const create = (n: number) => ({ action: 'create' as const, target: made(n), changedFields: [] });
    expect(await groups.applyGroupChanges([create(2)], context)).toEqual({ applied: 1, conflicts: 0 });
    const result = await groups.applyGroupChanges([create(1), create(2), create(3)], context);
    expect(result).toEqual({ applied: 2, conflicts: 1 });
    const stored = (await groups.listGroups()).filter((g) => g.name.startsWith(`made-${tag}`));
    expect(stored.map((g) => g.name).sort()).toEqual([1, 2, 3].map((n) => made(n).name));
    expect(await groups.membersOf(made(3).objectGuid)).toEqual(made(3).members);
    // Gone again: the runs above know nothing of them.
    await groups.applyGroupChanges(
      stored.map((current) => ({ action: 'delete' as const, current })),
      context,
    );
  });

  it('reads back a user renamed in AD under its new name, with consistent reads: a lagging objectGUID index changes nothing', async () => {
    // A full read: the run lists the database, and its group pass reads back only the users the run moved.
    await scratch.harness.cursors.clearCursor();
    const store = scratch.harness.store;
    const before: User[] = [];
    for await (const page of store.userPages()) before.push(...page);
    // DynamoDB Local's index never lags; on AWS it may answer as the database was before the run.
    const lag = lagGuidIndex(store, before);
    try {
      await scratch.admin.modify(userDn('u1'), [replace('sAMAccountName', [userName('u1r')])]);
      const report = await sync();
      expect(report.error).toBeUndefined();
      expect(report.counts.updated).toBe(1);
      const inner = await groups.findGroup(groupName('Inner'));
      const members = await groups.membersOf(inner?.objectGuid as string);
      expect(members.filter((m) => m.type === 'user').map((m) => m.name)).toEqual([userName('u1r')]);
      expect((await user('u1r'))?.groups).toEqual([groupName('Exporters'), groupName('Inner')]);
      expect(await user('u1')).toBeUndefined();
      expect(lag.nameLookups.flat()).toContain(userName('u1r').toLowerCase());
    } finally {
      lag.restore();
    }
  });
});
