import { describe, expect, it } from 'vitest';
import { credentialCheckOf } from '../../../shared/domain/logon';
import type { User } from '../../../shared/domain/user';

const directoryUser: User = {
  userName: 'alice',
  fullName: 'Alice Archer',
  emailAddresses: ['alice@company.local'],
  authentication: 'directoryServices',
  distinguishedName: 'CN=Alice Archer,OU=Sales,DC=company,DC=local',
  userPrincipalName: 'alice@company.local',
  objectGuid: '7c1b9f7e-0000-4000-8000-000000000001',
  privileges: ['login', 'archiveEmail'],
  ownArchiveAccess: ['read'],
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
};
const { distinguishedName: _dn, userPrincipalName: _upn, objectGuid: _guid, ...rest } = directoryUser;
const localUser: User = { ...rest, userName: 'auditor', authentication: 'local' };

describe('credentialCheckOf', () => {
  it('checks a user whose login comes from a group rule, and refuses one whose rule is gone', () => {
    const byGroup: User = { ...directoryUser, privileges: ['archiveEmail'], groupPrivileges: ['login'] };
    expect(credentialCheckOf(byGroup, 'secret').by).toBe('directoryBind');
    expect(credentialCheckOf({ ...byGroup, groupPrivileges: [] }, 'secret')).toEqual({
      by: 'nothing',
      reason: 'noLoginPrivilege',
    });
  });

  it('binds as a directory user by userPrincipalName', () => {
    expect(credentialCheckOf(directoryUser, 'secret')).toEqual({
      by: 'directoryBind',
      bindName: 'alice@company.local',
    });
  });

  it('binds by distinguished name when the user has no userPrincipalName', () => {
    const { userPrincipalName: _, ...withoutUpn } = directoryUser;
    expect(credentialCheckOf(withoutUpn, 'secret')).toEqual({
      by: 'directoryBind',
      bindName: 'CN=Alice Archer,OU=Sales,DC=company,DC=local',
    });
  });

  it('refuses a directory user with neither name to bind as', () => {
    const { userPrincipalName: _, distinguishedName: __, ...nameless } = directoryUser;
    expect(credentialCheckOf(nameless, 'secret')).toEqual({ by: 'nothing', reason: 'noDirectoryName' });
  });

  it("checks a local user's password against the stored hash", () => {
    expect(credentialCheckOf(localUser, 'secret')).toEqual({ by: 'localHash' });
  });

  it('refuses an unknown user, a user without the login privilege and an empty password, checking nothing', () => {
    expect(credentialCheckOf(undefined, 'secret')).toEqual({ by: 'nothing', reason: 'unknownUser' });
    const noLogin = { ...directoryUser, privileges: ['archiveEmail'] as const };
    expect(credentialCheckOf(noLogin, 'secret')).toEqual({ by: 'nothing', reason: 'noLoginPrivilege' });
    expect(credentialCheckOf({ ...localUser, privileges: [] }, 'secret')).toEqual({
      by: 'nothing',
      reason: 'noLoginPrivilege',
    });
    // An empty simple bind is anonymous: never sent, for anyone.
    expect(credentialCheckOf(directoryUser, '')).toEqual({ by: 'nothing', reason: 'emptyPassword' });
    expect(credentialCheckOf(localUser, '')).toEqual({ by: 'nothing', reason: 'emptyPassword' });
  });

  it('takes a password with spaces, quotes and Unicode as it is', () => {
    expect(credentialCheckOf(directoryUser, ' ')).toMatchObject({ by: 'directoryBind' });
    expect(credentialCheckOf(directoryUser, ' Pä"ss\'wörd')).toMatchObject({ by: 'directoryBind' });
  });
});
