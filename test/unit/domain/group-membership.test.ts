import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DirectoryGroupEntry } from '../../../shared/domain/group';
import {
  MembershipIndex,
  resolveMemberships,
  type SynchronizedGroups,
} from '../../../shared/domain/group-membership';
import { memberUser } from '../../support/in-memory-groups';

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

const alice = memberUser(1, 'alice');
const bob = memberUser(2, 'bob');
const carol = memberUser(3, 'carol');

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

describe('MembershipIndex nesting', () => {
  /** Users u0, u1, ... (DNs only: the index asks nothing else). */
  const userDn = (n: number) => `CN=u${n},OU=Staff,DC=company,DC=local`;
  /** Group names that sort as their numbers do. */
  const nameOf = (n: number) => `G${String(n).padStart(5, '0')}`;
  const names = (from: number, to: number) =>
    Array.from({ length: to - from + 1 }, (_, i) => nameOf(from + i));
  const indexOf = (groups: DirectoryGroupEntry[], synchronized: SynchronizedGroups = { all: true }) => {
    const index = new MembershipIndex(synchronized, [
      { group: dnOf(nameOf(1)), privileges: ['exportEmail'], ownArchiveAccess: [] },
    ]);
    index.add(groups);
    return index;
  };

  it('reads a cycle of 6,000 groups once, for every user that reaches it', () => {
    // G1 > G2 > ... > G6000 > G1, u_k directly in G_k; G0 above the cycle, G6001 beside it.
    const groups = Array.from({ length: 6_000 }, (_, i) =>
      group(i + 1, nameOf(i + 1), [dnOf(nameOf(i + 2 > 6_000 ? 1 : i + 2)), userDn(i + 1)]),
    );
    groups.push(group(6_001, nameOf(0), [dnOf(nameOf(3_000))]), group(6_002, nameOf(6_001), [userDn(1)]));
    const index = indexOf(groups);
    const cycle = names(0, 6_000);
    for (let k = 2; k <= 6_000; k += 1) {
      const { groups: found, rules } = index.membershipOf(userDn(k));
      // Every user asked (a walk per group would be 36 million steps); the lists compared in full now and then.
      if (k % 500 === 0) expect(found).toEqual(cycle);
      else if (found.length !== cycle.length || found[0] !== nameOf(0) || found.at(-1) !== nameOf(6_000))
        throw new Error(`u${k}: ${found.length} groups`);
      if (rules.length !== 1) throw new Error(`u${k}: ${rules.length} rules`);
    }
    // u1 is in the cycle and in G6001, which is nested in nothing.
    expect(index.membershipOf(userDn(1)).groups).toEqual(names(0, 6_001));
  });

  it('follows a chain 10,000 groups deep, with a user on every level', () => {
    // G1 > G2 > ... > G10000 (each group holds the next), u_k directly in G_k.
    const depth = 10_000;
    const groups = Array.from({ length: depth }, (_, i) =>
      group(i + 1, nameOf(i + 1), [...(i + 1 < depth ? [dnOf(nameOf(i + 2))] : []), userDn(i + 1)]),
    );
    const index = indexOf(groups);
    expect(index.membershipOf(userDn(depth)).groups).toEqual(names(1, depth));
    expect(index.membershipOf(userDn(5_000)).groups).toEqual(names(1, 5_000));
    expect(index.membershipOf(userDn(1)).groups).toEqual([nameOf(1)]);
    // Every level asked: the rule at the top reaches each user, through every group above it.
    const rules = indexOf(groups, { roots: [] });
    for (let k = 1; k <= depth; k += 1) {
      const membership = rules.membershipOf(userDn(k));
      if (membership.rules.length !== 1 || membership.groups.length !== 0)
        throw new Error(`u${k}: ${JSON.stringify(membership)}`);
    }
    expect(rules.explain(userDn(3)).rules[0]?.via).toEqual([nameOf(3), nameOf(2), nameOf(1)]);
  });

  it('counts a group reached along several paths once (diamonds)', () => {
    // G1 holds G2 and G3, both hold G4; G4 and G2 hold u1; G5 holds G1 and G4 (a shortcut over the diamond).
    const index = indexOf([
      group(1, nameOf(1), [dnOf(nameOf(2)), dnOf(nameOf(3))]),
      group(2, nameOf(2), [dnOf(nameOf(4)), userDn(1)]),
      group(3, nameOf(3), [dnOf(nameOf(4))]),
      group(4, nameOf(4), [userDn(1), userDn(2)]),
      group(5, nameOf(5), [dnOf(nameOf(1)), dnOf(nameOf(4))]),
    ]);
    expect(index.membershipOf(userDn(1)).groups).toEqual(names(1, 5));
    expect(index.membershipOf(userDn(2)).groups).toEqual(names(1, 5));
    expect(index.explain(userDn(2)).rules[0]?.via).toEqual([nameOf(4), nameOf(2), nameOf(1)]);
  });

  it('lists a group as its own member only when the directory does (a self-loop, a two-group cycle)', () => {
    const index = indexOf([
      group(1, nameOf(1), [dnOf(nameOf(1)), userDn(1)]),
      group(2, nameOf(2), [dnOf(nameOf(3))]),
      group(3, nameOf(3), [dnOf(nameOf(2)), userDn(2)]),
    ]);
    expect(index.membershipOf(userDn(1)).groups).toEqual([nameOf(1)]);
    expect(index.membershipOf(userDn(2)).groups).toEqual([nameOf(2), nameOf(3)]);
    const members = new Map(
      [...index.synchronizedChunks(() => undefined, 10)]
        .flat()
        .map((g) => [g.name, g.members.map((m) => m.name)]),
    );
    expect(members).toEqual(
      new Map([
        [nameOf(1), [nameOf(1)]],
        [nameOf(2), [nameOf(3)]],
        [nameOf(3), [nameOf(2)]],
      ]),
    );
  });

  it('gives every user the groups a walk up the members finds, whatever the nesting', () => {
    // Up to 12 groups with random nesting (cycles, self-loops, diamonds) and 6 users in random groups, against
    // a plain walk of each user's groups.
    const shapes = fc.record({
      nestings: fc.array(fc.tuple(fc.nat(11), fc.nat(11)), { maxLength: 40 }),
      memberships: fc.array(fc.tuple(fc.nat(11), fc.nat(5)), { maxLength: 30 }),
      roots: fc.uniqueArray(fc.nat(11), { maxLength: 3 }),
    });
    fc.assert(
      fc.property(shapes, ({ nestings, memberships, roots }) => {
        const members = (g: number) => [
          ...nestings.filter(([parent]) => parent === g).map(([, child]) => dnOf(nameOf(child))),
          ...memberships.filter(([inGroup]) => inGroup === g).map(([, u]) => userDn(u)),
        ];
        const groups = Array.from({ length: 12 }, (_, g) => group(g + 1, nameOf(g), members(g)));
        const index = indexOf(groups, { roots: roots.map((g) => dnOf(nameOf(g))) });
        const synchronized = walk(roots, (g) => nestings.filter(([p]) => p === g).map(([, c]) => c));
        for (let u = 0; u < 6; u += 1) {
          const direct = memberships.filter(([, v]) => v === u).map(([g]) => g);
          const all = walk(direct, (g) => nestings.filter(([, c]) => c === g).map(([p]) => p));
          const expected = [...all]
            .filter((g) => synchronized.has(g))
            .sort((a, b) => a - b)
            .map(nameOf);
          expect(index.membershipOf(userDn(u)).groups).toEqual(expected);
          expect(index.membershipOf(userDn(u)).rules).toEqual(all.has(1) ? [dnOf(nameOf(1))] : []);
        }
      }),
    );
  });
});

/** The nodes reached from `from` (included) through `next`, each once. */
function walk(from: readonly number[], next: (node: number) => number[]): Set<number> {
  const seen = new Set(from);
  const stack = [...from];
  for (let node = stack.pop(); node !== undefined; node = stack.pop())
    for (const other of next(node))
      if (!seen.has(other)) {
        seen.add(other);
        stack.push(other);
      }
  return seen;
}
