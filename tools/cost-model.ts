/**
 * The cost model's formulas (docs/cost.md): what one run uses and costs, what the stack costs a month idle,
 * and a month at a schedule; from the prices (cost-prices.ts), what the stack deploys, the assumptions stated
 * below, and the benchmark's figures (cost-figures.ts).
 */
import type { BenchFigures } from './cost-figures';
import { PRICES, type Prices } from './cost-prices';

/** What the stack deploys, as far as it costs money (cdk/). */
export const STACK = {
  /** The sync function: 1,024 MB, Lambda's default 512 MB /tmp (cdk/functions.ts). */
  syncMemoryGb: 1,
  /**
   * CloudWatch alarms: stale runs, failed runs, logon failures, change-event failures, and one per function's
   * errors (11; the watcher's is in watcherCost).
   */
  alarms: 15,
  /**
   * Custom metrics (EMF): SyncRunFailed, SyncThresholdExceeded, UsersCreated/Updated/Deleted, LogonFailed/LockedOut,
   * and SyncStale (published by the stale check every 5 minutes once a configuration is saved).
   */
  metrics: 8,
  dashboards: 1,
  /** Secrets Manager: the bind password, read through a cache of 5 minutes per container. */
  secretCacheSeconds: 300,
  hoursPerMonth: 730,
  daysPerMonth: 30.4,
} as const;

/**
 * Assumptions the model rests on, each stated where it is used (docs/cost.md lists them). Sizes are of the
 * benchmark's users (11 attributes): an item under 1 KB.
 */
export const ASSUMPTIONS = {
  /** Share of the directory in scope (the benchmark: 9,500 of 10,000). */
  inScopeShare: 0.95,
  /** A user create or update: one transactional write (2 units, item <= 1 KB) and one write to each GSI (2 x 1). */
  wruPerUserWrite: 4,
  /** A user item: about 0.9 KB (under DynamoDB's 1 KB write unit). */
  itemKb: 0.9,
  /** Stored per user: the item and its copies in the two GSIs (projection ALL), each with 100 bytes of overhead. */
  storedCopies: 3,
  /** A run's own writes: lock taken and released, occurrence claim, running record, run record, cursor. */
  wruPerRun: 10,
  /** Progress: one write of about 3 units every 2 s of a run. */
  progressWruPerSecond: 1.5,
  /** Report lists: about 200 bytes of JSON per listed change, at most 10,000 listed. */
  reportBytesPerChange: 200,
  reportListLimit: 10_000,
  /** A daily reconciliation (a full read that finds nothing to change) takes 1.25 x the raw read. */
  reconciliationReadFactor: 1.25,
  /** Directory churn: 1 % of the users change a day, applied by one run. */
  dailyChurn: 0.01,
  /** The change-events pipe polls its stream's one open shard about 4 times a second, as a Lambda trigger does. */
  pipePollsPerSecond: 4,
  /** Log lines of a run (steps, outcome, Lambda's START/END/REPORT). */
  logKbPerRun: 6,
} as const;

export type SyncKind = 'first' | 'reconciliation' | 'noChange' | 'changed';

/** What one run uses, and what it costs. */
export interface SyncCost {
  readonly kind: SyncKind;
  readonly ms: number;
  readonly gbSeconds: number;
  readonly changes: number;
  readonly writeUnits: number;
  readonly readUnits: number;
  readonly lambdaUsd: number;
  readonly dynamoUsd: number;
  /** Change events (Pipes and the bus), the trace, the run's logs, the schedule's invocation. */
  readonly otherUsd: number;
  readonly usd: number;
}

/** The write units of a run that makes `changes` user writes and lasts `ms` (docs/cost.md, DynamoDB). */
export function runWriteUnits(changes: number, ms: number, a = ASSUMPTIONS): number {
  const listed = Math.min(changes, a.reportListLimit);
  const reportUnits = Math.ceil((listed * a.reportBytesPerChange) / 1024);
  const progressUnits = Math.floor(ms / 1000) * a.progressWruPerSecond;
  return changes * a.wruPerUserWrite + reportUnits + a.wruPerRun + progressUnits;
}

