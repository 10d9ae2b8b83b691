import { FilterParser } from 'ldapts';
import { describe, expect, it } from 'vitest';
import { changedContainersFilter, referencingFilter } from '../../../shared/adapters/ldap/change-searches';
import {
  primaryGroupSearch,
  toPrimaryGroupMembers,
} from '../../../shared/adapters/ldap/group-member-searches';
import { groupGuidsFilter } from '../../../shared/adapters/ldap/group-searches';
import {
  groupMemberFilter,
  userLookupFilter,
  usersByDnFilter,
} from '../../../shared/adapters/ldap/user-searches';

describe('groupMemberFilter', () => {
  it('escapes filter metacharacters of the group DN (RFC 4515)', () => {
    expect(groupMemberFilter('CN=x)(objectClass=*,OU=Groups,DC=company,DC=local').toString()).toBe(
      '(&(memberOf:1.2.840.113556.1.4.1941:=CN=x\\29\\28objectClass=\\2a,OU=Groups,DC=company,DC=local)' +
        '(objectCategory=person)(objectClass=user))',
    );
  });

  it.each([
    'CN=*,OU=Groups,DC=company,DC=local',
    'CN=Back\\\\Slash (x),OU=Groups,DC=company,DC=local',
    'CN=Nul\u0000Byte,DC=company,DC=local',
    'CN=Jürgen Müller,DC=company,DC=local',
  ])('keeps %j as one value: the filter text parses back to the same DN', (dn) => {
    const parsed = FilterParser.parseString(groupMemberFilter(dn).toString());
    expect(parsed.toString()).toBe(groupMemberFilter(dn).toString());
    expect(JSON.stringify(parsed)).toContain(JSON.stringify(dn).slice(1, -1));
  });
});

describe('primary groups (primaryGroupID)', () => {
  it("finds a group's members by the rule in chain or by the RIDs of it and its nested groups", () => {
    expect(groupMemberFilter('CN=Domain Users,CN=Users,DC=company,DC=local', [513, 1105]).toString()).toBe(
      '(&(|(memberOf:1.2.840.113556.1.4.1941:=CN=Domain Users,CN=Users,DC=company,DC=local)' +
        '(primaryGroupID=513)(primaryGroupID=1105))(objectCategory=person)(objectClass=user))',
    );
  });

  it("reads every user's objectSid and primaryGroupID, or only those of some RIDs", () => {
    expect(primaryGroupSearch('sub').filter.toString()).toBe('(&(objectCategory=person)(objectClass=user))');
    expect(primaryGroupSearch('sub', [513]).filter.toString()).toBe(
      '(&(|(primaryGroupID=513))(objectCategory=person)(objectClass=user))',
    );
    expect(primaryGroupSearch('sub', { except: 513 }).filter.toString()).toBe(
      '(&(!(primaryGroupID=513))(objectCategory=person)(objectClass=user))',
    );
    expect(primaryGroupSearch('base').attributes).toEqual(['objectSid', 'primaryGroupID']);
  });

  it("names the primary group by the user's domain SID and the RID; an entry without them has none", () => {
    // S-1-5-21-1-2-3-1104: revision 1, 5 sub-authorities, authority 5.
    const sid = Buffer.from([
      1, 5, 0, 0, 0, 0, 0, 5, 21, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 0x50, 4, 0, 0,
    ]);
    const dn = 'CN=alice,OU=Staff,DC=company,DC=local';
    expect(toPrimaryGroupMembers([{ dn, objectSid: sid, primaryGroupID: '513' }])).toEqual([
      { distinguishedName: dn, groupSid: 'S-1-5-21-1-2-3-513' },
    ]);
    // One the account may not read has no primary group here; the others are kept.
    const hidden = 'CN=admin,OU=Staff,DC=company,DC=local';
    expect(
      toPrimaryGroupMembers([
        { dn: hidden, objectSid: sid, primaryGroupID: [] },
        { dn: hidden, objectSid: [], primaryGroupID: '513' },
        { dn, objectSid: sid, primaryGroupID: '1105' },
      ]),
    ).toEqual([{ distinguishedName: dn, groupSid: 'S-1-5-21-1-2-3-1105' }]);
  });
});

describe('userLookupFilter', () => {
  it('puts a name into the sAMAccountName and userPrincipalName filters as a value (RFC 4515-escaped)', () => {
    expect(userLookupFilter({ kind: 'accountName', name: '*)(cn=x\\' }).toString()).toBe(
      '(&(|(sAMAccountName=\\2a\\29\\28cn=x\\5c)(userPrincipalName=\\2a\\29\\28cn=x\\5c))' +
        '(objectCategory=person)(objectClass=user))',
    );
  });

  it('searches an objectGUID as its 16 bytes, in the order AD stores them', () => {
    expect(
      userLookupFilter({ kind: 'objectGuid', objectGuid: '8e1b6a0c-3f0e-4d5a-9a3c-1f2e3d4c5b6a' }).toString(),
    ).toBe(
      '(&(objectGUID=\\0c\\6a\\1b\\8e\\0e\\3f\\5a\\4d\\9a\\3c\\1f\\2e\\3d\\4c\\5b\\6a)' +
        '(objectCategory=person)(objectClass=user))',
    );
  });
});

describe('usersByDnFilter', () => {
  it("puts each DN a mapping reads by (a manager's) into an equality filter as a value (RFC 4515-escaped)", () => {
    expect(usersByDnFilter(['CN=A,DC=x', 'CN=x)(objectClass=*,DC=x']).toString()).toBe(
      '(&(|(distinguishedName=CN=A,DC=x)(distinguishedName=CN=x\\29\\28objectClass=\\2a,DC=x))' +
        '(objectCategory=person)(objectClass=user))',
    );
  });
});

describe('groupGuidsFilter', () => {
  it('asks for every group, or (the USN term first, as for users) those changed since a USN', () => {
    expect(groupGuidsFilter().toString()).toBe('(objectCategory=group)');
    expect(groupGuidsFilter(42).toString()).toBe('(&(uSNChanged>=42)(objectCategory=group))');
  });
});

describe('what an incremental run looks for besides the users', () => {
  it('OUs and plain containers changed since a USN, the USN term first', () => {
    expect(changedContainersFilter(5721).toString()).toBe(
      '(&(uSNChanged>=5721)(|(objectCategory=organizationalUnit)(objectCategory=container)))',
    );
  });

  it('the users naming a DN in a rule attribute, the DN escaped as a value (RFC 4515)', () => {
    const dn = 'CN=x)(objectClass=*,OU=Staff,DC=company,DC=local';
    expect(referencingFilter(['manager', 'secretary'], [dn]).toString()).toBe(
      '(&(|(manager=CN=x\\29\\28objectClass=\\2a,OU=Staff,DC=company,DC=local)' +
        '(secretary=CN=x\\29\\28objectClass=\\2a,OU=Staff,DC=company,DC=local))' +
        '(objectCategory=person)(objectClass=user))',
    );
  });
});
