/** What the Synchronize-now page says of a deletion-threshold stop (console/src/threshold-text.ts). */
import { describe, expect, it } from 'vitest';
import { describeThresholdStop } from '../../../console/src/threshold-text';
import type { ChangeAction, Report } from '../../../console/src/types';

/** A removal's reason when the run held it back (withheldReason): words for people, not what is read. */
const HELD = 'no longer returned by the directory; withheld: 3 deletes exceed the deletion threshold';

const change = (action: ChangeAction, userName: string, reason?: string, withheld = false) => ({
  action,
  userName,
  fullName: userName,
  emailAddresses: [],
  changedFields: [],
  ...(reason !== undefined ? { reason } : {}),
  ...(withheld ? { withheld: true as const } : {}),
});

/** A stopped run's report: `actions` as planned (its removals held back), `applied` by earlier invocations. */
const stopped = (actions: ChangeAction[], deletesWithheld?: number, applied: ChangeAction[] = []): Report =>
  ({
    runId: 'r1',
    dryRun: false,
    status: 'deletionThresholdExceeded',
    trigger: 'api',
    startedAt: '2026-12-06T10:00:00.000Z',
    finishedAt: '2026-12-06T10:00:01.000Z',
    steps: [],
    counts: {},
    excluded: [],
    changes: [
      ...actions.map((action, i) =>
        action === 'delete' || action === 'suspend'
          ? change(action, `user${i}`, HELD, true)
          : change(action, `user${i}`),
      ),
      ...applied.map((action, i) => change(action, `earlier${i}`, 'no longer returned by the directory')),
    ],
    ...(deletesWithheld !== undefined ? { deletesWithheld } : {}),
  }) as unknown as Report;

describe('describeThresholdStop', () => {
  it('speaks of deletes when the run held back deletes, with the count the run recorded', () => {
    expect(describeThresholdStop(stopped(['create', 'delete', 'delete'], 1200))).toEqual({
      withheld: 1200,
      would: 'This sync would delete 1200 directory users',
      applied: 'Creates and updates were applied; no user was deleted.',
      check: 'Check the users to delete below.',
      allow: 'Synchronize and delete 1200 users, this once',
    });
  });

  it('speaks of suspensions under a grace period, where the held-back removals are suspensions', () => {
    const text = describeThresholdStop(stopped(['update', 'suspend', 'suspend'], 800));
    expect(text.would).toBe('This sync would suspend 800 directory users');
    expect(text.applied).toBe('Creates and updates were applied; no user was suspended.');
    expect(text.check).toBe('Check the users to suspend below.');
    expect(text.allow).toBe('Synchronize and suspend 800 users, this once');
  });

  it('speaks of both when suspensions and deletes (grace ended) were held back together', () => {
    const text = describeThresholdStop(stopped(['suspend', 'delete'], 2));
    expect(text.would).toBe('This sync would delete or suspend 2 directory users');
    expect(text.allow).toBe('Synchronize and delete or suspend 2 users, this once');
  });

  it("speaks of what was held back, not of what a continued run's earlier invocations applied", () => {
    const text = describeThresholdStop(stopped(['delete', 'delete'], 2, ['suspend', 'suspend']));
    expect(text.would).toBe('This sync would delete 2 directory users');
    expect(text.applied).toBe('Creates and updates were applied; no user was deleted.');
    expect(describeThresholdStop(stopped([], undefined, ['delete'])).withheld).toBe(0);
  });

  it("decides from the changes' withheld mark, not from words in their reason", () => {
    const report = stopped(['delete', 'delete']);
    const worded = change('suspend', 'worded', HELD);
    const text = describeThresholdStop({ ...report, changes: [...report.changes, worded] });
    expect(text.withheld).toBe(2);
    expect(text.would).toBe('This sync would delete 2 directory users');
  });

  it("says why from the report's deletesWithheldBecause, never from the plan step's words", () => {
    const report = stopped(['delete', 'delete', 'delete'], 3);
    const steps = [{ name: 'plan', ok: true, ms: 1, message: '; deletes withheld: words to ignore' }];
    expect(describeThresholdStop({ ...report, steps }).would).toBe(
      'This sync would delete 3 directory users',
    );
    const threshold = {
      reason: 'threshold',
      exceeded: 'maxCount',
      deletes: 3,
      directoryUsers: 40,
      maxCount: 2,
      maxPercent: 50,
    } as const;
    expect(describeThresholdStop({ ...report, steps, deletesWithheldBecause: threshold }).would).toBe(
      'This sync would delete 3 directory users (3 deletes exceed the maximum of 2)',
    );
    const changed = { reason: 'configurationChanged', startedOn: 4, savedSince: 5 } as const;
    expect(describeThresholdStop({ ...report, deletesWithheldBecause: changed }).would).toBe(
      'This sync would delete 3 directory users (the configuration changed during the run (version 4 to 5); its deletes are not applied: run a sync again with the new configuration)',
    );
    // No approval could apply them: no button offers one.
    expect(describeThresholdStop({ ...report, deletesWithheldBecause: changed }).allow).toBeUndefined();
    expect(describeThresholdStop({ ...report, deletesWithheldBecause: threshold }).allow).toBeDefined();
  });

  it('counts the listed removals when the run recorded no count, and ignores creates and updates', () => {
    expect(describeThresholdStop(stopped(['create', 'suspend', 'update', 'suspend'])).withheld).toBe(2);
    expect(describeThresholdStop(stopped(['delete'])).withheld).toBe(1);
  });
});