/** One run of a kind, for a directory of `bench.users`. Secrets Manager calls are counted per month. */
export function syncCost(kind: SyncKind, bench: BenchFigures, p: Prices = PRICES, a = ASSUMPTIONS): SyncCost {
  const inScope = Math.round(bench.users * a.inScopeShare);
  const ms = {
    first: bench.fullSyncMs,
    reconciliation: Math.round(bench.floorReadMs * a.reconciliationReadFactor),
    noChange: bench.noChangeSyncMs,
    changed: bench.changedSyncMs,
  }[kind];
  const changes = { first: inScope, reconciliation: 0, noChange: 0, changed: bench.changedUsers }[kind];
  // A full read lists the table (eventually consistent, 0.5 unit per 4 KB); the changed run looks its users up.
  const listed = kind === 'reconciliation' ? (inScope * a.itemKb) / 4 / 2 : 0;
  const readUnits = Math.ceil(listed + (kind === 'changed' ? changes / 2 : 0));
  const seconds = ms / 1000;
  const gbSeconds = seconds * STACK.syncMemoryGb;
  const lambdaUsd = gbSeconds * p.lambdaArmGbSecond.usd + p.lambdaRequest.usd;
  const writeUnits = runWriteUnits(changes, ms, a);
  const dynamoUsd = writeUnits * p.dynamoWriteUnit.usd + readUnits * p.dynamoReadUnit.usd;
  const otherUsd =
    changes * (p.pipesRequest.usd + p.customEvent.usd) +
    p.xrayTrace.usd +
    (a.logKbPerRun / 1024 / 1024) * p.logIngestGb.usd +
    p.schedulerInvocation.usd;
  return {
    kind,
    ms,
    gbSeconds,
    changes,
    writeUnits,
    readUnits,
    lambdaUsd,
    dynamoUsd,
    otherUsd,
    usd: lambdaUsd + dynamoUsd + otherUsd,
  };
}

/**
 * The stale check (cdk/schedule.ts STALE_CHECK_PERIOD): EventBridge Scheduler invokes the sync function every 5
 * minutes, always; each invocation reads the configuration (a consistent read, under 4 KB) and the last 100 run
 * summaries (eventually consistent, about 1 KB each: 13 units), in an assumed 0.3 s at 1 GB (warm; a cold
 * start in the VPC is slower, rarely).
 */
export const STALE_CHECK = { periodMinutes: 5, seconds: 0.3, readUnits: 1 + 13 } as const;

/** The stale check's month: Lambda time and requests, Scheduler invocations, its reads. */
export function staleCheckCost(p: Prices = PRICES): number {
  const checks = (STACK.hoursPerMonth * 60) / STALE_CHECK.periodMinutes;
  return (
    checks *
    (STALE_CHECK.seconds * STACK.syncMemoryGb * p.lambdaArmGbSecond.usd +
      p.lambdaRequest.usd +
      p.schedulerInvocation.usd +
      STALE_CHECK.readUnits * p.dynamoReadUnit.usd)
  );
}

/** What the stack costs a month with no run at all, by line. */
export function idleCost(
  users: number,
  endpointAzs: 1 | 2,
  p: Prices = PRICES,
  a = ASSUMPTIONS,
): { readonly line: string; readonly usd: number }[] {
  const storedGb = (users * a.inScopeShare * a.storedCopies * (a.itemKb + 0.1)) / 1024 / 1024;
  const polls = a.pipePollsPerSecond * STACK.hoursPerMonth * 3600;
  return [
    {
      line: `Secrets Manager interface endpoint, ${endpointAzs} AZ${endpointAzs > 1 ? 's' : ''}`,
      usd: endpointAzs * STACK.hoursPerMonth * p.endpointAzHour.usd,
    },
    {
      line: `Lambda interface endpoint (the logon asks its guard), ${endpointAzs} AZ${endpointAzs > 1 ? 's' : ''}`,
      usd: endpointAzs * STACK.hoursPerMonth * p.endpointAzHour.usd,
    },
    { line: 'Secrets Manager secret (the bind password)', usd: p.secretMonth.usd },
    { line: `CloudWatch alarms (${STACK.alarms})`, usd: STACK.alarms * p.alarmMonth.usd },
    { line: `CloudWatch custom metrics (${STACK.metrics})`, usd: STACK.metrics * p.metricMonth.usd },
    { line: 'CloudWatch dashboard', usd: STACK.dashboards * p.dashboardMonth.usd },
    {
      line: 'Change-events pipe polling the table stream (assumed 4 polls/s)',
      usd: polls * p.streamReadRequest.usd,
    },
    {
      line: `Stale check every ${STALE_CHECK.periodMinutes} min (the sync function: Lambda, Scheduler, its reads)`,
      usd: staleCheckCost(p),
    },
    {
      line: `DynamoDB storage and point-in-time recovery (${users.toLocaleString('en-US')} users)`,
      usd: storedGb * (p.dynamoStorageGbMonth.usd + p.dynamoPitrGbMonth.usd),
    },
  ];
}

