/**
 * The stale check (docs/contract.md#operators-are-told), on a test clock: it raises the stale alert on its own
 * cadence whatever the schedule, once per stale spell (the schedule's occurrences and the runs that end without
 * success raise the same alert, published once), never before a configuration is saved, never of Test Settings.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Config } from '../../../shared/config/config-schema';
import { emptyCounts, type Report } from '../../../shared/domain/report';
import { runPreview, startPreview } from '../../../shared/use-cases/previews';
import { runScheduledSync } from '../../../shared/use-cases/scheduled-sync';
import { checkStaleness, checkTimeOf } from '../../../shared/use-cases/stale-check';
import { runStartedSync, startSync } from '../../../shared/use-cases/start-sync';
import { synchronizeNow } from '../../../shared/use-cases/synchronize-now';
import { aReport } from '../../support/builders';
import { directoryEntry } from '../../support/in-memory';
import { InMemoryAlerts } from '../../support/in-memory-alerts';
import { type InMemoryApp, inMemoryApp, inMemoryConfig } from '../../support/in-memory-app';
import { TestClock } from '../../support/test-clock';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const T0 = Date.parse('2026-12-01T00:00:00Z');
const at = (ms: number) => new Date(T0 + ms).toISOString();
/** The schedule off (the default), stale after an hour. */
const SCHEDULE_OFF = inMemoryConfig({ alerts: { staleAfterHours: 1 } });

let app: InMemoryApp;
let clock: TestClock;
let alerts: InMemoryAlerts;

const check = () => checkStaleness({ ...app.deps(), alerts });
/** A run of the whole directory, to its end, as Synchronize now runs it in the sync function. */
async function runNow(): Promise<string> {
  const runId = await startSync(app.worker());
  await runStartedSync({ ...app.worker(), alerts }, { runId, configVersion: 1 });
  return runId;
}

beforeEach(() => {
  clock = new TestClock(T0);
  app = inMemoryApp({ clock, entries: [directoryEntry(1), directoryEntry(2)] });
  alerts = new InMemoryAlerts();
});

