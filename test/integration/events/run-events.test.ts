/**
 * Run events, end to end (docs/contract.md#operators-are-told): the local stack in this process (its own
 * DynamoDB Local, the schedule checked every half second) with ADSYNC_WEBHOOK_URL pointing at a receiver in
 * this test, running syncs of an OU of this file's own in the Samba DC. Each of sync.failed,
 * sync.deletionsWithheld and sync.stale reaches the receiver, signed (sync.stale with the schedule off: the
 * stale check, every half second here); Test Settings publishes none; a receiver that is down never holds a
 * run up.
 *
 * DynamoDB Local's stream has one shard at a time, read in commit order: once a later event has arrived, an
 * event of an earlier write would have arrived before it. That is how "no event" is checked.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv from 'ajv';
import type { Client } from 'ldapts';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { RUN_EVENT_SCHEMA_FILE } from '../../../cdk/events';
import { type LocalStack, startLocalStack } from '../../../local/local-stack';
import type { RunSummary } from '../../../shared/domain/report';
import type {
  AdSyncEvent,
  RunEvent,
  SyncFailedEvent,
  SyncStaleEvent,
} from '../../../shared/domain/run-event';
import type { Clock } from '../../../shared/ports/clock';
import { systemClock } from '../../../shared/use-cases/system-clock';
import { recordSuccessTwoDaysAgo, saveOuConfig, stackApi } from '../../support/local-stack-api';
import { adsync } from '../../support/local-stack-process';
import { createScratchOu, scratchOuName, userEntry } from '../../support/scratch-ou';
import { fixtureConfig, servicePassword } from '../../support/sync-harness';
import { type Delivery, WebhookReceiver } from '../../support/webhook-receiver';

const directory = inject('directory');
const { dn: ou, tag } = scratchOuName('Run Events');
const userDn = (name: string) => `CN=Run Events ${name},${ou}`;
const userName = (name: string) => `re-${tag}-${name}`;
const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const ARRIVAL = { timeout: 60_000, interval: 100 };
const LONG = 180_000;

const receiver = new WebhookReceiver();
/** The run events delivered from `from` on (the change events left out). */
const runEventsFrom = (from = 0): RunEvent[] =>
  receiver.events(from).filter((e): e is RunEvent => e.type.startsWith('sync.'));
let home: string;
let stack: LocalStack;
/** The stack's clock: the system's, moved on by `skew.ms` when a test lets time pass without waiting for it. */
const skew = { ms: 0 };
const clock: Clock = { ...systemClock, now: () => new Date(Date.now() + skew.ms) };
let admin: Client;
let scratch: Awaited<ReturnType<typeof createScratchOu>>;

const api = stackApi(() => stack);
const save = (overrides: Parameters<typeof saveOuConfig>[2] = {}) => saveOuConfig(api, ou, overrides);

/** Each delivery's Standard Webhooks signature, and its id the event's. */
function expectSigned(deliveries: readonly Delivery<AdSyncEvent>[]): void {
  for (const { headers, body, event } of deliveries) {
    expect(new Webhook(SECRET).verify(body, headers as Record<string, string>)).toEqual(event);
    expect(headers['webhook-id']).toBe(event.id);
  }
}

beforeAll(async () => {
  scratch = await createScratchOu(ou);
  ({ admin } = scratch);
  for (const name of ['r1', 'r2', 'r3']) {
    await admin.add(
      userDn(name),
      userEntry({
        sAMAccountName: userName(name),
        displayName: `Run Events ${name}`,
        mail: `${userName(name)}@${directory.domain}`,
      }),
    );
  }
  await receiver.open();
  home = await mkdtemp(join(tmpdir(), 'ad-sync-run-events-'));
  process.env.ADSYNC_WEBHOOK_URL = `http://127.0.0.1:${receiver.port}/hooks/ad-sync`;
  process.env.ADSYNC_WEBHOOK_SECRET = SECRET;
  stack = await startLocalStack({
    home,
    port: 0,
    token: randomBytes(24).toString('hex'),
    scheduleCheckMs: 500,
    staleCheckMs: 500,
    clock,
    log: () => {},
  });
}, LONG);

afterAll(async () => {
  await stack?.stop();
  delete process.env.ADSYNC_WEBHOOK_URL;
  delete process.env.ADSYNC_WEBHOOK_SECRET;
  await receiver.close();
  await scratch?.remove();
  if (home) await rm(home, { recursive: true, force: true });
});