/** Runs a month at a schedule of `intervalMinutes`, by kind: one reconciliation and one changed run a day. */
export function runsPerMonth(intervalMinutes: number): Record<Exclude<SyncKind, 'first'>, number> {
  const all = (STACK.hoursPerMonth * 60) / intervalMinutes;
  const daily = Math.min(STACK.daysPerMonth, all / 2);
  return { reconciliation: daily, changed: daily, noChange: Math.max(0, all - 2 * daily) };
}

/**
 * Secrets Manager reads a month: one a run, but at most one per cache period (a warm container keeps the value
 * 5 minutes: runs every minute read it every fifth run).
 */
export function secretReadsPerMonth(intervalMinutes: number): number {
  const runs = (STACK.hoursPerMonth * 60) / intervalMinutes;
  return runs * Math.min(1, (intervalMinutes * 60) / STACK.secretCacheSeconds);
}

export interface MonthCost {
  readonly users: number;
  readonly intervalMinutes: number;
  readonly endpointAzs: 1 | 2;
  readonly idleUsd: number;
  readonly runsUsd: number;
  readonly secretsUsd: number;
  readonly usd: number;
}

/** A month at a schedule: idle cost, the runs, their secret reads. (The first sync is one-off: syncCost.) */
export function monthCost(
  bench: BenchFigures,
  intervalMinutes: number,
  endpointAzs: 1 | 2,
  p: Prices = PRICES,
  a = ASSUMPTIONS,
): MonthCost {
  const idleUsd = idleCost(bench.users, endpointAzs, p, a).reduce((sum, line) => sum + line.usd, 0);
  const runs = runsPerMonth(intervalMinutes);
  // The day's churn, applied by one run: as many changes as 1 % of the users.
  const churn = { ...bench, changedUsers: Math.round(bench.users * a.dailyChurn) };
  const runsUsd = (Object.keys(runs) as (keyof typeof runs)[]).reduce(
    (sum, kind) => sum + runs[kind] * syncCost(kind, churn, p, a).usd,
    0,
  );
  const secretsUsd = secretReadsPerMonth(intervalMinutes) * p.secretsApiCall.usd;
  return {
    users: bench.users,
    intervalMinutes,
    endpointAzs,
    idleUsd,
    runsUsd,
    secretsUsd,
    usd: idleUsd + runsUsd + secretsUsd,
  };
}

/**
 * The watcher (docs/contract.md#changes-in-seconds; cdk/functions.ts): EventBridge Scheduler starts it every 10
 * minutes, and each holds the watch 11 minutes (a minute of overlap: no gap) at 256 MB; the watch reads the
 * configuration (a consistent read, under 4 KB) and writes its heartbeat (a put, under 1 KB) every 15 s.
 */
export const WATCHER = { memoryGb: 0.25, periodMinutes: 10, holdMinutes: 11, probeSeconds: 15 } as const;

/** What the watcher costs a month while changeNotifications is on, by line (the runs it starts are runs). */
export function watcherCost(p: Prices = PRICES): { readonly line: string; readonly usd: number }[] {
  const invocations = (STACK.hoursPerMonth * 60) / WATCHER.periodMinutes;
  const heldSeconds = invocations * WATCHER.holdMinutes * 60;
  const probes = heldSeconds / WATCHER.probeSeconds;
  return [
    {
      line: `Lambda duration: ${Math.round(invocations).toLocaleString('en-US')} invocations of ${WATCHER.holdMinutes} min at ${WATCHER.memoryGb * 1024} MB`,
      usd: heldSeconds * WATCHER.memoryGb * p.lambdaArmGbSecond.usd,
    },
    {
      line: 'Lambda requests and EventBridge Scheduler invocations',
      usd: invocations * (p.lambdaRequest.usd + p.schedulerInvocation.usd),
    },
    {
      line: `DynamoDB: the configuration read and the heartbeat written every ${WATCHER.probeSeconds} s`,
      usd: probes * (p.dynamoReadUnit.usd + p.dynamoWriteUnit.usd),
    },
    { line: 'CloudWatch alarm on its errors (one per function)', usd: p.alarmMonth.usd },
  ];
}