describe('the stale check', () => {
  it('raises sync.stale with the schedule off, at the first check past alerts.staleAfterHours, once a spell', async () => {
    await app.settings.saveConfig(SCHEDULE_OFF);
    const succeeded = await runNow();
    const finishedAt = at(0);
    await clock.advance(HOUR - MINUTE);
    expect(await check()).toEqual({ outcome: 'checked' });
    expect(alerts.asked).toEqual([]);

    await clock.advance(MINUTE);
    const stale = {
      since: finishedAt,
      staleAfterHours: 1,
      lastSucceeded: { runId: succeeded, finishedAt },
      lastRun: { runId: succeeded, status: 'succeeded', finishedAt },
    };
    expect(await check()).toEqual({ outcome: 'checked', stale, raised: true });
    expect([...alerts.raised.values()]).toEqual([
      { id: `sync.stale:${succeeded}`, type: 'sync.stale', time: at(HOUR), ...stale },
    ]);
    // The checks of the same spell find it stale, and publish nothing more.
    for (let n = 0; n < 12; n += 1) {
      await clock.advance(5 * MINUTE);
      expect(await check()).toMatchObject({
        outcome: 'checked',
        stale: { since: finishedAt },
        raised: false,
      });
    }
    expect(alerts.raised.size).toBe(1);
  });

  it('raises sync.stale:never when no run has ever succeeded, from the first run on', async () => {
    await app.settings.saveConfig(SCHEDULE_OFF);
    // No run at all: nothing was asked of the sync yet.
    await clock.advance(2 * HOUR);
    expect(await check()).toEqual({ outcome: 'checked' });
    app.directory.failAfterPages = 0;
    const failed = await synchronizeNow(app.deps());
    await clock.advance(HOUR);
    expect(await check()).toMatchObject({
      stale: { since: failed.startedAt, lastRun: { status: 'failed' } },
    });
    expect([...alerts.raised.keys()]).toEqual(['sync.stale:never']);
  });

  it('raises a new alert for the next spell, and none between', async () => {
    await app.settings.saveConfig(SCHEDULE_OFF);
    const first = await runNow();
    await clock.advance(HOUR);
    await check();
    const second = await runNow();
    await clock.advance(30 * MINUTE);
    await check();
    expect([...alerts.raised.keys()]).toEqual([`sync.stale:${first}`]);
    await clock.advance(30 * MINUTE);
    await check();
    expect([...alerts.raised.keys()]).toEqual([`sync.stale:${first}`, `sync.stale:${second}`]);
  });

  it('checks nothing before a configuration is saved', async () => {
    const twoDaysAgo = at(-48 * HOUR);
    await app.store.recordRun(
      aReport({ status: 'failed', startedAt: twoDaysAgo, finishedAt: twoDaysAgo }) as Report,
    );
    expect(await check()).toEqual({ outcome: 'unconfigured' });
    expect(alerts.asked).toEqual([]);
  });

  it('never counts Test Settings: a failed preview is no run, and raises nothing', async () => {
    await app.settings.saveConfig(SCHEDULE_OFF);
    app.directory.failAfterPages = 0;
    const previewId = await startPreview(app.worker(), {});
    const [start] = app.starter.previews;
    expect(await runPreview(app.worker(), start as (typeof app.starter.previews)[number])).toMatchObject({
      report: { runId: previewId, status: 'failed' },
    });
    await clock.advance(3 * HOUR);
    expect(await check()).toEqual({ outcome: 'checked' });
    expect(alerts.asked).toEqual([]);
  });

  it('publishes once when the schedule and the check find the same spell', async () => {
    const hourly: Config = inMemoryConfig({
      schedule: { enabled: true, intervalMinutes: 60 },
      alerts: { staleAfterHours: 1 },
    });
    await app.settings.saveConfig(hourly);
    const succeeded = await runNow();
    await clock.advance(HOUR);
    expect(await check()).toMatchObject({ stale: { since: at(0) } });
    await clock.advance(5 * MINUTE);
    app.directory.failAfterPages = 0;
    expect(await runScheduledSync({ ...app.deps(), alerts }, at(HOUR))).toMatchObject({
      outcome: 'ran',
      stale: { since: at(0) },
    });
    expect(alerts.asked.map((alert) => alert.id)).toEqual([
      `sync.stale:${succeeded}`,
      `sync.stale:${succeeded}`,
    ]);
    expect(alerts.raised.size).toBe(1);
  });

  it('says the sync is stale when the alert cannot be raised, and tells onUnexpectedError', async () => {
    await app.settings.saveConfig(SCHEDULE_OFF);
    await runNow();
    await clock.advance(HOUR);
    const errors: unknown[] = [];
    const outcome = await checkStaleness({
      ...app.deps(),
      alerts: { raise: () => Promise.reject(new Error('table unavailable')) },
      onUnexpectedError: (error) => errors.push(error),
    });
    expect(outcome).toMatchObject({ outcome: 'checked', stale: { staleAfterHours: 1 }, raised: false });
    expect(errors).toEqual([new Error('table unavailable')]);
  });
});

