import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../shared/config/config-schema';
import { type PlanInput, planSync, thresholdExceeded } from '../../../shared/domain/plan-sync';
import type { ExclusionReason } from '../../../shared/domain/scope-policy';
import type { MappedUser, User } from '../../../shared/domain/user';

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

const local = (userName: string): User => ({
  userName,
  fullName: userName,
  emailAddresses: [],
  authentication: 'local',
  privileges: ['login'],
  ownArchiveAccess: ['read'],
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
});

const options = (o: object = {}) =>
  parseConfig({ connection: { domain: 'company.local' }, options: o }).options;

const plan = (input: Partial<PlanInput>) =>
  planSync({ inScope: [], excluded: new Map(), current: [], options: options(), ...input });

const actions = (p: ReturnType<typeof planSync>) => p.changes.map((c) => `${c.action}:${c.userName}`);

describe('planSync', () => {
  it('creates directory users that are new', () => {
    const result = plan({ inScope: [directory(2), directory(1)] });
    expect(actions(result)).toEqual(['create:user1', 'create:user2']);
    expect(result.counts).toEqual({ created: 2, updated: 0, deleted: 0, unchanged: 0, conflicts: 0 });
  });

  it('leaves users whose maintained fields are equal unchanged', () => {
    const result = plan({ inScope: [directory(1)], current: [stored(1)] });
    expect(actions(result)).toEqual(['unchanged:user1']);
    expect(result.counts.unchanged).toBe(1);
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
    expect(result.counts.created).toBe(0);
  });

  it('treats a change of case in the name as an update, not a new user', () => {
    const result = plan({ inScope: [directory(1, { userName: 'USER1' })], current: [stored(1)] });
    expect(result.changes).toMatchObject([{ action: 'update', changedFields: ['userName'] }]);
  });

  it('reports a conflict and touches nothing when a local user holds the name', () => {
    const result = plan({ inScope: [directory(1)], current: [local('User1')] });
    expect(result.changes).toMatchObject([
      // A lasting state, not one a later read resolves.
      { action: 'conflict', userName: 'user1', reason: expect.stringMatching(/local/), unsettled: false },
    ]);
    expect(result.counts.conflicts).toBe(1);
  });

  it('reports a conflict when a rename in AD runs into a local user', () => {
    const result = plan({
      inScope: [directory(1, { userName: 'admin' })],
      current: [stored(1), local('admin')],
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

  describe('deletes', () => {
    const current = [stored(1), stored(2), stored(3), stored(4), stored(5), local('localonly')];

    it('deletes nothing while deleteUsers is off', () => {
      const result = plan({ inScope: [directory(1)], current });
      expect(actions(result)).toEqual(['unchanged:user1']);
      expect(result.counts.deleted).toBe(0);
    });

    it('deletes directory users no longer returned, with the reason, and never a local user', () => {
      const excluded = new Map<string, ExclusionReason[]>([[guid(2), ['disabled', 'notInSelectedGroups']]]);
      const result = plan({
        inScope: [directory(1), directory(3), directory(4), directory(5)],
        excluded,
        current,
        options: options({ deleteUsers: true, deletionThreshold: { maxPercent: 100 } }),
      });
      expect(result.changes.filter((c) => c.action === 'delete')).toMatchObject([
        { userName: 'user2', reason: 'out of scope: disabled, notInSelectedGroups', withheld: false },
      ]);
      const gone = plan({
        inScope: [directory(1), directory(2), directory(4), directory(5)],
        current,
        options: options({ deleteUsers: true, deletionThreshold: { maxPercent: 100 } }),
      });
      expect(gone.changes.find((c) => c.action === 'delete')).toMatchObject({
        userName: 'user3',
        reason: 'no longer returned by the directory',
      });
      expect(gone.changes.some((c) => c.userName === 'localonly')).toBe(false);
    });

    it('withholds every delete above maxCount and says so', () => {
      const result = plan({
        inScope: [directory(1), directory(2)],
        current,
        options: options({ deleteUsers: true, deletionThreshold: { maxCount: 2, maxPercent: 100 } }),
      });
      expect(result.deletionThresholdExceeded).toBe('3 deletes exceed the maximum of 2');
      expect(result.counts.deleted).toBe(0);
      expect(result.changes.filter((c) => c.action === 'delete')).toHaveLength(3);
      expect(
        result.changes.filter((c) => c.action === 'delete').every((c) => c.action === 'delete' && c.withheld),
      ).toBe(true);
    });

    it('applies exactly maxCount deletes (the limit is "above")', () => {
      const result = plan({
        inScope: [directory(1), directory(2), directory(3)],
        current,
        options: options({ deleteUsers: true, deletionThreshold: { maxCount: 2, maxPercent: 100 } }),
      });
      expect(result.deletionThresholdExceeded).toBeUndefined();
      expect(result.counts.deleted).toBe(2);
    });

    it('withholds deletes above maxPercent of the directory users in the database', () => {
      const atLimit = plan({
        inScope: [directory(2), directory(3), directory(4), directory(5)],
        current,
        options: options({ deleteUsers: true, deletionThreshold: { maxCount: 100, maxPercent: 20 } }),
      });
      expect(atLimit.counts.deleted).toBe(1);
      const above = plan({
        inScope: [directory(3), directory(4), directory(5)],
        current,
        options: options({ deleteUsers: true, deletionThreshold: { maxCount: 100, maxPercent: 20 } }),
      });
      expect(above.deletionThresholdExceeded).toMatch(
        /2 of 5 directory users \(40\.0%\) exceed the maximum of 20%/,
      );
    });

    it('withholds deletes when the directory suddenly returns nobody', () => {
      const result = plan({ current, options: options({ deleteUsers: true }) });
      expect(result.deletionThresholdExceeded).toBeDefined();
      expect(result.counts.deleted).toBe(0);
    });

    it('applies deletes above the threshold once when mass deletion is allowed', () => {
      const result = plan({ current, options: options({ deleteUsers: true }), allowMassDeletion: true });
      expect(result.deletionThresholdExceeded).toBeUndefined();
      expect(result.counts.deleted).toBe(5);
    });

    it('still creates and updates when deletes are withheld', () => {
      const result = plan({
        inScope: [directory(1, { fullName: 'Changed' }), directory(9)],
        current,
        options: options({ deleteUsers: true, deletionThreshold: { maxCount: 0 } }),
      });
      expect(result.counts).toMatchObject({ created: 1, updated: 1, deleted: 0 });
      expect(result.deletionThresholdExceeded).toBeDefined();
    });
  });
});

describe('thresholdExceeded', () => {
  const limits = (maxCount: number, maxPercent: number) =>
    options({ deletionThreshold: { maxCount, maxPercent } });

  it.each([
    [0, 10, limits(0, 0), false],
    [1, 10, limits(0, 100), true],
    [1, 10, limits(1, 10), false],
    [2, 10, limits(5, 10), true],
    [1, 0, limits(5, 100), false],
    [1, 0, limits(5, 99), true],
  ])('%i deletes of %i users under %j exceeds: %s', (deletes, population, opts, expected) => {
    expect(thresholdExceeded(deletes, population, opts) !== undefined).toBe(expected);
  });
});

describe('planSync after an incremental read', () => {
  const current = [stored(1), stored(2), stored(3), local('localonly')];
  const partial = (input: Partial<PlanInput>) =>
    plan({
      readComplete: false,
      current,
      options: options({ deleteUsers: true, deletionThreshold: { maxPercent: 100 } }),
      ...input,
    });

  it('takes users that were not read as unchanged, not as gone', () => {
    const result = partial({ inScope: [directory(1, { fullName: 'Changed' })] });
    expect(actions(result)).toEqual(['update:user1']);
    expect(result.counts).toMatchObject({ updated: 1, deleted: 0, unchanged: 2 });
  });

  it('deletes users read out of scope and users whose tombstone was read', () => {
    const excluded = new Map<string, ExclusionReason[]>([[guid(2), ['disabled']]]);
    const result = partial({ excluded, deletedInDirectory: new Set([guid(3)]) });
    expect(result.changes.map((c) => [c.action, c.userName, c.reason])).toEqual([
      ['delete', 'user2', 'out of scope: disabled'],
      ['delete', 'user3', 'no longer returned by the directory'],
    ]);
    expect(result.counts.unchanged).toBe(1);
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
