/**
 * The cost model's formulas (tools/cost-model.ts, docs/cost.md), checked against figures worked out by hand from the
 * prices and assumptions it states.
 */
import { describe, expect, it } from 'vitest';
import { estimateFrom, figuresFor, MEASURED_10K, parseBenchLines } from '../../../tools/cost-figures';
import {
  idleCost,
  monthCost,
  runsPerMonth,
  runWriteUnits,
  secretReadsPerMonth,
  syncCost,
  watcherCost,
} from '../../../tools/cost-model';
import { PRICES } from '../../../tools/cost-prices';
import { costTables } from '../../../tools/cost-tables';

describe('runWriteUnits', () => {
  it('counts 4 units a user write, the report list by the kilobyte, the run’s own writes and its progress', () => {
    // 100 x 4 + ceil(100 x 200 B / 1 KB = 19.5) + 10 + no progress write within the first second.
    expect(runWriteUnits(100, 882)).toBe(400 + 20 + 10 + 0);
    // A run of 9.9 s writes its progress 9 more times (1.5 units a second, whole seconds).
    expect(runWriteUnits(0, 9_900)).toBe(10 + 13.5);
  });

  it('lists at most 10,000 changes in the report', () => {
    const listed = Math.ceil((10_000 * 200) / 1024);
    expect(runWriteUnits(50_000, 0)).toBe(50_000 * 4 + listed + 10);
  });
});

describe('syncCost', () => {
  it('prices a run’s Lambda time at 1 GB and the request (no /tmp above the default)', () => {
    const cost = syncCost('noChange', MEASURED_10K);
    const seconds = 0.262;
    expect(cost.gbSeconds).toBeCloseTo(seconds, 9);
    expect(cost.lambdaUsd).toBeCloseTo(seconds * 0.0000133334 + 0.0000002, 12);
    expect(cost.changes).toBe(0);
    expect(cost.writeUnits).toBe(10);
  });

  it('creates every user in scope in a first sync, and sends a change event for each', () => {
    const cost = syncCost('first', MEASURED_10K);
    expect(cost.changes).toBe(9_500);
    expect(cost.writeUnits).toBe(runWriteUnits(9_500, 8_321));
    expect(cost.dynamoUsd).toBeCloseTo(cost.writeUnits * 0.000000625, 12);
    // Pipes ($0.40/M) and the bus ($1/M) per change, one trace, 6 KB of log, one schedule invocation.
    const other = 9_500 * 0.0000014 + 0.000005 + (6 / 1024 / 1024) * 0.5 + 0.000001;
    expect(cost.otherUsd).toBeCloseTo(other, 12);
    expect(cost.usd).toBeCloseTo(cost.lambdaUsd + cost.dynamoUsd + cost.otherUsd, 12);
  });

  it('times a reconciliation at 1.25 x the raw read, and reads the table listing', () => {
    const cost = syncCost('reconciliation', MEASURED_10K);
    expect(cost.ms).toBe(Math.round(3_462 * 1.25));
    // 9,500 items of 0.9 KB, 4 KB a unit, eventually consistent (half).
    expect(cost.readUnits).toBe(Math.ceil((9_500 * 0.9) / 4 / 2));
  });
});

describe('idleCost', () => {
  it('bills the Secrets Manager and Lambda endpoints per AZ-hour: 730 h x $0.01 in each AZ', () => {
    const [secretsTwoAzs, lambdaTwoAzs] = idleCost(10_000, 2);
    const [secretsOneAz, lambdaOneAz] = idleCost(10_000, 1);
    for (const line of [secretsTwoAzs, lambdaTwoAzs]) expect(line?.usd).toBeCloseTo(14.6, 9);
    for (const line of [secretsOneAz, lambdaOneAz]) expect(line?.usd).toBeCloseTo(7.3, 9);
    expect(lambdaTwoAzs?.line).toMatch(/^Lambda interface endpoint/);
  });

  it('adds the secret, 15 alarms, 8 metrics, the dashboard, the pipe’s polling, the stale check and the table’s storage', () => {
    const lines = idleCost(100_000, 2).map((line) => line.usd);
    const storedGb = (100_000 * 0.95 * 3 * 1.0) / 1024 / 1024;
    // 8,760 checks: 0.3 GB-s, a request and a Scheduler invocation, 14 read units each.
    const staleCheck = 8_760 * (0.3 * 0.0000133334 + 0.0000002 + 0.000001 + 14 * 0.000000125);
    expect(lines.slice(2)).toEqual([
      0.4,
      expect.closeTo(1.5, 9),
      expect.closeTo(2.4, 9),
      3,
      expect.closeTo(4 * 730 * 3600 * 0.0000002, 9),
      expect.closeTo(staleCheck, 9),
      expect.closeTo(storedGb * 0.45, 9),
    ]);
  });
});

