/**
 * Primary groups (AD's primaryGroupID: Domain Users for a new user) count as direct membership (SPEC 8.2),
 * against the Samba DC and DynamoDB Local: a privilege rule on Domain Users gives every user its privileges and
 * Domain Users its members; a user whose primary group moves to another group follows on an incremental run;
 * `filters.groups` on Domain Users selects its users; Test Settings and explain say the same.
 */

import { Attribute, Change } from 'ldapts';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DynamoGroupStore } from '../../../shared/adapters/dynamodb/dynamo-group-store';
import type { ConfigInput } from '../../../shared/config/config-schema';
import { sidText } from '../../../shared/domain/attribute-values';
import type { Report } from '../../../shared/domain/report';
import { planOneUser } from '../../../shared/use-cases/explain-user';
import { synchronize, testSettings } from '../../../shared/use-cases/sync-pipeline';
import { dynamoDbClient } from '../../support/clients';
import { replace, userEntry } from '../../support/scratch-ou';
import { useScratchSync } from '../../support/scratch-sync';
import { fixtureConfig, servicePassword, withServiceSession } from '../../support/sync-harness';

const scratch = useScratchSync('Primary', { incremental: true });
const { dn: ou, tag } = scratch;
const usersDn = `CN=Users,${inject('directory').baseDn}`;
const domainUsersDn = `CN=Domain Users,${usersDn}`;
const userDn = (name: string) => `CN=Pg ${name},${ou}`;
const userName = (name: string) => `pg-${tag}-${name}`;
const teamDn = `CN=Team ${tag},${ou}`;
const teamName = `team-${tag}`;

const client = dynamoDbClient();
let groups: DynamoGroupStore;
afterAll(() => client.destroy());

const config = (overrides: Omit<ConfigInput, 'connection'> = {}) =>
  fixtureConfig({
    connection: { baseDn: ou },
    defaultPrivileges: { privileges: ['archiveEmail'], ownArchiveAccess: [] },
    // Every group of the domain: Domain Users (CN=Users) and Team (in the OU) among them.
    groups: { sync: 'all', baseDn: inject('directory').baseDn },
    privilegeRules: [
      { group: domainUsersDn, privileges: ['login'], ownArchiveAccess: ['read'] },
      { group: teamDn, privileges: ['exportEmail'], ownArchiveAccess: [] },
    ],
    ...overrides,
  });
const deps = () => ({ ...scratch.harness.deps, groups });
const sync = (overrides: Omit<ConfigInput, 'connection'> = {}): Promise<Report> =>
  synchronize(deps(), { config: config(overrides), password: servicePassword() });
const user = (name: string) => scratch.harness.store.getUser(userName(name));
const groupsStep = (report: Report) => report.steps.find((s) => s.name === 'groups');
const membersOf = async (name: string) => {
  const group = await groups.findGroup(name);
  return group
    ? { memberCount: group.memberCount, members: await groups.membersOf(group.objectGuid) }
    : undefined;
};
/** An attribute of one object, as Administrator reads it. */
const read = async (dn: string, attribute: string) => {
  const { searchEntries } = await scratch.admin.search(dn, {
    scope: 'base',
    attributes: [attribute],
    explicitBufferAttributes: ['objectSid'],
  });
  return searchEntries[0]?.[attribute];
};
const memberChange = (operation: 'add' | 'delete', group: string, member: string) =>
  scratch.admin.modify(group, [
    new Change({ operation, modification: new Attribute({ type: 'member', values: [member] }) }),
  ]);
let teamRid = '';

beforeAll(async () => {
  groups = new DynamoGroupStore(client, scratch.harness.tableName);
  for (const name of ['u1', 'u2'])
    await scratch.admin.add(
      userDn(name),
      userEntry({
        sAMAccountName: userName(name),
        displayName: `Pg ${name}`,
        mail: `${userName(name)}@company.local`,
      }),
    );
  await scratch.admin.add(teamDn, { objectClass: ['top', 'group'], sAMAccountName: teamName });
  const sid = sidText(new Uint8Array((await read(teamDn, 'objectSid')) as Buffer));
  teamRid = sid.slice(sid.lastIndexOf('-') + 1);
});

afterAll(async () => {
  // Team cannot be deleted while it is u2's primary group: Domain Users again first.
  if ((await read(userDn('u2'), 'primaryGroupID')) === teamRid) {
    await memberChange('add', domainUsersDn, userDn('u2')).catch(() => {});
    await scratch.admin.modify(userDn('u2'), [replace('primaryGroupID', ['513'])]);
  }
});