describe('the stale check beyond the history it reads', () => {
  const QUARTER = 15 * MINUTE;
  /** A run every 15 minutes that withholds its deletes (no back-off, no success) until `hours`, each checked. */
  async function withheldRunsUntil(hours: number): Promise<void> {
    for (let i = 1; clock.nowMs - T0 < hours * HOUR; i += 1) {
      await clock.advance(QUARTER);
      const now = at(clock.nowMs - T0);
      await app.store.recordRun({
        runId: `withheld-${i}`,
        dryRun: false,
        status: 'deletionThresholdExceeded',
        trigger: 'schedule',
        startedAt: now,
        finishedAt: now,
        steps: [],
        counts: emptyCounts(),
        changes: [],
        excluded: [],
        deletesWithheld: 40,
      });
      await check();
    }
  }

  it('keeps the last success when more runs than the history holds followed it: stale at 26 h, one spell', async () => {
    await app.settings.saveConfig(inMemoryConfig({ schedule: { intervalMinutes: 15 } }));
    const succeeded = await runNow();
    await withheldRunsUntil(25.75);
    // 103 runs since: the history read (100 runs) no longer holds the success.
    expect(alerts.raised.size).toBe(0);
    await withheldRunsUntil(30);
    expect([...alerts.raised.keys()]).toEqual([`sync.stale:${succeeded}`]);
    expect(alerts.raised.get(`sync.stale:${succeeded}`)).toMatchObject({ since: at(0), time: at(26 * HOUR) });
  });

  it('counts from the first run when none has ever succeeded, though it is beyond the history', async () => {
    await app.settings.saveConfig(inMemoryConfig({ schedule: { intervalMinutes: 15 } }));
    await withheldRunsUntil(27);
    expect([...alerts.raised.keys()]).toEqual(['sync.stale:never']);
    expect(alerts.raised.get('sync.stale:never')).toMatchObject({
      since: at(QUARTER),
      time: at(26 * HOUR + QUARTER),
    });
  });
});

describe('a run that ends without success', () => {
  beforeEach(async () => {
    await app.settings.saveConfig(SCHEDULE_OFF);
  });

  it('raises the stale alert at once when nothing has succeeded for alerts.staleAfterHours', async () => {
    const succeeded = await runNow();
    await clock.advance(HOUR + MINUTE);
    app.directory.failAfterPages = 0;
    const failed = await runNow();
    expect([...alerts.raised.values()]).toEqual([
      expect.objectContaining({
        id: `sync.stale:${succeeded}`,
        time: at(HOUR + MINUTE),
        lastRun: expect.objectContaining({ runId: failed, status: 'failed' }),
      }),
    ]);
  });

  it('raises nothing before the threshold, nor after a success', async () => {
    await runNow();
    await clock.advance(30 * MINUTE);
    app.directory.failAfterPages = 0;
    await runNow();
    app.directory.failAfterPages = undefined;
    await clock.advance(HOUR);
    await runNow();
    expect(alerts.asked).toEqual([]);
  });

  it('ends as it ended when the history cannot be read for the check', async () => {
    await runNow();
    await clock.advance(2 * HOUR);
    app.directory.failAfterPages = 0;
    const errors: unknown[] = [];
    const runId = await startSync(app.worker());
    vi.spyOn(app.store, 'listRuns').mockRejectedValue(new Error('throttled'));
    const outcome = await runStartedSync(
      { ...app.worker(), alerts, onUnexpectedError: (error) => errors.push(error) },
      { runId, configVersion: 1 },
    );
    expect(outcome).toMatchObject({ outcome: 'ran', report: { runId, status: 'failed' } });
    expect(errors).toEqual([new Error('throttled')]);
    expect(alerts.asked).toEqual([]);
  });
});

describe('checkTimeOf', () => {
  const now = new Date('2026-12-07T01:00:00.000Z');
  it('is the scheduled time when it is within ten minutes of the clock, either way', () => {
    expect(checkTimeOf('2026-12-07T00:55:00.000Z', now)).toEqual(new Date('2026-12-07T00:55:00.000Z'));
    expect(checkTimeOf('2026-12-07T01:10:00.000Z', now)).toEqual(new Date('2026-12-07T01:10:00.000Z'));
  });

  it('is now for a late retry, a far time named ahead, or no readable time', () => {
    for (const checkedAt of ['2026-12-06T20:00:00.000Z', '2027-01-01T00:00:00.000Z', 'soon', ''])
      expect(checkTimeOf(checkedAt, now)).toEqual(now);
  });
});
