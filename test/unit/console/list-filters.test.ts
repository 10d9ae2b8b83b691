import { describe, expect, it } from 'vitest';
import {
  filterChanges,
  filterExclusions,
  filterGroups,
  filterUsers,
  matchesSearch,
} from '../../../console/src/list-filters';
import type { Group, ReportChange, User } from '../../../console/src/types';

const change = (
  action: ReportChange['action'],
  userName: string,
  fullName: string,
  emails: string[] = [],
) => ({
  action,
  userName,
  fullName,
  emailAddresses: emails,
  changedFields: action === 'update' ? ['fullName'] : [],
});

const changes: ReportChange[] = [
  change('create', 'jsmith', 'Smith, John', ['john.smith@company.local']),
  change('create', 'mmüller', 'Müller, Maria', ['maria.mueller@company.local']),
  change('update', 'bbaker', 'Baker, Bob'),
  change('delete', 'gone', 'Gone, Long'),
];

const user = (userName: string, authentication: User['authentication']): User => ({
  userName,
  fullName: userName.toUpperCase(),
  emailAddresses: [`${userName}@company.local`],
  authentication,
  privileges: ['login'],
  ownArchiveAccess: ['read'],
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-01T00:00:00Z',
  groups: [],
  groupPrivileges: [],
  groupArchiveAccess: [],
  effectivePrivileges: ['login'],
  attributes: {},
});

describe('matchesSearch', () => {
  it('needs every word somewhere, ignoring case', () => {
    expect(matchesSearch('JOHN smith', ['Smith, John'])).toBe(true);
    expect(matchesSearch('john baker', ['Smith, John'])).toBe(false);
    expect(matchesSearch('  ', ['anything'])).toBe(true);
  });
});

describe('filterChanges', () => {
  it('filters by action and searches names, addresses and changed fields', () => {
    expect(filterChanges(changes, { action: 'create', search: '' }).map((c) => c.userName)).toEqual([
      'jsmith',
      'mmüller',
    ]);
    expect(filterChanges(changes, { action: 'all', search: 'müller' }).map((c) => c.userName)).toEqual([
      'mmüller',
    ]);
    expect(filterChanges(changes, { action: 'all', search: 'fullname' }).map((c) => c.userName)).toEqual([
      'bbaker',
    ]);
    expect(filterChanges(changes, { action: 'delete', search: 'smith' })).toEqual([]);
  });
});

describe('filterExclusions', () => {
  it('finds users by their reasons as shown', () => {
    const excluded = [
      { userName: 'off', distinguishedName: 'CN=Off,DC=x', reasons: ['disabled' as const] },
      { userName: 'nomail', distinguishedName: 'CN=No Mail,DC=x', reasons: ['noEmailAddress' as const] },
    ];
    expect(filterExclusions(excluded, 'disabled').map((e) => e.userName)).toEqual(['off']);
    expect(filterExclusions(excluded, 'email').map((e) => e.userName)).toEqual(['nomail']);
  });
});

describe('filterUsers', () => {
  it('tells directory users from local ones', () => {
    const users = [user('jsmith', 'directoryServices'), user('admin', 'local')];
    expect(filterUsers(users, { search: '', source: 'local' }).map((u) => u.userName)).toEqual(['admin']);
    expect(filterUsers(users, { search: 'JSMITH', source: 'all' }).map((u) => u.userName)).toEqual([
      'jsmith',
    ]);
    expect(filterUsers(users, { search: 'jsmith', source: 'local' })).toEqual([]);
  });
});

describe('filterGroups', () => {
  const group = (name: string, description?: string): Group => ({
    name,
    displayName: name.toUpperCase(),
    distinguishedName: `CN=${name},OU=Groups,DC=company,DC=local`,
    objectGuid: '00000000-0000-4000-9000-000000000001',
    ...(description ? { description } : {}),
    emailAddresses: [`${name}@company.local`],
    kind: 'security',
    scope: 'global',
    memberCount: 0,
  });

  it('finds groups by name, display name, description, DN and address', () => {
    const groups = [group('sales', 'the sellers'), group('eng')];
    expect(filterGroups(groups, 'SELLERS').map((g) => g.name)).toEqual(['sales']);
    expect(filterGroups(groups, 'eng@company').map((g) => g.name)).toEqual(['eng']);
    expect(filterGroups(groups, 'ou=groups').map((g) => g.name)).toEqual(['sales', 'eng']);
    expect(filterGroups(groups, '')).toHaveLength(2);
  });
});