describe('primary groups (primaryGroupID)', () => {
  it('Samba gives a new user Domain Users (513) as primary group, listed by neither member nor memberOf', async () => {
    expect(await read(userDn('u1'), 'primaryGroupID')).toBe('513');
    expect(await read(userDn('u1'), 'memberOf')).toEqual([]);
    expect([(await read(domainUsersDn, 'member')) ?? []].flat()).not.toContain(userDn('u1'));
  });

  it('makes every user a member of Domain Users: its groups, the rule on it, its members', async () => {
    const report = await sync();
    expect(report.error).toBeUndefined();
    expect(groupsStep(report)).toMatchObject({ ok: true });
    expect(groupsStep(report)?.message).toContain(
      `privilegeRules.0 (${domainUsersDn}) gives login, read own archive to 2 users`,
    );
    // Users (CN=Builtin: S-1-5-32-545) lists Domain Users as a member: nested, the users are in it too.
    for (const name of ['u1', 'u2'])
      expect(await user(name)).toMatchObject({
        groups: ['Domain Users', 'Users'],
        privileges: ['archiveEmail'],
        groupPrivileges: ['login'],
        groupArchiveAccess: ['read'],
      });
    expect(await membersOf('Domain Users')).toEqual({
      memberCount: 2,
      members: ['u1', 'u2'].map((name) => ({
        type: 'user',
        name: userName(name),
        objectGuid: expect.any(String),
      })),
    });
  });

  it('explains the membership, and Test Settings gives a new user the rule through Domain Users', async () => {
    const settings = config();
    await withServiceSession(scratch.harness.deps.directory, settings, async (session) => {
      const { explanation } = await planOneUser({
        session,
        config: settings,
        users: scratch.harness.store,
        now: new Date(),
        name: userName('u1'),
      });
      expect(explanation.membership?.rules).toEqual([
        {
          rule: 0,
          group: domainUsersDn,
          privileges: ['login'],
          ownArchiveAccess: ['read'],
          via: ['Domain Users'],
        },
      ]);
    });
    await scratch.admin.add(
      userDn('u3'),
      userEntry({
        sAMAccountName: userName('u3'),
        displayName: 'Pg u3',
        mail: `${userName('u3')}@company.local`,
      }),
    );
    try {
      const report = await testSettings(deps(), { config: settings, password: servicePassword() });
      expect(report.error).toBeUndefined();
      expect(report.changes.find((c) => c.userName === userName('u3'))).toMatchObject({
        action: 'create',
        membership: {
          groups: ['Domain Users', 'Users'],
          groupPrivileges: ['login'],
          groupArchiveAccess: ['read'],
        },
      });
    } finally {
      await scratch.admin.del(userDn('u3'));
    }
  });

  it('follows a primary group moved to another group on an incremental run (the DC moves the member values)', async () => {
    await memberChange('add', teamDn, userDn('u2'));
    const usnBefore = Number(await read(teamDn, 'uSNChanged'));
    await scratch.admin.modify(userDn('u2'), [replace('primaryGroupID', [teamRid])]);
    // The change moves the groups' uSNChanged: an incremental run reads the groups again.
    expect(Number(await read(teamDn, 'uSNChanged'))).toBeGreaterThan(usnBefore);
    // As MS-SAMR 3.1.1.8.2 says: the old primary group lists u2 now, the new one does not.
    expect([(await read(domainUsersDn, 'member')) ?? []].flat()).toContain(userDn('u2'));
    expect([(await read(teamDn, 'member')) ?? []].flat()).not.toContain(userDn('u2'));
    // u2 leaves Domain Users: Team (its primary group) is its one group.
    await memberChange('delete', domainUsersDn, userDn('u2'));
    const report = await sync();
    expect(report.error).toBeUndefined();
    expect(report.steps.find((step) => step.name === 'search')?.message).toMatch(/users changed since USN/);
    expect(await user('u2')).toMatchObject({ groups: [teamName] });
    expect((await user('u2'))?.groupPrivileges).toEqual(['exportEmail']);
    expect((await membersOf(teamName))?.members.map((m) => m.name)).toEqual([userName('u2')]);
    expect((await membersOf('Domain Users'))?.members.map((m) => m.name)).toEqual([userName('u1')]);
  });

  it('counts the users of Domain Users as its members for filters.groups, by their primary group', async () => {
    const settings = config();
    await withServiceSession(scratch.harness.deps.directory, settings, async (session) => {
      // u1's primary group is Domain Users; u2's is Team now, and Domain Users no longer lists it.
      const guids = await session.readGroupMemberGuids(ou, domainUsersDn);
      expect(guids).toEqual(new Set([(await user('u1'))?.objectGuid]));
      expect(await session.isGroupMember(userDn('u1'), domainUsersDn)).toBe(true);
      expect(await session.isGroupMember(userDn('u2'), domainUsersDn)).toBe(false);
      expect(await session.readGroupMemberGuids(ou, teamDn)).toEqual(
        new Set([(await user('u2'))?.objectGuid]),
      );
    });
  });

  it('explains filters.groups membership through the primary group, also one nested in the selected group', async () => {
    // u1: Domain Users by primaryGroupID only; u2: Team by primaryGroupID, Team nested in Outer.
    const outerDn = `CN=Outer ${tag},${ou}`;
    await scratch.admin.add(outerDn, {
      objectClass: ['top', 'group'],
      sAMAccountName: `outer-${tag}`,
      member: [teamDn],
    });
    const groupsVerdict = async (name: string, selected: string) => {
      const settings = config({ filters: { groups: [selected] } });
      return withServiceSession(scratch.harness.deps.directory, settings, async (session) => {
        const { explanation } = await planOneUser({
          session,
          config: settings,
          users: scratch.harness.store,
          now: new Date(),
          name: userName(name),
        });
        return explanation.filters.find((f) => f.filter === 'groups');
      });
    };
    expect(await groupsVerdict('u1', domainUsersDn)).toEqual({
      filter: 'groups',
      passed: true,
      state: 'passed',
      detail: 'member through Domain Users (primary group)',
    });
    expect(await groupsVerdict('u2', outerDn)).toEqual({
      filter: 'groups',
      passed: true,
      state: 'passed',
      detail: `member through Team ${tag} (primary group) → Outer ${tag}`,
    });
    // u2 left Domain Users (the test before): its primary group does not make it a member of it.
    expect((await groupsVerdict('u2', domainUsersDn))?.detail).toBe('member of none of: Domain Users');
    expect((await groupsVerdict('u1', outerDn))?.detail).toBe(`member of none of: Outer ${tag}`);
  });
});
