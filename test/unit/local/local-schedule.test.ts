/**
 * The local stack's schedule on virtual time: when it checks the saved configuration, the occurrence it runs
 * the sync with, and the checks it skips while a sync runs; and the stale check, on its own cadence whatever
 * the schedule.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startLocalSchedule } from '../../../local/local-schedule';
import { parseConfig } from '../../../shared/config/config-schema';
import { InMemorySettings } from '../../support/in-memory';
import { TestClock } from '../../support/test-clock';

const START = Date.parse('2026-12-06T12:34:56Z');
const CHECK_MS = 30_000;
const STALE_CHECK_MS = 60_000;

let clock: TestClock;
let settings: InMemorySettings;
let runs: { atMs: number; scheduledAt: string }[];
/** The stale checks the sync function was asked for, by when. */
let checks: { atMs: number; checkedAt: string }[];
let lines: string[];
let stop: () => void;
/** What a sync does; by default it ends at once. */
let runSync: () => Promise<unknown>;
/** What a stale check does; by default it ends at once. */
let checkStale: () => Promise<unknown>;

const saveSchedule = (schedule: { enabled: boolean; intervalMinutes?: number }) =>
  settings.saveConfig(
    parseConfig({
      connection: {
        servers: ['dc1.company.local'],
        domain: 'company.local',
        username: 'svc@company.local',
        baseDn: 'DC=company,DC=local',
      },
      schedule,
    }),
  );

beforeEach(() => {
  clock = new TestClock(START);
  settings = new InMemorySettings(clock);
  runs = [];
  checks = [];
  lines = [];
  runSync = async () => {};
  checkStale = async () => {};
  stop = startLocalSchedule({
    settings,
    runSync: (event) => {
      const atMs = clock.nowMs - START;
      if (event.source === 'ad-sync.stale-check') {
        checks.push({ atMs, checkedAt: event.checkedAt });
        return checkStale();
      }
      runs.push({ atMs, scheduledAt: event.scheduledAt });
      return runSync();
    },
    log: (line) => lines.push(line),
    checkMs: CHECK_MS,
    staleCheckMs: STALE_CHECK_MS,
    clock,
  });
});

afterEach(() => stop());

describe('startLocalSchedule', () => {
  it('checks every checkMs and runs the sync with the occurrence of the current period', async () => {
    await saveSchedule({ enabled: true, intervalMinutes: 60 });
    expect(await clock.advanceToNext()).toBe(CHECK_MS);
    await clock.advance(CHECK_MS * 2);
    expect(runs).toEqual([
      { atMs: 30_000, scheduledAt: '2026-12-06T12:00:00.000Z' },
      { atMs: 60_000, scheduledAt: '2026-12-06T12:00:00.000Z' },
      // 12:36:26: still the occurrence of 12:00, which the sync function runs once.
      { atMs: 90_000, scheduledAt: '2026-12-06T12:00:00.000Z' },
    ]);
    // At 13:00:26, the next period's.
    await clock.advance(24 * 60_000);
    expect(runs.at(-1)).toEqual({ atMs: 25 * 60_000 + 30_000, scheduledAt: '2026-12-06T13:00:00.000Z' });
  });

  it('runs nothing while the schedule is off or unsaved', async () => {
    await clock.advance(CHECK_MS * 3);
    await saveSchedule({ enabled: false });
    await clock.advance(CHECK_MS * 3);
    expect(runs).toEqual([]);
    // The schedule's checks and the stale check's wait.
    expect(clock.pending).toBe(2);
  });

  it('skips the checks that fall while a sync runs, and checks again at the next one after it', async () => {
    await saveSchedule({ enabled: true, intervalMinutes: 5 });
    let finish = () => {};
    runSync = () =>
      new Promise<void>((resolve) => {
        finish = resolve;
      });
    await clock.advance(CHECK_MS);
    expect(runs).toHaveLength(1);
    // The sync runs for 65 s: the checks of 60 and 90 s fall while it runs.
    await clock.advance(65_000);
    expect(runs).toHaveLength(1);
    finish();
    await clock.sleeping();
    runSync = async () => {};
    expect(await clock.advanceToNext()).toBe(25_000);
    expect(runs.map((run) => run.atMs)).toEqual([30_000, 120_000]);
  });

  it('logs a failed check and goes on', async () => {
    await saveSchedule({ enabled: true });
    runSync = async () => {
      throw new Error('the sync function failed');
    };
    await clock.advance(CHECK_MS * 2);
    expect(lines).toEqual(Array(2).fill('scheduled sync failed: the sync function failed'));
  });

  it('stops checking when stopped', async () => {
    await saveSchedule({ enabled: true });
    await clock.advance(CHECK_MS);
    stop();
    await clock.advance(CHECK_MS * 10);
    expect(runs).toHaveLength(1);
    expect(checks).toHaveLength(0);
    expect(clock.pending).toBe(0);
  });
});

describe('the stale check of the local stack', () => {
  it('asks the sync function for it every staleCheckMs, whether the schedule is on, off or unsaved', async () => {
    await clock.advance(STALE_CHECK_MS);
    await saveSchedule({ enabled: false });
    await clock.advance(STALE_CHECK_MS);
    await saveSchedule({ enabled: true, intervalMinutes: 60 });
    await clock.advance(STALE_CHECK_MS);
    expect(checks).toEqual([
      { atMs: 60_000, checkedAt: '2026-12-06T12:35:56.000Z' },
      { atMs: 120_000, checkedAt: '2026-12-06T12:36:56.000Z' },
      { atMs: 180_000, checkedAt: '2026-12-06T12:37:56.000Z' },
    ]);
    // The schedule runs on its own cadence beside it, from when it was turned on.
    expect(runs.map((run) => run.atMs)).toEqual([150_000, 180_000]);
  });

  it('checks while a scheduled sync runs: a long sync does not hold the stale alert back', async () => {
    await saveSchedule({ enabled: true, intervalMinutes: 60 });
    runSync = () => new Promise<void>(() => {});
    await clock.advance(STALE_CHECK_MS * 3);
    expect(runs).toHaveLength(1);
    expect(checks.map((check) => check.atMs)).toEqual([60_000, 120_000, 180_000]);
  });

  it('logs a failed check and goes on', async () => {
    checkStale = async () => {
      throw new Error('DynamoDB Local is not answering');
    };
    await clock.advance(STALE_CHECK_MS * 2);
    expect(lines).toEqual(Array(2).fill('stale check failed: DynamoDB Local is not answering'));
    expect(checks).toHaveLength(2);
  });
});
