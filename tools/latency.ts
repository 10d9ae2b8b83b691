/**
 * `npm run latency -- [--changes 20] [--json]`: how long a change in AD takes to reach its user item in
 * DynamoDB and its change event (the webhook), with the schedule at its shortest, every minute, first without
 * and then with change notifications (`schedule.changeNotifications`), in one run
 * (docs/performance.md#near-real-time-a-change-in-ad-to-its-user-item).
 *
 * Starts what the demo starts (sample-stack.ts: the sample directory, the local stack), with the local stack's
 * webhook pointed at a receiver of its own on 127.0.0.1, saves the fixture's configuration with
 * `schedule: { enabled: true, intervalMinutes: 1 }`, and runs Synchronize now once so that the table holds the
 * users and the incremental cursor exists. Then, twice (on other users each time), as Administrator over
 * LDAPS, it changes the displayName of N in-scope users, 2-8 s apart at random (so that the changes land at
 * different points of the minute), and reads their items directly from DynamoDB Local every 250 ms until each
 * one's fullName is the new name, and its user.updated event has come: latency = first seen - changed.
 *
 * 1. Without notifications: only the local stack's schedule runs syncs. It looks at the configuration every
 *    30 s and runs the minute's occurrence at its first look in that minute, so runs start every 60 s at a
 *    fixed point of the minute, as EventBridge Scheduler's rate(1 minute) does; the changes start once the
 *    schedule has run twice (see scheduledRuns).
 * 2. With notifications: the configuration is saved with changeNotifications on; the changes start once the
 *    watch is watching and its catch-up run has ended. The schedule stays on.
 *
 * Prints each change, p50, p95, min and max to the item and to the event, and the runs of each measurement
 * (GET /sync/runs) by trigger; `--json` prints one line instead:
 * `{changes, schedule: {itemP50Ms, itemP95Ms, eventP50Ms, eventP95Ms, ...}, notifications: {...}}`. Fails
 * when a change is not seen within 3 minutes of the last one. Everything started is stopped at the end.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ApiClient } from '../cli/api-client';
import { table } from '../cli/presenter';
import { localDynamoDbClient } from '../local/dynamodb-local';
import type { RunSummary } from '../shared/api/schemas';
import { logger } from '../shared/runtime/logger';
import { ldapsClientFor } from '../test/support/samba-dc';
import { changeAndWatch, EventReceiver, type Probe, TIMEOUT_MS, userDn } from './latency-probes';
import { percentile } from './percentile';
import { startSampleStack } from './sample-stack';

/** The shortest schedule the configuration allows. */
const SCHEDULE_MINUTES = 1;
/** The changes are this far apart, uniformly at random. */
const MIN_GAP_MS = 2_000;
const MAX_GAP_MS = 8_000;
/** One BatchGetItem reads at most 100 keys; more changes would need several requests per poll. */
const MAX_CHANGES = 100;

const { values } = parseArgs({
  options: { changes: { type: 'string', default: '20' }, json: { type: 'boolean', default: false } },
});
const changeCount = Number(values.changes);
if (!Number.isInteger(changeCount) || changeCount < 1 || changeCount > MAX_CHANGES) {
  throw new Error(`--changes must be a whole number from 1 to ${MAX_CHANGES}, not ${values.changes}`);
}

// The runs' per-step JSON log lines would drown the measurement's own lines.
logger.setLogLevel('WARN');
/** Progress and results: stdout, or stderr with --json (whose stdout is the one JSON line). */
const say = (line = ''): void => {
  (values.json ? process.stderr : process.stdout).write(`${line}\n`);
};

const time = (ms: number): string => new Date(ms).toISOString().slice(11, 23);
const seconds = (ms: number): string => (ms / 1000).toFixed(1);

/** Waits until `done` holds for the run history (every second), or fails after TIMEOUT_MS saying `what`. */
async function untilRuns(
  api: ApiClient,
  done: (history: Awaited<ReturnType<ApiClient['listRuns']>>) => boolean,
  what: string,
): Promise<void> {
  for (const deadline = Date.now() + TIMEOUT_MS; Date.now() < deadline; await sleep(1_000)) {
    if (done(await api.listRuns())) return;
  }
  throw new Error(`${what} did not happen in ${TIMEOUT_MS / 60_000} minutes`);
}

/**
 * Waits until the schedule has run `count` times. The first run can come 30 s before the second: when the
 * stack's first look at the configuration is the second of its minute, the next minute's first look is
 * 30 s later. From the second run on, runs are 60 s apart.
 */
const scheduledRuns = (api: ApiClient, count: number) =>
  untilRuns(
    api,
    ({ runs }) =>
      runs.filter((run) => run.trigger === 'schedule' && run.status !== 'running').length >= count,
    `the schedule's ${count} runs`,
  );

/** The runs that started during a measurement, oldest first, once none is running. */
async function runsBetween(api: ApiClient, started: number, ended: number): Promise<RunSummary[]> {
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
  return during.reverse();
}

interface Measured {
  readonly itemP50Ms: number;
  readonly itemP95Ms: number;
  readonly itemMaxMs: number;
  readonly eventP50Ms: number;
  readonly eventP95Ms: number;
  readonly eventMaxMs: number;
  readonly runs: Readonly<Record<string, number>>;
  readonly runMsP50: number | null;
}