describe('run events of the local stack', () => {
  it(
    'tells of a failed scheduled run with its back-off state, and of a stale sync with the schedule off; nothing of Test Settings',
    async () => {
      // Alert settings out of range are refused at save, naming each field.
      const refused = await api('PUT', '/config', {
        config: { ...fixtureConfig(), alerts: { staleAfterHours: 0, failuresBeforeBackoff: 101 } },
        password: servicePassword(),
      });
      expect(refused.status).toBe(400);
      expect(refused.body.error).toMatchObject({
        code: 'ValidationError',
        details: [
          { path: 'config.alerts.staleAfterHours', message: expect.any(String) },
          { path: 'config.alerts.failuresBeforeBackoff', message: expect.any(String) },
        ],
      });
      // A base DN that is not there: the run connects and binds, and its search fails.
      const gone = `OU=Gone ${tag},${directory.baseDn}`;
      await save({ baseDn: gone });
      const preview = await api('POST', '/test-settings', {});
      expect(preview.body).toMatchObject({ dryRun: true, status: 'failed' });

      await save({
        baseDn: gone,
        schedule: { enabled: true, intervalMinutes: 60 },
        alerts: { staleAfterHours: 24, failuresBeforeBackoff: 1 },
      });
      await vi.waitFor(() => expect(runEventsFrom()).toHaveLength(1), ARRIVAL);
      await save({ schedule: { enabled: false, intervalMinutes: 60 } });
      const [failed] = runEventsFrom() as [SyncFailedEvent];
      // No event of the failed preview came before it.
      expect(receiver.delivered[0]?.event).toEqual(failed);
      expect(failed).toMatchObject({
        id: `${failed.runId}:sync.failed`,
        type: 'sync.failed',
        trigger: 'schedule',
        error: { code: expect.any(String), message: expect.any(String) },
        schedule: { state: 'backedOff', failedRuns: 1, failuresBeforeBackoff: 1, delayMinutes: 120 },
      });

      // The history now: a run that succeeded two days ago, and nothing since but the failed run. The schedule
      // is off: the stale check tells (every half second here, every minute by default).
      const twoDaysAgo = await recordSuccessTwoDaysAgo(stack, `old-${tag}`);
      await vi.waitFor(() => expect(runEventsFrom()).toHaveLength(2), ARRIVAL);
      const [, stale] = runEventsFrom() as [SyncFailedEvent, SyncStaleEvent];
      expect(stale).toEqual({
        id: `sync.stale:old-${tag}`,
        type: 'sync.stale',
        time: expect.any(String),
        since: twoDaysAgo,
        staleAfterHours: 26,
        lastSucceeded: { runId: `old-${tag}`, finishedAt: twoDaysAgo },
        lastRun: { runId: failed.runId, status: 'failed', finishedAt: expect.any(String) },
      });
      // What GET /sync/runs says (under the settings saved since: 3 failures before the back-off), and its Report.
      const runs = await api('GET', '/sync/runs');
      expect(runs.body).toMatchObject({
        schedule: { enabled: false, state: 'failing', failedRuns: 1, failuresBeforeBackoff: 3 },
        stale: { since: twoDaysAgo },
      });
      const report = await api('GET', `/sync/runs/${failed.runId}`);
      expect(report.body.schedule).toEqual(failed.schedule);
      // And the CLI, above its table of runs.
      const cli = await adsync(['runs'], {
        ADSYNC_PORT: new URL(stack.url).port,
        ADSYNC_TOKEN: stack.token,
        ADSYNC_HOME: home,
      });
      expect(cli.code).toBe(0);
      const [first, second] = cli.stdout.split('\n');
      expect(first).toMatch(
        /^The sync is stale: No run has succeeded since \d{4}-\d\d-\d\d \d\d:\d\d UTC, more than 26 hours\. The last run failed\.$/,
      );
      // The schedule is off now: what it says of the schedule would be moot.
      expect(second).toMatch(/^started +status +trigger/);
      expectSigned(receiver.delivered);
    },
    LONG,
  );

  it(
    'tells of withheld deletes with how to approve them, and the approval it gives applies them',
    async () => {
      await save();
      expect((await api('POST', '/sync', {})).body).toMatchObject({
        status: 'succeeded',
        counts: { created: 3 },
      });
      const from = receiver.delivered.length;
      await admin.del(userDn('r1'));
      await admin.del(userDn('r2'));
      const withheld = await api('POST', '/sync', {});
      expect(withheld.body).toMatchObject({ status: 'deletionThresholdExceeded', deletesWithheld: 2 });

      await vi.waitFor(() => expect(runEventsFrom(from)).toHaveLength(1), ARRIVAL);
      const [event] = runEventsFrom(from);
      expect(event).toEqual({
        id: `${withheld.body.runId}:sync.deletionsWithheld`,
        type: 'sync.deletionsWithheld',
        time: withheld.body.finishedAt,
        runId: withheld.body.runId,
        trigger: 'api',
        deletesWithheld: 2,
        counts: withheld.body.counts,
        configVersion: withheld.body.configVersion,
        deletesWithheldBecause: withheld.body.deletesWithheldBecause,
        approve: {
          command: `adsync sync --allow-mass-deletion --run ${withheld.body.runId} --deletes 2`,
          request: {
            method: 'POST',
            path: '/sync',
            body: { allowMassDeletion: { runId: withheld.body.runId, deletes: 2 } },
          },
        },
      });
      // The approval, as the event says to send it.
      const approve = event?.type === 'sync.deletionsWithheld' ? event.approve?.request : undefined;
      const approved = await api(approve?.method ?? 'POST', approve?.path ?? '/sync', approve?.body);
      expect(approved.body).toMatchObject({ status: 'succeeded', counts: { deleted: 2 } });
      await vi.waitFor(
        () =>
          expect(receiver.delivered.slice(from).filter((d) => d.event.type === 'user.deleted')).toHaveLength(
            2,
          ),
        ARRIVAL,
      );
      expect(runEventsFrom(from)).toHaveLength(1);
      expectSigned(receiver.delivered.slice(from));
    },
    LONG,
  );

  it(
    'runs to its end while the receiver is down, and delivers sync.failed once it is back',
    async () => {
      const from = receiver.delivered.length;
      await receiver.close();
      await save({ baseDn: `OU=Also Gone ${tag},${directory.baseDn}` });
      const started = Date.now();
      const failed = await api('POST', '/sync', {});
      expect(failed.status).toBe(200);
      expect(failed.body).toMatchObject({ status: 'failed', trigger: 'api' });
      expect(Date.now() - started).toBeLessThan(30_000);
      await receiver.open();
      await vi.waitFor(() => expect(runEventsFrom(from)).toHaveLength(1), ARRIVAL);
      expect(runEventsFrom(from)[0]).toMatchObject({
        id: `${failed.body.runId}:sync.failed`,
        error: failed.body.error,
      });
      expect(runEventsFrom(from)[0]).not.toHaveProperty('schedule');
    },
    LONG,
  );

  it(
    'tells of a stale sync with the schedule off once alerts.staleAfterHours has passed since the last success, once',
    async () => {
      const from = receiver.delivered.length;
      const { runs } = (await api('GET', '/sync/runs')).body as { runs: RunSummary[] };
      // The approval's run, above.
      const success = runs.find((run) => run.status === 'succeeded') as RunSummary;
      // The least there is, 36 s: failing runs, and the stale check tells once they have passed (the stack's
      // clock moved on, not waited for).
      await save({ baseDn: `OU=Gone Again ${tag},${directory.baseDn}`, alerts: { staleAfterHours: 0.01 } });
      const failed = await api('POST', '/sync', {});
      expect(failed.body).toMatchObject({ status: 'failed', trigger: 'api' });
      const staleOnes = () => runEventsFrom(from).filter((e): e is SyncStaleEvent => e.type === 'sync.stale');
      skew.ms += 40_000;
      await vi.waitFor(() => expect(staleOnes()).toHaveLength(1), ARRIVAL);
      expect(staleOnes()[0]).toEqual({
        id: `sync.stale:${success.runId}`,
        type: 'sync.stale',
        time: expect.any(String),
        since: success.finishedAt,
        staleAfterHours: 0.01,
        lastSucceeded: { runId: success.runId, finishedAt: success.finishedAt },
        lastRun: { runId: expect.any(String), status: 'failed', finishedAt: expect.any(String) },
      });
      expect(Date.parse(staleOnes()[0]?.time ?? '')).toBeGreaterThanOrEqual(
        Date.parse(success.finishedAt) + 36_000,
      );
      // The same spell: another failed run, and the checks after it, publish no second sync.stale.
      const again = await api('POST', '/sync', {});
      expect(again.body).toMatchObject({ status: 'failed' });
      await vi.waitFor(
        () => expect(runEventsFrom(from).map((e) => e.id)).toContain(`${again.body.runId}:sync.failed`),
        ARRIVAL,
      );
      expect(staleOnes()).toHaveLength(1);
      await save();
    },
    LONG,
  );

  it('delivered run events that validate against docs/run-events.schema.json, as the bus delivers them', () => {
    const ajv = new Ajv({ allErrors: true, strict: false, validateSchema: false });
    ajv.addFormat('date-time', (value: string) =>
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(value),
    );
    const validate = ajv.compile(JSON.parse(readFileSync(RUN_EVENT_SCHEMA_FILE, 'utf8')));
    const events = runEventsFrom();
    expect(new Set(events.map((e) => e.type))).toEqual(
      new Set(['sync.failed', 'sync.stale', 'sync.deletionsWithheld']),
    );
    for (const event of events) {
      const onTheBus = {
        version: '0',
        id: 'delivery',
        'detail-type': event.type,
        source: 'ad-sync',
        account: '123456789012',
        time: event.time,
        region: 'eu-central-1',
        resources: [],
        detail: event,
      };
      expect(validate(onTheBus), `${event.id}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
    // Each event once: no id delivered twice.
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
  });
});
