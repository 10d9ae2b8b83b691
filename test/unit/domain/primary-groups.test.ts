import { describe, expect, it } from 'vitest';
import type { DirectoryGroupEntry } from '../../../shared/domain/group';
import { MembershipIndex, type MemberUser } from '../../../shared/domain/group-membership';
import { directoryGroup, memberUser } from '../../support/in-memory-groups';

const DOMAIN = 'S-1-5-21-1004336348-1177238915-682003330';
const OTHER_DOMAIN = 'S-1-5-21-2000000000-2000000000-2000000000';
const BASE = 'CN=Users,DC=company,DC=local';
const dnOf = (name: string) => `CN=${name},${BASE}`;

/** A global security group of the domain with this RID. */
const group = (rid: number, name: string, members: string[] = [], domain = DOMAIN): DirectoryGroupEntry => ({
  ...directoryGroup(rid, dnOf(name), members),
  objectSid: `${domain}-${rid}`,
});
const alice = memberUser(1, 'alice');
const bob = memberUser(2, 'bob');
const carol = memberUser(3, 'carol');
const primary = (member: MemberUser, rid: number, domain = DOMAIN) => ({
  distinguishedName: member.distinguishedName,
  groupSid: `${domain}-${rid}`,
});
const byId = (index: MembershipIndex, users: readonly MemberUser[]) => (id: number) =>
  users.find((u) => index.idOf(u.distinguishedName) === id);

describe('MembershipIndex: primary groups (primaryGroupID)', () => {
  const rule = {
    group: dnOf('Domain Users'),
    privileges: ['login' as const],
    ownArchiveAccess: ['read' as const],
  };

  it('makes a user a direct member of the group whose objectSid is its primary group, listed or not', () => {
    const index = new MembershipIndex({ all: true }, [rule]);
    index.add([group(513, 'Domain Users'), group(1105, 'Sales', [carol.distinguishedName])]);
    index.addPrimaryMembers([primary(alice, 513), primary(bob, 513), primary(carol, 1105)]);
    expect(index.membershipOf(alice.distinguishedName)).toEqual({
      groups: ['Domain Users'],
      groupPrivileges: ['login'],
      groupArchiveAccess: ['read'],
      rules: [dnOf('Domain Users')],
    });
    // carol: Sales both by `member` and as her primary group: counted once.
    expect(index.membershipOf(carol.distinguishedName).groups).toEqual(['Sales']);
    const groups = [...index.synchronizedChunks(byId(index, [alice, bob, carol]), 10)].flat();
    const domainUsers = groups.find((g) => g.name === 'Domain Users');
    expect(domainUsers?.memberCount).toBe(2);
    expect(domainUsers?.members.map((m) => m.name)).toEqual(['alice', 'bob']);
    expect(groups.find((g) => g.name === 'Sales')?.members.map((m) => m.name)).toEqual(['carol']);
    expect(index.explain(bob.distinguishedName).rules).toEqual([
      {
        rule: 0,
        group: dnOf('Domain Users'),
        privileges: ['login'],
        ownArchiveAccess: ['read'],
        via: ['Domain Users'],
      },
    ]);
  });

  it('follows nesting above the primary group', () => {
    // Everyone > Domain Users (by `member`); alice's primary group is Domain Users.
    const everyone = { group: dnOf('Everyone'), privileges: ['exportEmail' as const], ownArchiveAccess: [] };
    const index = new MembershipIndex({ roots: [dnOf('Everyone')] }, [everyone]);
    index.add([group(1200, 'Everyone', [dnOf('Domain Users')]), group(513, 'Domain Users')]);
    index.addPrimaryMembers([primary(alice, 513)]);
    expect(index.explain(alice.distinguishedName)).toMatchObject({
      groups: ['Domain Users', 'Everyone'],
      groupPrivileges: ['exportEmail'],
      rules: [{ rule: 0, via: ['Domain Users', 'Everyone'] }],
    });
  });

  it('matches the whole SID: a group of another domain with the same RID, or no group read, gives nothing', () => {
    const index = new MembershipIndex({ all: true }, []);
    index.add([group(513, 'Domain Users', [], OTHER_DOMAIN), group(1105, 'Sales')]);
    index.addPrimaryMembers([primary(alice, 513), primary(bob, 4242)]);
    expect(index.membershipOf(alice.distinguishedName).groups).toEqual([]);
    expect(index.membershipOf(bob.distinguishedName).groups).toEqual([]);
    expect(index.memberIdsOf(0)).toEqual(new Int32Array([]));
    expect(new Set(index.groupSids)).toEqual(new Set([`${OTHER_DOMAIN}-513`, `${DOMAIN}-1105`]));
  });

  it('takes them over several pages, a user in one group of many, and no more once asked', () => {
    const index = new MembershipIndex({ all: true }, []);
    index.add([group(513, 'Domain Users'), group(1105, 'Sales', [alice.distinguishedName])]);
    const users = Array.from({ length: 3000 }, (_, i) => memberUser(10 + i, `u${i}`));
    for (let i = 0; i < users.length; i += 1000)
      index.addPrimaryMembers(
        users.slice(i, i + 1000).map((u, j) => primary(u, (i + j) % 3 === 0 ? 1105 : 513)),
      );
    expect(index.memberIdsOf(0).length).toBe(2000);
    expect(index.memberIdsOf(1).length).toBe(1001);
    expect(index.membershipOf('CN=u3,OU=Staff,DC=company,DC=local').groups).toEqual(['Sales']);
    expect(index.membershipOf('CN=U4,OU=STAFF,DC=company,DC=local').groups).toEqual(['Domain Users']);
    expect(() => index.addPrimaryMembers([primary(bob, 513)])).toThrow(
      'members added after the index was asked',
    );
  });
});
