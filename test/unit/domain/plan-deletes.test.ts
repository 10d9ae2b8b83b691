import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../shared/config/config-schema';
import { type DeleteInput, planDeletes, thresholdExceeded } from '../../../shared/domain/plan-deletes';
import type { User } from '../../../shared/domain/user';

const user = (n: number, authentication: User['authentication'] = 'directoryServices'): User => ({
  userName: `user${n}`,
  fullName: `User ${n}`,
  emailAddresses: [`user${n}@company.local`],
  authentication,
  ...(authentication === 'directoryServices'
    ? { objectGuid: `00000000-0000-0000-0000-${String(n).padStart(12, '0')}` }
    : {}),
  privileges: ['login'],
  ownArchiveAccess: ['read'],
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
});

const options = (o: object = {}) =>
  parseConfig({ connection: { domain: 'company.local' }, options: { deleteUsers: true, ...o } }).options;

const gone = (...ns: number[]) =>
  ns.map((n) => ({ user: user(n), reason: 'no longer returned by the directory' }));

const decide = (input: Partial<DeleteInput>) =>
  planDeletes({ candidates: [], options: options(), population: 10, now: new Date(), ...input });

const names = (changes: readonly { userName: string }[]) => changes.map((c) => c.userName);

describe('planDeletes', () => {
  it('deletes nothing while deleteUsers is off', () => {
    const decision = decide({ candidates: gone(1), options: options({ deleteUsers: false }) });
    expect(decision).toEqual({ apply: [], withheld: [], waiting: [], note: '' });
  });

  it('deletes the candidates with their reason, and never a local user', () => {
    const decision = decide({
      candidates: [
        { user: user(1), reason: 'out of scope: disabled, notInSelectedGroups' },
        { user: user(2, 'local'), reason: 'no longer returned by the directory' },
      ],
    });
    expect(decision.apply).toMatchObject([
      {
        action: 'delete',
        userName: 'user1',
        reason: 'out of scope: disabled, notInSelectedGroups',
        withheld: false,
      },
    ]);
    expect(decision.withheld).toEqual([]);
    expect(decision.note).toBe('');
  });

  it('withholds every delete above maxCount and says so', () => {
    const decision = decide({
      candidates: gone(1, 2, 3),
      options: options({ deletionThreshold: { maxCount: 2, maxPercent: 100 } }),
    });
    expect(decision.apply).toEqual([]);
    expect(decision.withheldBecause).toEqual({
      reason: 'threshold',
      exceeded: 'maxCount',
      deletes: 3,
      directoryUsers: 10,
      maxCount: 2,
      maxPercent: 100,
    });
    expect(decision.withheldCount).toBe(3);
    expect(
      decision.withheld.every(
        (c) => c.withheld && c.reason?.endsWith('withheld: 3 deletes exceed the maximum of 2'),
      ),
    ).toBe(true);
    expect(decision.note).toBe('; deletes withheld: 3 deletes exceed the maximum of 2');
  });

  it('applies exactly maxCount deletes (the limit is "above")', () => {
    const decision = decide({
      candidates: gone(1, 2),
      options: options({ deletionThreshold: { maxCount: 2, maxPercent: 100 } }),
    });
    expect(names(decision.apply)).toEqual(['user1', 'user2']);
  });

  it('withholds deletes above maxPercent of the directory users in the database before the run', () => {
    const limits = options({ deletionThreshold: { maxCount: 100, maxPercent: 20 } });
    expect(decide({ candidates: gone(1, 2), options: limits }).apply).toHaveLength(2);
    const over = decide({ candidates: gone(1, 2, 3), options: limits });
    expect(over.withheldBecause).toMatchObject({ reason: 'threshold', exceeded: 'maxPercent', deletes: 3 });
    expect(over.note).toBe('; deletes withheld: 3 of 10 directory users (30.0%) exceed the maximum of 20%');
  });

  it('withholds deletes when the database held no directory users to take a percentage of', () => {
    const none = decide({ candidates: gone(1), population: 0 });
    expect(none.withheldBecause).toMatchObject({ exceeded: 'maxPercent', directoryUsers: 0 });
    expect(none.note).toMatch(/1 of 0 directory users \(100\.0%\)/);
  });

  it('counts the deletes earlier invocations of the run made against the threshold', () => {
    const limits = options({ deletionThreshold: { maxCount: 3, maxPercent: 100 } });
    expect(decide({ candidates: gone(1, 2), options: limits, earlierDeletes: 1 }).apply).toHaveLength(2);
    const over = decide({ candidates: gone(1, 2), options: limits, earlierDeletes: 2 });
    expect(over).toMatchObject({
      apply: [],
      withheldCount: 4,
      withheldBecause: { reason: 'threshold', exceeded: 'maxCount', deletes: 4, maxCount: 3 },
    });
  });

  it("keeps the first invocation's decision to withhold, even under the threshold now", () => {
    const earlier = thresholdExceeded(
      9,
      10,
      options({ deletionThreshold: { maxCount: 5, maxPercent: 100 } }),
    );
    const decision = decide({ candidates: gone(1), ...(earlier ? { earlierWithheld: earlier } : {}) });
    expect(decision.apply).toEqual([]);
    expect(decision.withheldBecause).toEqual(earlier);
    expect(decision.note).toBe('; deletes withheld: 9 deletes exceed the maximum of 5');
  });

  it('applies deletes above the threshold when approved for exactly their count, and says so', () => {
    const limits = options({ deletionThreshold: { maxCount: 1, maxPercent: 100 } });
    const decision = decide({ candidates: gone(1, 2, 3), options: limits, approvedDeletes: 3 });
    expect(names(decision.apply)).toEqual(['user1', 'user2', 'user3']);
    expect(decision.note).toBe(
      '; allowMassDeletion applies deletes above the threshold this once: 3 deletes exceed the maximum of 1',
    );
  });

  it.each([2, 4])('withholds them again when the approval was for another count (%i)', (approved) => {
    const limits = options({ deletionThreshold: { maxCount: 1, maxPercent: 100 } });
    const decision = decide({ candidates: gone(1, 2, 3), options: limits, approvedDeletes: approved });
    expect(decision.apply).toEqual([]);
    expect(decision.withheldBecause).toMatchObject({ deletes: 3, approvedDeletes: approved });
    expect(decision.note).toContain(`allowMassDeletion approved ${approved} deletes; this run found 3`);
  });

  it('applies no deletes at all when refused, approved or not, under the threshold or not', () => {
    const refused = { reason: 'configurationChanged', startedOn: 1, savedSince: 2 } as const;
    for (const approvedDeletes of [undefined, 1]) {
      const decision = decide({
        candidates: gone(1),
        refused,
        ...(approvedDeletes ? { approvedDeletes } : {}),
      });
      expect(decision).toMatchObject({ apply: [], withheldBecause: refused, withheldCount: 1 });
      expect(decision.note).toBe(
        '; deletes withheld: the configuration changed during the run (version 1 to 2); its deletes are not applied: run a sync again with the new configuration',
      );
    }
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

describe('planDeletes with a grace period', () => {
  const now = new Date('2026-11-25T12:00:00.000Z');
  const daysAgo = (days: number) => new Date(now.getTime() - days * 24 * 60 * 60 * 1000).toISOString();
  const suspended = (n: number, since: string): User => ({ ...user(n), suspendedAt: since });
  const graced = (o: object = {}) => options({ deletionGraceDays: 30, ...o });

  it('suspends instead of deleting a user not yet suspended', () => {
    const decision = decide({ candidates: gone(1, 2), options: graced(), now });
    expect(decision.apply.map((c) => [c.action, c.userName])).toEqual([
      ['suspend', 'user1'],
      ['suspend', 'user2'],
    ]);
    expect(decision.apply[0]?.reason).toBe('no longer returned by the directory');
  });

  it('deletes a user suspended at least deletionGraceDays ago, and leaves one suspended since less', () => {
    const decision = decide({
      candidates: [
        { user: suspended(1, daysAgo(30)), reason: 'no longer returned by the directory' },
        { user: suspended(2, daysAgo(29.9)), reason: 'no longer returned by the directory' },
      ],
      options: graced(),
      now,
    });
    expect(decision.apply.map((c) => [c.action, c.userName])).toEqual([['delete', 'user1']]);
    expect(decision.waiting.map((c) => c.user.userName)).toEqual(['user2']);
  });

  it('deletes a suspended user at once when the grace period is set back to 0', () => {
    const decision = decide({
      candidates: [{ user: suspended(1, daysAgo(1)), reason: 'gone' }],
      options: options({ deletionGraceDays: 0 }),
      now,
    });
    expect(decision.apply.map((c) => c.action)).toEqual(['delete']);
  });

  it('counts suspensions against the threshold, with the deletes, and withholds them together', () => {
    const decision = decide({
      candidates: [
        ...gone(1, 2),
        { user: suspended(3, daysAgo(40)), reason: 'gone' },
        { user: suspended(4, daysAgo(1)), reason: 'gone' },
      ],
      options: graced({ deletionThreshold: { maxCount: 2, maxPercent: 100 } }),
      now,
    });
    expect(decision.apply).toEqual([]);
    expect(decision.withheld.map((c) => [c.action, c.userName, c.withheld])).toEqual([
      ['suspend', 'user1', true],
      ['suspend', 'user2', true],
      ['delete', 'user3', true],
    ]);
    expect(decision.withheldCount).toBe(3);
    // The one still waiting is no removal this run, so it does not count.
    expect(decision.waiting.map((c) => c.user.userName)).toEqual(['user4']);
  });

  it('suspends nobody while deleteUsers is off', () => {
    const decision = decide({ candidates: gone(1), options: graced({ deleteUsers: false }), now });
    expect(decision.apply).toEqual([]);
  });
});
