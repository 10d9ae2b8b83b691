/**
 * `npm run latency -- [--changes 20] [--json]`: how long a change in AD takes to reach its user item in
 * DynamoDB with the schedule at its shortest, every minute (docs/performance.md#near-real-time-a-change-in-ad-to-its-user-item).
 *
 * Starts what the demo starts (sample-stack.ts: the sample directory, the local stack), saves the fixture's
 * configuration with `schedule: { enabled: true, intervalMinutes: 1 }`, and runs Synchronize now once so that
 * the table holds the users and the incremental cursor exists. Then, as Administrator over LDAPS, it changes
 * the displayName of N in-scope users, 2-8 s apart at random (so that the changes land at different points
 * of the minute), and reads their items directly from DynamoDB Local every 250 ms until each one's fullName
 * is the new name: latency = first seen - changed. Only the local stack's schedule runs syncs meanwhile: it
 * looks at the configuration every 30 s and runs the minute's occurrence at its first look in that minute
 * (a second look in the same minute is a duplicate), so runs start every 60 s at a fixed point of the
 * minute, as EventBridge Scheduler's rate(1 minute) does; the changes start once the schedule has run twice
 * (see scheduledRuns).
 *
 * Prints each change, p50, p95, min and max, and the scheduled runs of the measurement (GET /sync/runs)
 * with their durations; `--json` prints one line instead:
 * `{changes, p50Ms, p95Ms, minMs, maxMs, runs, runMsP50}`. Fails when a change is not seen within 3 minutes
 * of the last one. Everything started is stopped at the end, also on failure.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { BatchGetCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Attribute, Change, type Client, EqualityFilter } from 'ldapts';
import type { ApiClient } from '../cli/api-client';
import { table } from '../cli/presenter';
import { localDynamoDbClient } from '../local/dynamodb-local';
import { TABLE_NAME } from '../local/local-stack';
import { userKey } from '../shared/adapters/dynamodb/keys';
import { tableKeys } from '../shared/adapters/dynamodb/table';
import type { RunSummary } from '../shared/api/schemas';
import { logger } from '../shared/runtime/logger';
import { ldapsClientFor } from '../test/support/samba-dc';
import { percentile } from './percentile';
import { startSampleStack } from './sample-stack';

/** The shortest schedule the configuration allows. */
const SCHEDULE_MINUTES = 1;
/** The changes are this far apart, uniformly at random. */
const MIN_GAP_MS = 2_000;
const MAX_GAP_MS = 8_000;
const POLL_MS = 250;
/** A change not seen this long after the last change fails the measurement. */
const TIMEOUT_MS = 3 * 60_000;
/** One BatchGetItem reads at most 100 keys; more changes would need several requests per poll. */
const MAX_CHANGES = 100;

const { values } = parseArgs({
  options: { changes: { type: 'string', default: '20' }, json: { type: 'boolean', default: false } },
});
const changeCount = Number(values.changes);
if (!Number.isInteger(changeCount) || changeCount < 1 || changeCount > MAX_CHANGES) {
  throw new Error(`--changes must be a whole number from 1 to ${MAX_CHANGES}, not ${values.changes}`);
}

// The scheduled runs' per-step JSON log lines would drown the measurement's own lines.
logger.setLogLevel('WARN');
/** Progress and results: stdout, or stderr with --json (whose stdout is the one JSON line). */
const say = (line = ''): void => {
  (values.json ? process.stderr : process.stdout).write(`${line}\n`);
};

interface Probe {
  readonly userName: string;
  readonly dn: string;
  readonly displayName: string;
  changedAt?: number;
  seenAt?: number;
}

const time = (ms: number): string => new Date(ms).toISOString().slice(11, 23);
const seconds = (ms: number): string => (ms / 1000).toFixed(1);

/** The DN of the user whose sAMAccountName this is (exactly one). */
async function userDn(admin: Client, baseDn: string, userName: string): Promise<string> {
  const { searchEntries } = await admin.search(baseDn, {
    scope: 'sub',
    filter: new EqualityFilter({ attribute: 'sAMAccountName', value: userName }),
    attributes: ['dn'],
  });
  const [entry, ...more] = searchEntries;
  if (!entry || more.length > 0) {
    throw new Error(`expected one directory user ${userName}, found ${searchEntries.length}`);
  }
  return entry.dn;
}

