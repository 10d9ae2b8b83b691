/** Whether a bind could lock an AD account (domain/account-lockout.ts), and AD's time formats it reads. */
import { describe, expect, it } from 'vitest';
import {
  type AccountStanding,
  bindSafety,
  countingBadPasswords,
  fileTimeDate,
  intervalSeconds,
} from '../../../shared/domain/account-lockout';

const NOW = new Date('2026-12-06T12:00:00.000Z');
const secondsAgo = (seconds: number): Date => new Date(NOW.getTime() - seconds * 1000);

const standing = (overrides: Partial<AccountStanding> = {}): AccountStanding => ({
  server: 'dc1:636',
  objectGuid: '00000000-0000-4000-8000-000000000001',
  distinguishedName: 'CN=Alice,DC=company,DC=local',
  namingContext: 'DC=company,DC=local',
  policy: { threshold: 4, observationWindowSeconds: 1800 },
  badPwdCount: 0,
  lockedOut: false,
  readAt: NOW,
  ...overrides,
});

describe('bindSafety', () => {
  it('is safe while one more bad password stays below the threshold', () => {
    for (const badPwdCount of [0, 1, 2]) {
      expect(bindSafety(standing({ badPwdCount, badPasswordTime: secondsAgo(5) }), NOW)).toEqual({
        safe: true,
      });
    }
  });

  it('is not at threshold - 1, until the observation window has passed since the last bad password', () => {
    expect(bindSafety(standing({ badPwdCount: 3, badPasswordTime: secondsAgo(100) }), NOW)).toEqual({
      safe: false,
      why: 'oneMoreLocks',
      retryAfterSeconds: 1700,
    });
    expect(bindSafety(standing({ badPwdCount: 3, badPasswordTime: secondsAgo(1800) }), NOW)).toEqual({
      safe: true,
    });
  });

  it('is never safe with a threshold of 1 (any bad password locks), and always with 0 (AD never locks)', () => {
    const policy = (threshold: number) => ({ threshold, observationWindowSeconds: 60 });
    expect(bindSafety(standing({ policy: policy(1) }), NOW)).toMatchObject({ safe: false });
    expect(bindSafety(standing({ policy: policy(0), badPwdCount: 99, badPasswordTime: NOW }), NOW)).toEqual({
      safe: true,
    });
  });

  it('is not safe for a locked-out account, whatever the threshold', () => {
    expect(
      bindSafety(standing({ lockedOut: true, policy: { threshold: 0, observationWindowSeconds: 60 } }), NOW),
    ).toEqual({
      safe: false,
      why: 'lockedOut',
      retryAfterSeconds: 60,
    });
  });

  it('counts a count without a time (not known to have expired), and none for a count of 0', () => {
    expect(countingBadPasswords(standing({ badPwdCount: 3 }), NOW)).toBe(3);
    expect(bindSafety(standing({ badPwdCount: 3 }))).toMatchObject({ safe: false, why: 'oneMoreLocks' });
    expect(countingBadPasswords(standing({ badPwdCount: 0, badPasswordTime: NOW }), NOW)).toBe(0);
    expect(countingBadPasswords(standing({ badPwdCount: 2, badPasswordTime: secondsAgo(1799) }), NOW)).toBe(
      2,
    );
  });
});

describe('bindSafety on the DC clock', () => {
  it("judges the window on the DC's time (readAt), not the caller's", () => {
    // The DC is 5 minutes behind the caller: on the caller's clock the window has passed, on the DC's not.
    const dcNow = secondsAgo(300);
    const atThresholdMinusOne = standing({
      badPwdCount: 3,
      badPasswordTime: new Date(dcNow.getTime() - 1700 * 1000),
      readAt: dcNow,
    });
    expect(bindSafety(atThresholdMinusOne, NOW)).toEqual({ safe: true });
    expect(bindSafety(atThresholdMinusOne)).toEqual({
      safe: false,
      why: 'oneMoreLocks',
      retryAfterSeconds: 100,
    });
  });
});

describe("AD's times", () => {
  it('reads intervals as negative 100 ns counts', () => {
    expect(intervalSeconds('-18000000000')).toBe(1800);
    expect(intervalSeconds('0')).toBe(0);
    expect(() => intervalSeconds('30 minutes')).toThrow(/not an AD interval/);
  });

  it('reads FILETIMEs as dates, 0 as never', () => {
    expect(fileTimeDate('0')).toBeUndefined();
    // 2026-12-06T12:00:00Z: (ms since 1970 + 11644473600000) * 10000.
    expect(fileTimeDate(String((NOW.getTime() + 11_644_473_600_000) * 10_000))).toEqual(NOW);
    expect(() => fileTimeDate('-1')).toThrow(/not an AD time/);
  });
});
