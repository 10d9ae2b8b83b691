import { describe, expect, it } from 'vitest';
import { type PlanInput, planSync } from '../../../shared/domain/plan-sync';
import type { ExclusionReason } from '../../../shared/domain/scope-policy';
import type { MappedUser, User } from '../../../shared/domain/user';
import { aLocalUser } from '../../support/builders';

const guid = (n: number): string => `00000000-0000-0000-0000-${String(n).padStart(12, '0')}`;

const directory = (n: number, overrides: Partial<MappedUser> = {}): MappedUser => ({
  userName: `user${n}`,
  fullName: `User ${n}`,
  emailAddresses: [`user${n}@company.local`],
  distinguishedName: `CN=User ${n},OU=Staff,DC=company,DC=local`,
  userPrincipalName: `user${n}@company.local`,
  objectGuid: guid(n),
  ...overrides,
});

const stored = (n: number, overrides: Partial<User> = {}): User => ({
  ...directory(n),
  authentication: 'directoryServices',
  privileges: ['login', 'archiveEmail'],
  ownArchiveAccess: ['read'],
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  ...overrides,
});

const plan = (input: Partial<PlanInput>) =>
  planSync({ inScope: [], excluded: new Map(), current: [], ...input });

const actions = (p: ReturnType<typeof planSync>) => p.changes.map((c) => `${c.action}:${c.userName}`);

describe('planSync', () => {
  it('creates directory users that are new', () => {
    const result = plan({ inScope: [directory(2), directory(1)] });
    expect(actions(result)).toEqual(['create:user1', 'create:user2']);
  });

  it('leaves users whose maintained fields are equal unchanged', () => {
    const result = plan({ inScope: [directory(1)], current: [stored(1)] });
    expect(actions(result)).toEqual(['unchanged:user1']);
  });

  it.each([
    [{ fullName: 'New Name' }, ['fullName']],
    [{ emailAddresses: ['other@company.local'] }, ['emailAddresses']],
    [{ emailAddresses: ['user1@company.local', 'alias@company.local'] }, ['emailAddresses']],
    [{ distinguishedName: 'CN=User 1,OU=Moved,DC=company,DC=local' }, ['distinguishedName']],
    [{ userPrincipalName: 'u1@company.local' }, ['userPrincipalName']],
    [{ fullName: 'X', distinguishedName: 'CN=X,DC=company,DC=local' }, ['fullName', 'distinguishedName']],
  ])('updates %j and names the changed fields', (change, fields) => {
    const result = plan({ inScope: [directory(1, change)], current: [stored(1)] });
    expect(result.changes).toMatchObject([{ action: 'update', userName: 'user1', changedFields: fields }]);
  });

  it('follows a rename in AD by objectGUID: an update of the same user, never a duplicate', () => {
    const result = plan({ inScope: [directory(1, { userName: 'renamed' })], current: [stored(1)] });
    expect(result.changes).toMatchObject([
      { action: 'update', userName: 'renamed', changedFields: ['userName'] },
    ]);
  });

  it('treats a change of case in the name as an update, not a new user', () => {
    const result = plan({ inScope: [directory(1, { userName: 'USER1' })], current: [stored(1)] });
    expect(result.changes).toMatchObject([{ action: 'update', changedFields: ['userName'] }]);
  });

  it('reports a conflict and touches nothing when a local user holds the name', () => {
    const result = plan({ inScope: [directory(1)], current: [aLocalUser('User1')] });
    expect(result.changes).toMatchObject([
      // A lasting state, not one a later read resolves.
      { action: 'conflict', userName: 'user1', reason: expect.stringMatching(/local/), unsettled: false },
    ]);
  });

  it('reports a conflict when a rename in AD runs into a local user', () => {
    const result = plan({
      inScope: [directory(1, { userName: 'admin' })],
      current: [stored(1), aLocalUser('admin')],
    });
    expect(actions(result)).toEqual(['conflict:admin']);
  });

  it('adopts a directory user stored without an objectGUID (anchors it)', () => {
    const { objectGuid: _, ...unanchored } = stored(1);
    const result = plan({ inScope: [directory(1)], current: [unanchored] });
    expect(result.changes).toMatchObject([{ action: 'update', changedFields: ['objectGuid'] }]);
  });

  it('re-anchors a name whose AD account was recreated with a new objectGUID', () => {
    const result = plan({ inScope: [directory(2, { userName: 'user1' })], current: [stored(1)] });
    expect(result.changes).toMatchObject([{ action: 'update', userName: 'user1' }]);
    expect(result.changes[0]?.changedFields).toContain('objectGuid');
  });

  it('reports a conflict when another live directory object holds the name', () => {
    const excluded = new Map<string, ExclusionReason[]>([[guid(1), ['disabled']]]);
    const result = plan({ inScope: [directory(2, { userName: 'user1' })], excluded, current: [stored(1)] });
    expect(actions(result)).toEqual(['conflict:user1']);
    // It resolves when the other object is renamed or deleted: the next run must read everything.
    expect(result.changes[0]).toMatchObject({ unsettled: true });
  });
});