/** Marks the probes whose item has the new fullName (one BatchGetItem, consistent reads). */
async function markSeen(dynamo: DynamoDBDocumentClient, pending: readonly Probe[]): Promise<void> {
  if (pending.length === 0) return;
  const answer = await dynamo.send(
    new BatchGetCommand({
      RequestItems: {
        [TABLE_NAME]: { Keys: pending.map((probe) => userKey(probe.userName)), ConsistentRead: true },
      },
    }),
  );
  const seenAt = Date.now();
  // Keys left unprocessed are read again at the next poll.
  for (const item of answer.Responses?.[TABLE_NAME] ?? []) {
    const key = item[tableKeys.partitionKey];
    const probe = pending.find((p) => userKey(p.userName)[tableKeys.partitionKey] === key);
    if (probe && item.fullName === probe.displayName) probe.seenAt = seenAt;
  }
}

/**
 * Waits until the schedule has run `count` times. The first run can come 30 s before the second: when the
 * stack's first look at the configuration is the second of its minute, the next minute's first look is
 * 30 s later. From the second run on, runs are 60 s apart.
 */
async function scheduledRuns(api: ApiClient, count: number): Promise<void> {
  for (const deadline = Date.now() + TIMEOUT_MS; Date.now() < deadline; await sleep(1_000)) {
    const { runs } = await api.listRuns();
    if (runs.filter((run) => run.trigger === 'schedule' && run.status !== 'running').length >= count) return;
  }
  throw new Error(`the schedule did not run ${count} times in ${TIMEOUT_MS / 60_000} minutes`);
}

/**
 * Changes each probe's displayName at its gap after the previous change, and polls DynamoDB until every new
 * name is in its item; the start and the end of the measurement.
 */
async function changeAndWatch(
  admin: Client,
  dynamo: DynamoDBDocumentClient,
  probes: readonly Probe[],
  gaps: readonly number[],
): Promise<{ started: number; ended: number }> {
  const started = Date.now();
  say(`Changing ${changeCount} users' displayName ${MIN_GAP_MS / 1000}-${MAX_GAP_MS / 1000} s apart ...`);
  let next = 0;
  let dueAt = started + (gaps[0] as number);
  for (;;) {
    if (next < probes.length && Date.now() >= dueAt) {
      const probe = probes[next] as Probe;
      await admin.modify(probe.dn, [
        new Change({
          operation: 'replace',
          modification: new Attribute({ type: 'displayName', values: [probe.displayName] }),
        }),
      ]);
      probe.changedAt = Date.now();
      next += 1;
      dueAt = probe.changedAt + (gaps[next] ?? 0);
    }
    await markSeen(
      dynamo,
      probes.filter((probe) => probe.changedAt !== undefined && probe.seenAt === undefined),
    );
    if (probes.every((probe) => probe.seenAt !== undefined)) break;
    const lastChangedAt = probes.at(-1)?.changedAt;
    if (lastChangedAt !== undefined && Date.now() - lastChangedAt > TIMEOUT_MS) {
      const unseen = probes.filter((probe) => probe.seenAt === undefined).map((probe) => probe.userName);
      throw new Error(
        `${unseen.length} changes not in DynamoDB ${TIMEOUT_MS / 60_000} minutes after the last change: ${unseen.join(', ')}`,
      );
    }
    await sleep(POLL_MS);
  }
  const ended = Date.now();
  return { started, ended };
}

/** The runs that started during the measurement, oldest first, once none is running; all the schedule's. */
async function scheduledRunsBetween(api: ApiClient, started: number, ended: number): Promise<RunSummary[]> {
  // The run that wrote the last item records its report a moment later.
  const runsOfMeasurement = async () =>
    (await api.listRuns()).runs.filter(
      (run) => Date.parse(run.startedAt) >= started && Date.parse(run.startedAt) <= ended,
    );
  let during = await runsOfMeasurement();
  for (let tries = 0; during.some((run) => run.status === 'running') && tries < 60; tries += 1) {
    await sleep(500);
    during = await runsOfMeasurement();
  }
  const others = during.filter((run) => run.trigger !== 'schedule');
  if (others.length > 0) {
    throw new Error(
      `runs other than the schedule's during the measurement: ${others.map((r) => r.runId).join(', ')}`,
    );
  }
  return during.reverse();
}

