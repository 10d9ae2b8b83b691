import { FilterParser } from 'ldapts';
import { describe, expect, it } from 'vitest';
import { groupMemberFilter } from '../../../shared/adapters/ldap/ldap-directory-reader';

describe('groupMemberFilter', () => {
  it('escapes filter metacharacters of the group DN (RFC 4515)', () => {
    expect(groupMemberFilter('CN=x)(objectClass=*,OU=Groups,DC=company,DC=local').toString()).toBe(
      '(&(objectCategory=person)(objectClass=user)' +
        '(memberOf:1.2.840.113556.1.4.1941:=CN=x\\29\\28objectClass=\\2a,OU=Groups,DC=company,DC=local))',
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