/** Prints one measurement's changes and runs, and answers its figures. */
function summarize(label: string, probes: readonly Probe[], runs: readonly RunSummary[]): Measured {
  const item = probes.map((probe) => (probe.seenAt as number) - (probe.changedAt as number));
  const event = probes.map((probe) => (probe.eventAt as number) - (probe.changedAt as number));
  const runMs = runs.map((run) => Date.parse(run.finishedAt) - Date.parse(run.startedAt));
  say();
  say(`${label}:`);
  say(
    table(
      ['user', 'changed (UTC)', 'item (UTC)', 'item s', 'event s'],
      probes.map((probe, index) => [
        probe.userName,
        time(probe.changedAt as number),
        time(probe.seenAt as number),
        seconds(item[index] as number),
        seconds(event[index] as number),
      ]),
    ),
  );
  say(
    table(
      ['run started (UTC)', 'trigger', 'status', 'ms', 'updated'],
      runs.map((run, index) => [
        time(Date.parse(run.startedAt)),
        run.trigger ?? '',
        run.status,
        String(runMs[index]),
        String(run.counts.updated),
      ]),
    ),
  );
  const byTrigger: Record<string, number> = {};
  for (const run of runs) byTrigger[run.trigger ?? 'api'] = (byTrigger[run.trigger ?? 'api'] ?? 0) + 1;
  const measured: Measured = {
    itemP50Ms: Math.round(percentile(item, 50)),
    itemP95Ms: Math.round(percentile(item, 95)),
    itemMaxMs: Math.max(...item),
    eventP50Ms: Math.round(percentile(event, 50)),
    eventP95Ms: Math.round(percentile(event, 95)),
    eventMaxMs: Math.max(...event),
    runs: byTrigger,
    runMsP50: runMs.length > 0 ? Math.round(percentile(runMs, 50)) : null,
  };
  say(
    `${label}: ${changeCount} changes; to the item p50 ${seconds(measured.itemP50Ms)} s, p95 ` +
      `${seconds(measured.itemP95Ms)} s, max ${seconds(measured.itemMaxMs)} s; to the event p50 ` +
      `${seconds(measured.eventP50Ms)} s, p95 ${seconds(measured.eventP95Ms)} s, max ` +
      `${seconds(measured.eventMaxMs)} s; runs ${JSON.stringify(byTrigger)} (p50 ${measured.runMsP50} ms)`,
  );
  return measured;
}

const gapsFor = (probes: readonly Probe[]) =>
  probes.map(() => MIN_GAP_MS + Math.random() * (MAX_GAP_MS - MIN_GAP_MS));

async function main(): Promise<void> {
  const events = new EventReceiver();
  await events.open();
  // The local stack reads these at its start: its change relay delivers each change event here.
  process.env.ADSYNC_WEBHOOK_URL = `http://127.0.0.1:${events.port}/events`;
  process.env.ADSYNC_WEBHOOK_SECRET = `whsec_${randomBytes(32).toString('base64')}`;
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
    if (created.length < 2 * changeCount) {
      throw new Error(
        `--changes ${changeCount}: the sample directory has only ${created.length} users in scope (twice that are changed)`,
      );
    }
    say(`First sync: ${created.length} users created; the incremental cursor is set.`);

    await admin.bind(dc.connection.administrator.upn, dc.connection.administrator.password);
    const probes: Probe[] = [];
    for (const [index, userName] of created
      .sort()
      .slice(0, 2 * changeCount)
      .entries()) {
      probes.push({
        userName,
        dn: await userDn(admin, dc.connection.baseDn, userName),
        displayName: `Latency probe ${index + 1} ${randomBytes(3).toString('hex')}`,
      });
    }
    const withoutProbes = probes.slice(0, changeCount);
    const withProbes = probes.slice(changeCount);

    say('Without notifications: waiting for the schedule to settle (its second run) ...');
    await scheduledRuns(api, 2);
    say(`Changing ${changeCount} users' displayName ${MIN_GAP_MS / 1000}-${MAX_GAP_MS / 1000} s apart ...`);
    const a = await changeAndWatch(admin, dynamo, events, withoutProbes, gapsFor(withoutProbes));
    const schedule = summarize('Schedule only', withoutProbes, await runsBetween(api, a.started, a.ended));

    say('With notifications: turning schedule.changeNotifications on ...');
    const saved = await api.getConfig();
    await api.putConfig(
      { config: { ...saved.config, schedule: { ...saved.config.schedule, changeNotifications: true } } },
      saved.version,
    );
    await untilRuns(
      api,
      ({ runs, watch }) =>
        watch?.state === 'watching' &&
        runs.some((run) => run.trigger === 'notification') &&
        runs.every((run) => run.status !== 'running'),
      'the watch and its catch-up run',
    );
    say(
      `Changing ${changeCount} other users' displayName ${MIN_GAP_MS / 1000}-${MAX_GAP_MS / 1000} s apart ...`,
    );
    const b = await changeAndWatch(admin, dynamo, events, withProbes, gapsFor(withProbes));
    const notifications = summarize(
      'With change notifications',
      withProbes,
      await runsBetween(api, b.started, b.ended),
    );
    if (values.json) {
      process.stdout.write(`${JSON.stringify({ changes: changeCount, schedule, notifications })}\n`);
    }
  } finally {
    await admin.unbind().catch(() => {});
    dynamo.destroy();
    await stop();
    await events.close();
  }
}

await main();