/** Prints each change, the scheduled runs and the summary; the JSON line with --json. */
function report(
  probes: readonly Probe[],
  scheduled: readonly RunSummary[],
  started: number,
  ended: number,
): void {
  const runMs = scheduled.map((run) => Date.parse(run.finishedAt) - Date.parse(run.startedAt));
  const latencies = probes.map((probe) => (probe.seenAt as number) - (probe.changedAt as number));
  say();
  say(
    table(
      ['user', 'changed (UTC)', 'seen (UTC)', 'latency s'],
      probes.map((probe, index) => [
        probe.userName,
        time(probe.changedAt as number),
        time(probe.seenAt as number),
        seconds(latencies[index] as number),
      ]),
    ),
  );
  say();
  say(
    table(
      ['scheduled run started (UTC)', 'status', 'ms', 'updated'],
      scheduled.map((run, index) => [
        time(Date.parse(run.startedAt)),
        run.status,
        String(runMs[index]),
        String(run.counts.updated),
      ]),
    ),
  );
  const result = {
    changes: changeCount,
    p50Ms: Math.round(percentile(latencies, 50)),
    p95Ms: Math.round(percentile(latencies, 95)),
    minMs: Math.min(...latencies),
    maxMs: Math.max(...latencies),
    runs: scheduled.length,
    runMsP50: runMs.length > 0 ? Math.round(percentile(runMs, 50)) : null,
  };
  say();
  say(
    `${changeCount} changes, schedule every ${SCHEDULE_MINUTES} minute: latency p50 ${result.p50Ms} ms, ` +
      `p95 ${result.p95Ms} ms, min ${result.minMs} ms, max ${result.maxMs} ms; ` +
      `${result.runs} scheduled runs in ${seconds(ended - started)} s, ${runMs.join(', ')} ms (p50 ${result.runMsP50} ms)`,
  );
  if (values.json) process.stdout.write(`${JSON.stringify(result)}\n`);
}

async function main(): Promise<void> {
  say('Starting the sample directory and the local stack, the schedule every minute ...');
  const { dc, stack, api, stop } = await startSampleStack({
    label: 'latency',
    config: { schedule: { enabled: true, intervalMinutes: SCHEDULE_MINUTES } },
    log: (line) => say(`  ${line}`),
  });
  const admin = ldapsClientFor(dc.connection);
  const dynamo = DynamoDBDocumentClient.from(localDynamoDbClient(stack.dynamodbEndpoint));
  try {
    const first = await api.synchronize();
    if (first.status !== 'succeeded') {
      throw new Error(`the first sync ended ${first.status}: ${first.error?.message ?? 'no error given'}`);
    }
    const created = first.changes.filter((change) => change.action === 'create').map((c) => c.userName);
    if (created.length < changeCount) {
      throw new Error(
        `--changes ${changeCount}: the sample directory has only ${created.length} users in scope`,
      );
    }
    say(`First sync: ${created.length} users created; the incremental cursor is set.`);

    await admin.bind(dc.connection.administrator.upn, dc.connection.administrator.password);
    const probes: Probe[] = [];
    for (const [index, userName] of created.sort().slice(0, changeCount).entries()) {
      probes.push({
        userName,
        dn: await userDn(admin, dc.connection.baseDn, userName),
        displayName: `Latency probe ${index + 1} ${randomBytes(3).toString('hex')}`,
      });
    }
    const gaps = probes.map(() => MIN_GAP_MS + Math.random() * (MAX_GAP_MS - MIN_GAP_MS));

    say('Waiting for the schedule to settle (its second run) ...');
    await scheduledRuns(api, 2);

    const { started, ended } = await changeAndWatch(admin, dynamo, probes, gaps);
    report(probes, await scheduledRunsBetween(api, started, ended), started, ended);
  } finally {
    await admin.unbind().catch(() => {});
    dynamo.destroy();
    await stop();
  }
}

await main();