describe('planSync after an incremental read', () => {
  const current = [stored(1), stored(2), stored(3), aLocalUser('localonly')];
  const partial = (input: Partial<PlanInput>) => plan({ readComplete: false, current, ...input });

  it('plans only the users read: the others are neither changed nor gone', () => {
    const result = partial({ inScope: [directory(1, { fullName: 'Changed' })] });
    expect(actions(result)).toEqual(['update:user1']);
  });

  it('plans no deletes, not even for users read out of scope or deleted (the sweep decides those)', () => {
    const excluded = new Map<string, ExclusionReason[]>([[guid(2), ['disabled']]]);
    const result = partial({ excluded, deletedInDirectory: new Set([guid(3)]) });
    expect(result.changes).toEqual([]);
  });

  it('does not re-anchor a name whose current holder was simply not read', () => {
    const result = partial({ inScope: [directory(9, { userName: 'user1' })] });
    expect(result.changes).toMatchObject([
      { action: 'conflict', reason: expect.stringMatching(/next full read/) },
    ]);
  });

  it('re-anchors it when the holder is known to be deleted', () => {
    const result = partial({
      inScope: [directory(9, { userName: 'user1' })],
      deletedInDirectory: new Set([guid(1)]),
    });
    expect(result.changes[0]).toMatchObject({ action: 'update', userName: 'user1' });
  });
});

describe('planSync of suspended users', () => {
  const suspendedAt = '2026-11-01T00:00:00.000Z';

  it('restores a suspended user back in scope by its objectGUID, unchanged or not', () => {
    const result = plan({
      inScope: [directory(1), directory(2, { fullName: 'Back Again' })],
      current: [stored(1, { suspendedAt }), stored(2, { suspendedAt })],
    });
    expect(actions(result)).toEqual(['restore:user1', 'restore:user2']);
    expect(result.changes.map((c) => c.changedFields)).toEqual([[], ['fullName']]);
  });

  it('restores a suspended user renamed in the directory meanwhile, under its new name', () => {
    const result = plan({
      inScope: [directory(1, { userName: 'renamed1' })],
      current: [stored(1, { suspendedAt })],
    });
    expect(actions(result)).toEqual(['restore:renamed1']);
    expect(result.changes[0]?.changedFields).toEqual(['userName']);
  });

  it('restores a suspended user whose account was recreated under the same name', () => {
    const result = plan({
      inScope: [directory(7, { userName: 'user1' })],
      current: [stored(1, { suspendedAt })],
    });
    expect(actions(result)).toEqual(['restore:user1']);
    expect(result.changes[0]?.reason).toBe('the directory account was recreated under the same name');
  });

  it('never restores a suspended user whose name another directory user takes: a conflict', () => {
    const result = plan({
      inScope: [directory(1), directory(2, { userName: 'user1' })],
      current: [stored(1, { suspendedAt })],
    });
    expect(actions(result)).toEqual(['restore:user1', 'conflict:user1']);
  });
});
