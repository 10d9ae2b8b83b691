/**
 * The cost model of docs/cost.md: what the stack costs per month idle, per sync, and per month at a schedule,
 * from AWS's prices (each with its source and the date it was read) and the benchmark's measured durations.
 *
 *   npx tsx tools/cost.ts [--bench file.json ...]
 *
 * A bench file holds the JSON lines `npm run bench -- --json` prints (users, floorReadMs, fullSyncMs,
 * noChangeSyncMs, changedSyncMs, changedUsers, fullSyncWcu, ...); the last line per user count wins. Without
 * one, the 10,000-user figures of docs/performance.md are used, and the 100,000-user ones are an estimate
 * (labelled so in every table). Prints the markdown tables docs/cost.md holds.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

/** A price: its value in USD per unit, where it was read, and when. Region: US East (N. Virginia), us-east-1. */
export interface Price {
  readonly usd: number;
  readonly unit: string;
  readonly source: string;
  /** When the source was read (or, for an older page, the page's own date). */
  readonly read: string;
}

const READ = '2026-12-05';

export const PRICES = {
  endpointAzHour: {
    usd: 0.01,
    unit: 'interface VPC endpoint, per AZ-hour',
    source:
      'https://aws.amazon.com/privatelink/pricing/ (billing per AZ-hour); rate from https://awsnegotiations.com/privatelink-cost-analysis.html (May 2026)',
    read: READ,
  },
  secretMonth: {
    usd: 0.4,
    unit: 'Secrets Manager secret, per month',
    source: 'https://hivebook.wiki/wiki/aws-secrets-manager-rotated-secrets-dynamic-db-credentials-kms',
    read: READ,
  },
  secretsApiCall: {
    usd: 0.05 / 10_000,
    unit: 'Secrets Manager API call ($0.05 per 10,000)',
    source: 'https://hivebook.wiki/wiki/aws-secrets-manager-rotated-secrets-dynamic-db-credentials-kms',
    read: READ,
  },
  lambdaArmGbSecond: {
    usd: 0.0000133334,
    unit: 'Lambda duration, Arm, per GB-second (first 7.5 billion)',
    source: 'https://cloudchipr.com/blog/aws-lambda-pricing (from AWS, us-east-1; 2024 guide)',
    read: READ,
  },
  lambdaRequest: {
    usd: 0.2 / 1_000_000,
    unit: 'Lambda request ($0.20 per million)',
    source: 'https://aws.amazon.com/lambda/pricing/',
    read: READ,
  },
  lambdaEphemeralGbSecond: {
    usd: 0.0000000309,
    unit: 'Lambda ephemeral storage above 512 MB, per GB-second',
    source: 'https://aws.amazon.com/lambda/pricing/ (us-east-1 example rate)',
    read: READ,
  },
  dynamoWriteUnit: {
    usd: 0.625 / 1_000_000,
    unit: 'DynamoDB on-demand write request unit ($0.625 per million)',
    source: 'https://airbyte.com/data-engineering-resources/dynamodb-pricing (after the November 2024 cut)',
    read: READ,
  },
  dynamoReadUnit: {
    usd: 0.125 / 1_000_000,
    unit: 'DynamoDB on-demand read request unit ($0.125 per million)',
    source: 'https://airbyte.com/data-engineering-resources/dynamodb-pricing (after the November 2024 cut)',
    read: READ,
  },
  dynamoStorageGbMonth: {
    usd: 0.25,
    unit: 'DynamoDB Standard storage, per GB-month (indexes included)',
    source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
    read: READ,
  },
  dynamoPitrGbMonth: {
    usd: 0.2,
    unit: 'DynamoDB point-in-time recovery, per GB-month',
    source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
    read: READ,
  },
  streamReadRequest: {
    usd: 0.02 / 100_000,
    unit: 'DynamoDB Streams GetRecords by a non-Lambda reader ($0.02 per 100,000; Lambda reads free)',
    source:
      'https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CostOptimization_StreamsUsage.html; rate as in https://github.com/estuary/connectors/issues/5135 (2026-08-27)',
    read: READ,
  },
  apiRequest: {
    usd: 3.5 / 1_000_000,
    unit: 'API Gateway REST request ($3.50 per million, first 333 million)',
    source:
      'https://docs.aws.amazon.com/whitepapers/latest/best-practices-api-gateway-private-apis-integration/cost-optimization.html',
    read: READ,
  },
  schedulerInvocation: {
    usd: 1 / 1_000_000,
    unit: 'EventBridge Scheduler invocation ($1.00 per million; 14 million a month free)',
    source: 'https://cloudburn.io/blog/amazon-eventbridge-pricing (March 2026)',
    read: READ,
  },
  pipesRequest: {
    usd: 0.4 / 1_000_000,
    unit: 'EventBridge Pipes request after filtering ($0.40 per million, 64 KB chunks)',
    source: 'https://cloudburn.io/blog/amazon-eventbridge-pricing (March 2026)',
    read: READ,
  },
  customEvent: {
    usd: 1 / 1_000_000,
    unit: 'EventBridge custom event published ($1.00 per million)',
    source: 'https://cloudburn.io/blog/amazon-eventbridge-pricing (March 2026)',
    read: READ,
  },
  alarmMonth: {
    usd: 0.1,
    unit: 'CloudWatch standard-resolution alarm, per month',
    source: 'https://c3x.dev/resources/aws/aws_cloudwatch_metric_alarm',
    read: READ,
  },
  metricMonth: {
    usd: 0.3,
    unit: 'CloudWatch custom metric, per month (first 10,000)',
    source: 'https://signoz.io/guides/cloudwatch-pricing (February 2026)',
    read: READ,
  },
  dashboardMonth: {
    usd: 3,
    unit: 'CloudWatch dashboard, per month (3 free per account)',
    source:
      'https://www.factualminds.com/blog/amazon-cloudwatch-pricing-metrics-logs-alarms-dashboards/ (June 2026)',
    read: READ,
  },
  logIngestGb: {
    usd: 0.5,
    unit: 'CloudWatch Logs ingestion, per GB',
    source:
      'https://www.factualminds.com/blog/amazon-cloudwatch-pricing-metrics-logs-alarms-dashboards/ (June 2026)',
    read: READ,
  },
  xrayTrace: {
    usd: 5 / 1_000_000,
    unit: 'X-Ray trace recorded ($5.00 per million; 100,000 a month free)',
    source: 'https://aws.amazon.com/de/xray/pricing/',
    read: READ,
  },
} as const satisfies Record<string, Price>;

