import { describe, expect, it } from 'vitest';
import type { DirectoryGroupEntry } from '../../../shared/domain/group';
import {
  MembershipIndex,
  type MemberUser,
  resolveMemberships,
} from '../../../shared/domain/group-membership';

const BASE = 'OU=Groups,DC=company,DC=local';
const guid = (n: number) => `00000000-0000-4000-9000-${String(n).padStart(12, '0')}`;
const dnOf = (name: string) => `CN=${name},${BASE}`;

/** A global security group whose members are the DNs given. */
const group = (
  n: number,
  name: string,
  members: string[] = [],
  overrides: Partial<DirectoryGroupEntry> = {},
) =>
  ({
    objectGuid: guid(n),
    distinguishedName: dnOf(name),
    sAMAccountName: name,
    proxyAddresses: [],
    groupType: -2147483646,
    members,
    ...overrides,
  }) satisfies DirectoryGroupEntry;

const user = (n: number, userName: string): MemberUser => ({
  objectGuid: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  userName,
  distinguishedName: `CN=${userName},OU=Staff,DC=company,DC=local`,
});

const alice = user(1, 'alice');
const bob = user(2, 'bob');
const carol = user(3, 'carol');

describe('resolveMemberships', () => {
  it('gives each user its groups through nesting, and each group its direct synchronized members', () => {
    // Staff > Sales > alice; Staff > bob; carol in no group.
    const groups = [
      group(1, 'Staff', [dnOf('Sales'), bob.distinguishedName, 'CN=PC1,OU=Computers,DC=company,DC=local']),
      group(2, 'Sales', [alice.distinguishedName.toUpperCase()]),
    ];
    const result = resolveMemberships({
      groups,
      users: [alice, bob, carol],
      synchronized: { all: true },
      rules: [],
    });
    expect(result.users.get(alice.objectGuid)?.groups).toEqual(['Sales', 'Staff']);
    expect(result.users.get(bob.objectGuid)?.groups).toEqual(['Staff']);
    expect(result.users.has(carol.objectGuid)).toBe(false);
    const staff = result.groups.find((g) => g.name === 'Staff');
    // The computer is no synchronized member; users come before groups.
    expect(staff?.members).toEqual([
      { type: 'user', name: 'bob', objectGuid: bob.objectGuid },
      { type: 'group', name: 'Sales', objectGuid: guid(2) },
    ]);
    expect(staff?.memberCount).toBe(2);
    expect(staff).toMatchObject({
      kind: 'security',
      scope: 'global',
      displayName: 'Staff',
      emailAddresses: [],
    });
  });

  it('walks a cycle once and ends', () => {
    // A > B > C > A, alice in C.
    const groups = [
      group(1, 'A', [dnOf('B')]),
      group(2, 'B', [dnOf('C')]),
      group(3, 'C', [dnOf('A'), alice.distinguishedName]),
    ];
    const result = resolveMemberships({ groups, users: [alice], synchronized: { all: true }, rules: [] });
    expect(result.users.get(alice.objectGuid)?.groups).toEqual(['A', 'B', 'C']);
  });

  it('synchronizes the selected groups and those nested in them only', () => {
    const groups = [
      group(1, 'Selected', [dnOf('Nested')]),
      group(2, 'Nested', [alice.distinguishedName]),
      group(3, 'Parent', [dnOf('Selected'), bob.distinguishedName]),
    ];
    const result = resolveMemberships({
      groups,
      users: [alice, bob],
      synchronized: { roots: [dnOf('Selected').toLowerCase()] },
      rules: [],
    });
    expect(result.groups.map((g) => g.name).sort()).toEqual(['Nested', 'Selected']);
    // Parent is read (a rule's group, say) but not synchronized: nobody shows it, and it lists no member.
    expect(result.users.get(alice.objectGuid)?.groups).toEqual(['Nested', 'Selected']);
    expect(result.users.has(bob.objectGuid)).toBe(false);
    expect(result.groups.find((g) => g.name === 'Nested')?.members).toHaveLength(1);
  });

  it('unites the rules of every group a user is in, nested included, and names them', () => {
    const groups = [
      group(1, 'Exporters', [dnOf('Auditors')]),
      group(2, 'Auditors', [alice.distinguishedName]),
      group(3, 'Archivers', [alice.distinguishedName, bob.distinguishedName]),
    ];
    const result = resolveMemberships({
      groups,
      users: [alice, bob],
      synchronized: { roots: [] },
      rules: [
        { group: dnOf('Exporters'), privileges: ['exportEmail', 'login'], ownArchiveAccess: [] },
        { group: dnOf('Archivers'), privileges: ['archiveEmail'], ownArchiveAccess: ['write'] },
        {
          group: 'CN=Nobody,OU=Groups,DC=company,DC=local',
          privileges: ['deleteMessages'],
          ownArchiveAccess: [],
        },
      ],
    });
    expect(result.users.get(alice.objectGuid)).toEqual({
      groups: [],
      groupPrivileges: ['login', 'archiveEmail', 'exportEmail'],
      groupArchiveAccess: ['write'],
      rules: [dnOf('Exporters'), dnOf('Archivers')],
    });
    expect(result.users.get(bob.objectGuid)?.groupPrivileges).toEqual(['archiveEmail']);
    expect(result.groups).toEqual([]);
    // A rule whose group was not read (no group of that DN) is named.
    expect(result.unknownRuleGroups).toEqual([2]);
  });

  it('tells the kind and scope from groupType', () => {
    const groups = [
      group(1, 'List', [], { groupType: 8, mail: 'list@company.local', description: ' the list ' }),
      group(2, 'Local', [], { groupType: -2147483644, displayName: 'Local admins' }),
    ];
    const [list, local] = resolveMemberships({
      groups,
      users: [],
      synchronized: { all: true },
      rules: [],
    }).groups;
    expect(list).toMatchObject({
      kind: 'distribution',
      scope: 'universal',
      emailAddresses: ['list@company.local'],
      description: 'the list',
    });
    expect(local).toMatchObject({ kind: 'security', scope: 'domainLocal', displayName: 'Local admins' });
  });
});

