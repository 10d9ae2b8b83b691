/** What the Runs page says of the change watch: a failing one says why and when it tries again. */
import { describe, expect, it } from 'vitest';
import { describeWatch } from '../../../console/src/watch-text';

describe('describeWatch', () => {
  it('says where it watches, and the last change', () => {
    const { failing, text } = describeWatch({
      state: 'watching',
      since: '2026-12-06T12:00:00Z',
      server: 'dc1:636',
      namingContext: 'DC=company,DC=local',
      lastChangeAt: '2026-12-06T12:05:00Z',
    });
    expect(failing).toBe(false);
    expect(text).toMatch(
      /^Changes in seconds: watching DC=company,DC=local on dc1:636 since .*; last change /,
    );
  });

  it('shows a failing watch as a failure, with why and when it tries again', () => {
    const { failing, text } = describeWatch({
      state: 'failing',
      since: '2026-12-06T12:00:00Z',
      failures: 3,
      error: { code: 'Unreachable', message: 'dc1:636 cannot be reached' },
      retryAt: '2026-12-06T12:00:04Z',
    });
    expect(failing).toBe(true);
    expect(text).toBe(
      'Changes in seconds are failing: dc1:636 cannot be reached (3 in a row). It tries again at 2026-12-06 12:00 UTC; the schedule still runs.',
    );
  });

  it('flags a watch that is on but not running, and says when it connects', () => {
    expect(describeWatch({ state: 'off', since: '2026-12-06T12:00:00Z' }).failing).toBe(true);
    expect(describeWatch({ state: 'connecting', since: '2026-12-06T12:00:00Z' })).toEqual({
      failing: false,
      text: 'Changes in seconds: connecting to the directory…',
    });
  });
});