describe('runsPerMonth and secretReadsPerMonth', () => {
  it('has one reconciliation and one changed run a day, the rest change nothing', () => {
    expect(runsPerMonth(60)).toEqual({ reconciliation: 30.4, changed: 30.4, noChange: 730 - 60.8 });
    expect(runsPerMonth(1).noChange).toBeCloseTo(43_800 - 60.8, 9);
  });

  it('cannot have more reconciliations than runs when the schedule is slower than daily', () => {
    const runs = runsPerMonth(10_080);
    expect(runs.reconciliation + runs.changed + runs.noChange).toBeCloseTo(43_800 / 10_080, 9);
  });

  it('reads the secret every run at 60 minutes, every fifth at 1 minute (5 minutes of cache)', () => {
    expect(secretReadsPerMonth(60)).toBe(730);
    expect(secretReadsPerMonth(1)).toBeCloseTo(8_760, 9);
  });
});

describe('monthCost', () => {
  it('adds the idle month, the runs of each kind (the day’s churn: 1 % of the users) and the secret reads', () => {
    const month = monthCost(MEASURED_10K, 60, 1);
    const churn = { ...MEASURED_10K, changedUsers: 100 };
    const runs =
      30.4 * syncCost('reconciliation', churn).usd +
      30.4 * syncCost('changed', churn).usd +
      (730 - 60.8) * syncCost('noChange', churn).usd;
    expect(month.runsUsd).toBeCloseTo(runs, 12);
    expect(month.secretsUsd).toBeCloseTo(730 * 0.000005, 12);
    expect(month.usd).toBeCloseTo(month.idleUsd + runs + month.secretsUsd, 12);
    expect(monthCost(MEASURED_10K, 60, 2).usd - month.usd).toBeCloseTo(2 * 7.3, 9);
  });
});

describe('bench figures', () => {
  const line = (users: number, fullSyncMs: number) =>
    JSON.stringify({
      users,
      floorReadMs: 1,
      floorWriteMs: 2,
      fullSyncMs,
      noChangeSyncMs: 3,
      changedSyncMs: 4,
      changedUsers: users / 100,
      fullSyncWcu: 5,
    });

  it('reads the JSON lines of `npm run bench -- --json`, the last line per user count winning', () => {
    const text = ['> ad-sync bench', line(10_000, 100), line(10_000, 200), line(100_000, 900), ''].join('\n');
    const figures = parseBenchLines(text, 'bench.json');
    expect(figures.map((f) => [f.users, f.fullSyncMs, f.origin])).toEqual([
      [10_000, 200, 'measured (bench.json)'],
      [100_000, 900, 'measured (bench.json)'],
    ]);
  });

  it('refuses a line without a figure, naming the file, the line and the field', () => {
    expect(() => parseBenchLines('{"users":10000,"fullSyncMs":"fast"}', 'b.json')).toThrow(
      /b\.json:1: floorReadMs must be a number >= 0/,
    );
  });

  it('estimates 100,000 users from 10,000, labelled ESTIMATE, until a measured line replaces it', () => {
    const estimate = estimateFrom(MEASURED_10K, 100_000);
    expect(estimate).toMatchObject({
      users: 100_000,
      fullSyncMs: 83_210,
      noChangeSyncMs: Math.round(262 * 1.2),
      changedSyncMs: Math.round(262 * 1.2) + (882 - 262) * 10,
      changedUsers: 1_000,
    });
    expect(estimate.origin).toMatch(/^ESTIMATE/);
    expect(figuresFor([]).map((f) => f.origin)).toEqual([MEASURED_10K.origin, estimate.origin]);
    const measured = parseBenchLines(line(100_000, 90_000), 'b.json');
    expect(figuresFor(measured).map((f) => [f.users, f.origin])).toEqual([
      [10_000, MEASURED_10K.origin],
      [100_000, 'measured (b.json)'],
    ]);
  });
});

describe('costTables', () => {
  it('prints every price with its source, and each table with the figures’ origin', () => {
    const markdown = costTables(figuresFor([]));
    for (const price of Object.values(PRICES)) expect(markdown).toContain(price.source);
    expect(markdown).toContain('| **total** | **$38.68** | **$24.08** |');
    expect(markdown).toMatch(/\| 100,000 \| ESTIMATE \(10x the 10,000-user figures\) \| every 1 min \|/);
  });
});

describe('watcherCost', () => {
  it('prices 11 minutes held at 256 MB every 10 minutes, its starts, its probe and heartbeat, and its alarm', () => {
    const [duration, requests, dynamo, alarm] = watcherCost();
    const invocations = (730 * 60) / 10;
    expect(duration?.usd).toBeCloseTo(invocations * 660 * 0.25 * 0.0000133334, 6);
    expect(requests?.usd).toBeCloseTo(
      invocations * (PRICES.lambdaRequest.usd + PRICES.schedulerInvocation.usd),
      9,
    );
    // A probe every 15 s of held time: a read unit and a write unit each.
    expect(dynamo?.usd).toBeCloseTo(
      ((invocations * 660) / 15) * (PRICES.dynamoReadUnit.usd + PRICES.dynamoWriteUnit.usd),
      9,
    );
    expect(alarm?.usd).toBe(PRICES.alarmMonth.usd);
  });
});