describe('MembershipIndex', () => {
  const rules = [
    { group: dnOf('Exporters'), privileges: ['exportEmail' as const], ownArchiveAccess: [] },
    { group: dnOf('Archivers'), privileges: ['archiveEmail' as const], ownArchiveAccess: ['write' as const] },
  ];

  it('explains each rule by the shortest chain of groups from the user up to its group, a cycle walked once', () => {
    // Exporters > Auditors > Team > alice; Team > Auditors (a cycle); bob in none.
    const index = new MembershipIndex({ all: true }, rules);
    index.add([group(1, 'Exporters', [dnOf('Auditors')]), group(2, 'Auditors', [dnOf('Team')])]);
    // A later page: Team, and Exporters again (a group read twice is taken once: its members here are not).
    index.add([
      group(3, 'Team', [alice.distinguishedName, dnOf('Auditors')]),
      group(1, 'Exporters', [dnOf('Team')]),
    ]);
    expect(index.size).toBe(3);
    expect(index.explain(alice.distinguishedName.toUpperCase())).toEqual({
      groups: ['Auditors', 'Exporters', 'Team'],
      groupPrivileges: ['exportEmail'],
      groupArchiveAccess: [],
      rules: [
        {
          rule: 0,
          group: dnOf('Exporters'),
          privileges: ['exportEmail'],
          ownArchiveAccess: [],
          via: ['Team', 'Auditors', 'Exporters'],
        },
      ],
    });
    expect(index.explain(bob.distinguishedName)).toEqual({
      groups: [],
      groupPrivileges: [],
      groupArchiveAccess: [],
      rules: [],
    });
    // Asked, the index takes no more groups.
    expect(() => index.add([group(4, 'Late', [])])).toThrow('groups added after the index was asked');
  });

  it('names a rule given directly by one group', () => {
    const index = new MembershipIndex({ roots: [] }, rules);
    index.add([group(1, 'Archivers', [alice.distinguishedName])]);
    expect(index.explain(alice.distinguishedName).rules).toEqual([
      {
        rule: 1,
        group: dnOf('Archivers'),
        privileges: ['archiveEmail'],
        ownArchiveAccess: ['write'],
        via: ['Archivers'],
      },
    ]);
    expect(index.synchronizedCount).toBe(0);
    expect(index.hasGroup(dnOf('Archivers'))).toBe(true);
    expect(index.hasGroup(alice.distinguishedName)).toBe(false);
    expect(index.hasGroup(dnOf('Nobody'))).toBe(false);
  });

  it('gives the synchronized groups in chunks of the size asked', () => {
    const index = new MembershipIndex({ all: true }, []);
    index.add([1, 2, 3, 4, 5].map((n) => group(n, `G${n}`, [alice.distinguishedName])));
    const id = index.idOf(alice.distinguishedName) as number;
    const chunks = [...index.synchronizedChunks((n) => (n === id ? alice : undefined), 2)];
    expect(chunks.map((c) => c.length)).toEqual([2, 2, 1]);
    expect(chunks[0]?.[0]?.members).toEqual([{ type: 'user', name: 'alice', objectGuid: alice.objectGuid }]);
  });
});