export type Prices = { readonly [K in keyof typeof PRICES]: Price };

/** What the stack deploys, as far as it costs money (cdk/). */
export const STACK = {
  /** The sync function: 1,024 MB, 2 GiB /tmp (cdk/functions.ts). */
  syncMemoryGb: 1,
  syncExtraEphemeralGb: 1.5,
  /** CloudWatch alarms: failed runs, logon failures, change-event DLQ, and one per function's errors (10). */
  alarms: 13,
  /** Custom metrics (EMF): SyncRunFailed, SyncThresholdExceeded, UsersCreated/Updated/Deleted, LogonFailed/LockedOut. */
  metrics: 7,
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

/** The benchmark's figures a model needs (the JSON of `npm run bench -- --json`), and where they come from. */
export interface BenchFigures {
  readonly users: number;
  readonly floorReadMs: number;
  readonly fullSyncMs: number;
  readonly noChangeSyncMs: number;
  readonly changedSyncMs: number;
  /** The 1 % the changed run changed (changedUsers). */
  readonly changedUsers: number;
  /** The write capacity DynamoDB Local reported for the full sync (not what AWS bills: see docs/cost.md). */
  readonly fullSyncWcu?: number;
  /** Where the figures come from: a bench file, docs/performance.md, or an estimate. */
  readonly origin: string;
}

/** docs/performance.md, 10,000 users (its table; the 2,565 WCU of its progress section). */
export const MEASURED_10K: BenchFigures = {
  users: 10_000,
  floorReadMs: 3_462,
  fullSyncMs: 8_321,
  noChangeSyncMs: 262,
  changedSyncMs: 882,
  changedUsers: 100,
  fullSyncWcu: 2_565,
  origin: 'measured (docs/performance.md)',
};

/**
 * 100,000 users, estimated from 10,000 until the benchmark measures them: the read, the full sync and the
 * changed run's extra time 10x (the full sync runs at about 1,200 users/s); the no-change run at the issue's
 * goal (1.2x its time at 10,000).
 */
export function estimateFrom(base: BenchFigures, users: number): BenchFigures {
  const scale = users / base.users;
  const noChangeSyncMs = Math.round(base.noChangeSyncMs * 1.2);
  return {
    users,
    floorReadMs: Math.round(base.floorReadMs * scale),
    fullSyncMs: Math.round(base.fullSyncMs * scale),
    noChangeSyncMs,
    changedSyncMs: Math.round(noChangeSyncMs + (base.changedSyncMs - base.noChangeSyncMs) * scale),
    changedUsers: Math.round(base.changedUsers * scale),
    ...(base.fullSyncWcu !== undefined ? { fullSyncWcu: Math.round(base.fullSyncWcu * scale) } : {}),
    origin: `ESTIMATE (${scale}x the ${base.users.toLocaleString('en-US')}-user figures)`,
  };
}

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
  const lambdaUsd =
    gbSeconds * p.lambdaArmGbSecond.usd +
    seconds * STACK.syncExtraEphemeralGb * p.lambdaEphemeralGbSecond.usd +
    p.lambdaRequest.usd;
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
    { line: 'Secrets Manager secret (the bind password)', usd: p.secretMonth.usd },
    { line: `CloudWatch alarms (${STACK.alarms})`, usd: STACK.alarms * p.alarmMonth.usd },
    { line: `CloudWatch custom metrics (${STACK.metrics})`, usd: STACK.metrics * p.metricMonth.usd },
    { line: 'CloudWatch dashboard', usd: STACK.dashboards * p.dashboardMonth.usd },
    {
      line: 'Change-events pipe polling the table stream (assumed 4 polls/s)',
      usd: polls * p.streamReadRequest.usd,
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

/** Reads the JSON lines of bench files; the last line per user count wins. */
export function parseBenchLines(text: string, origin: string): BenchFigures[] {
  const found = new Map<number, BenchFigures>();
  for (const [index, line] of text.split('\n').entries()) {
    if (line.trim() === '' || !line.trim().startsWith('{')) continue;
    const json = JSON.parse(line) as Record<string, unknown>;
    const field = (name: string): number => {
      const value = json[name];
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
        throw new Error(
          `${origin}:${index + 1}: ${name} must be a number >= 0, not ${JSON.stringify(value)}`,
        );
      }
      return value;
    };
    const users = field('users');
    found.set(users, {
      users,
      floorReadMs: field('floorReadMs'),
      fullSyncMs: field('fullSyncMs'),
      noChangeSyncMs: field('noChangeSyncMs'),
      changedSyncMs: field('changedSyncMs'),
      changedUsers: field('changedUsers'),
      ...(typeof json.fullSyncWcu === 'number' ? { fullSyncWcu: json.fullSyncWcu } : {}),
      origin: `measured (${origin})`,
    });
  }
  return [...found.values()];
}

/** Dollars: cents above $1, two significant digits below a cent (a run costs millionths). */
const usd = (value: number): string => {
  if (value === 0) return '$0';
  if (value >= 100) return `$${value.toFixed(0)}`;
  if (value >= 0.01) return `$${value.toFixed(2)}`;
  return `$${value.toFixed(1 - Math.floor(Math.log10(value)))}`;
};
const count = (value: number): string => Math.round(value).toLocaleString('en-US');

const KIND_NAMES: Record<SyncKind, string> = {
  first: 'first sync (every user created)',
  reconciliation: 'daily reconciliation (full read, no change)',
  noChange: 'no-change incremental run',
  changed: 'incremental run, 1 % changed',
};

/** The markdown of docs/cost.md's tables. */
export function costTables(figures: readonly BenchFigures[]): string {
  const out: string[] = [];
  out.push('### Prices (US East, N. Virginia; read 2026-12-05)', '');
  out.push('| item | price | source |', '|---|---|---|');
  for (const price of Object.values(PRICES)) {
    out.push(`| ${price.unit} | $${price.usd.toFixed(10).replace(/\.?0+$/, '')} | ${price.source} |`);
  }
  out.push('', '### Idle: a month without a run', '');
  for (const users of figures.map((f) => f.users)) {
    out.push(`${users.toLocaleString('en-US')} users:`, '');
    out.push('| line | 2 AZs (default) | 1 AZ (`-c endpointAzs=1`) |', '|---|---|---|');
    const two = idleCost(users, 2);
    const one = idleCost(users, 1);
    two.forEach((line, i) => {
      out.push(`| ${line.line.replace(/, 2 AZs$/, '')} | ${usd(line.usd)} | ${usd(one[i]?.usd ?? 0)} |`);
    });
    const total = (lines: { usd: number }[]) => lines.reduce((sum, line) => sum + line.usd, 0);
    out.push(`| **total** | **${usd(total(two))}** | **${usd(total(one))}** |`, '');
  }
  out.push('### Per sync', '');
  out.push(
    '| users | run | figures | duration | GB-s | user writes | write units | Lambda | DynamoDB | other | total |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  );
  for (const bench of figures) {
    for (const kind of ['first', 'reconciliation', 'noChange', 'changed'] as const) {
      const cost = syncCost(kind, bench);
      out.push(
        `| ${count(bench.users)} | ${KIND_NAMES[kind]} | ${bench.origin} | ${(cost.ms / 1000).toFixed(2)} s | ${cost.gbSeconds.toFixed(2)} | ${count(cost.changes)} | ${count(cost.writeUnits)} | ${usd(cost.lambdaUsd)} | ${usd(cost.dynamoUsd)} | ${usd(cost.otherUsd)} | ${usd(cost.usd)} |`,
      );
    }
  }
  const wcu = figures.filter((f) => f.fullSyncWcu !== undefined);
  if (wcu.length > 0) {
    out.push('', 'Write capacity of the first sync: DynamoDB Local reported against the AWS rules:', '');
    out.push('| users | DynamoDB Local (bench `fullSyncWcu`) | AWS rules (this model) |', '|---|---|---|');
    for (const bench of wcu) {
      out.push(
        `| ${count(bench.users)} | ${count(bench.fullSyncWcu ?? 0)} | ${count(syncCost('first', bench).writeUnits)} |`,
      );
    }
  }
  out.push('', '### A month at a schedule', '');
  out.push(
    '| users | figures | schedule | runs | idle (2 AZs) | runs | Secrets Manager reads | **total, 2 AZs** | **total, 1 AZ** |',
    '|---|---|---|---|---|---|---|---|---|',
  );
  for (const bench of figures) {
    for (const interval of [60, 1]) {
      const two = monthCost(bench, interval, 2);
      const one = monthCost(bench, interval, 1);
      const runs = (STACK.hoursPerMonth * 60) / interval;
      out.push(
        `| ${count(bench.users)} | ${bench.origin} | every ${interval} min | ${count(runs)} | ${usd(two.idleUsd)} | ${usd(two.runsUsd)} | ${count(secretReadsPerMonth(interval))}: ${usd(two.secretsUsd)} | **${usd(two.usd)}** | **${usd(one.usd)}** |`,
      );
    }
  }
  return `${out.join('\n')}\n`;
}

/** The figures to model: the bench files' lines, else docs/performance.md; 100,000 estimated if not measured. */
export function figuresFor(measured: readonly BenchFigures[]): BenchFigures[] {
  const byUsers = new Map(measured.map((f) => [f.users, f]));
  const base = byUsers.get(10_000) ?? MEASURED_10K;
  byUsers.set(10_000, base);
  if (!byUsers.has(100_000)) byUsers.set(100_000, estimateFrom(base, 100_000));
  return [...byUsers.values()].sort((x, y) => x.users - y.users);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values } = parseArgs({ options: { bench: { type: 'string', multiple: true, default: [] } } });
  const measured = (
    await Promise.all(values.bench.map(async (file) => parseBenchLines(await readFile(file, 'utf8'), file)))
  ).flat();
  process.stdout.write(costTables(figuresFor(measured)));
}
