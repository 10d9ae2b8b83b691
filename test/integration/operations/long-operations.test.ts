/**
 * Long operations (SPEC 7.1) through the real handlers, called with API Gateway events, against the Samba DC
 * and DynamoDB Local; the start function hands each operation to its worker in this process, as the local
 * stack does. A slow link (the fault proxy's drip, sized from a measured read) makes a run last several
 * seconds whatever the machine, so a run can be watched while it runs: 202 and Location, progress that only
 * grows, 409 naming the running run, previews kept a day apart from the run history, and a run whose
 * invocation died shown as interrupted once its lease is gone.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DynamoRunLock } from '../../../shared/adapters/dynamodb/dynamo-run-lock';
import { DynamoPreviewStore, DynamoRunStore } from '../../../shared/adapters/dynamodb/dynamo-run-store';
import { previewKey } from '../../../shared/adapters/dynamodb/keys';
import type { ConfigInput } from '../../../shared/config/config-schema';
import { type Report, type ReportCounts, RUN_PHASES, type RunProgress } from '../../../shared/domain/report';
import { PREVIEW_RETAIN_SECONDS } from '../../../shared/ports/run-store';
import { previewAsSeen, startedReport } from '../../../shared/use-cases/operation-status';
import type { ProgressSink } from '../../../shared/use-cases/run-progress';
import { synchronizeNow } from '../../../shared/use-cases/synchronize-now';
import { systemClock } from '../../../shared/use-cases/system-clock';
import type { JsonResponse } from '../../support/api-events';
import { dynamoDbClient, scanAll } from '../../support/clients';
import { type LoadedHandlers, loadHandlers } from '../../support/lambda-handlers';
import {
  createSyncHarness,
  fixtureConfig,
  type SyncHarness,
  servicePassword,
} from '../../support/sync-harness';
import { type FaultProxy, startFaultProxy } from '../../support/tcp-fault-proxy';

/**
 * How long the slow link makes a directory read last (the drip is sized from a measured read): more than twice
 * the longest wait the slow cases ask for (`Prefer: wait=1`), and a dozen progress writes (every 200 ms).
 */
const SLOW_READ_MS = 2_500;

const dynamodb = dynamoDbClient();
let loaded: LoadedHandlers;
let harness: SyncHarness;
let slowLink: FaultProxy;
/** The counts of a sync of the fixture into an empty table, run directly (no API, no worker). */
let directCounts: ReportCounts;

const call = (...args: Parameters<LoadedHandlers['call']>): Promise<JsonResponse> => loaded.call(...args);

/** The fixture DC through the slow link; a page takes seconds there, so the operation timeout is generous. */
const slowConnection = (): Partial<ConfigInput['connection']> => ({
  servers: [`127.0.0.1:${slowLink.port}`],
  timeoutSeconds: 60,
});

async function saveConfig(connection: Partial<ConfigInput['connection']> = {}): Promise<void> {
  const saved = await call('config', 'PUT', '/config', {
    body: { config: fixtureConfig({ connection }), password: servicePassword() },
  });
  expect(saved.statusCode).toBe(200);
}

/**
 * Polls a long operation's route until it has ended, as a client does; every answer in order, the last one
 * the end.
 */
async function follow(functionPath: string, pollMs = 100): Promise<JsonResponse[]> {
  const answers: JsonResponse[] = [];
  for (;;) {
    const answer = await call('runs', 'GET', functionPath);
    answers.push(answer);
    if (answer.statusCode !== 200 || answer.body.status !== 'running') return answers;
    await sleep(pollMs);
  }
}

/**
 * What breaks "progress only grows" in a sequence of progress seen: a phase before the previous one (in the
 * order connect, search, plan, apply, record), a count that went down, more applied than to apply, a
 * toApply before the apply phase or none in it. Empty when the sequence grows.
 */
function progressViolations(seen: readonly RunProgress[]): string[] {
  const violations: string[] = [];
  const rank = (progress: RunProgress) => RUN_PHASES.indexOf(progress.phase);
  seen.forEach((progress, i) => {
    const where = `progress ${i} ${JSON.stringify(progress)}`;
    if (rank(progress) < 0) violations.push(`${where}: unknown phase`);
    if (progress.toApply !== undefined && progress.applied > progress.toApply) {
      violations.push(`${where}: applied > toApply`);
    }
    if (rank(progress) < RUN_PHASES.indexOf('apply') && progress.toApply !== undefined) {
      violations.push(`${where}: toApply before the apply phase`);
    }
    if (progress.phase === 'apply' && progress.toApply === undefined) {
      violations.push(`${where}: the apply phase without toApply`);
    }
    const before = seen[i - 1];
    if (!before) return;
    if (rank(progress) < rank(before)) violations.push(`${where}: phase went back from ${before.phase}`);
    for (const count of ['read', 'inScope', 'planned', 'applied'] as const) {
      if (progress[count] < before[count]) {
        violations.push(`${where}: ${count} went down from ${before[count]}`);
      }
    }
  });
  return violations;
}

/**
 * Progress that says the read is over (a phase past `search`) while entries are still to be read: a run of
 * `directoryUsers` entries is in `connect` or `search` until it has read them all (pages are planned as they
 * arrive; `plan` is what follows the read).
 */
function phasesAheadOfRead(seen: readonly RunProgress[], directoryUsers: number): string[] {
  return seen
    .filter((progress) => progress.read < directoryUsers && !['connect', 'search'].includes(progress.phase))
    .map(
      (progress) => `${JSON.stringify(progress)}: ${directoryUsers - progress.read} entries still to read`,
    );
}

beforeAll(async () => {
  // Every run reads the whole directory (a run on the cursor would read nothing and be quick); progress is
  // written every 200 ms and apply batches are small, so that a run of a few seconds moves visibly.
  Object.assign(process.env, {
    FULL_READ_EVERY_HOURS: '0',
    PROGRESS_INTERVAL_MS: '200',
    APPLY_BATCH_SIZE: '100',
  });
  loaded = await loadHandlers();

  // A direct sync of the fixture through a plain proxy: the counts a sync gives, and the bytes a read takes.
  harness = await createSyncHarness();
  const measure = await startFaultProxy({ targetHost: inject('directory').host, targetPort: 636 });
  await harness.configs.saveConfig(fixtureConfig({ connection: { servers: [`127.0.0.1:${measure.port}`] } }));
  const direct = await synchronizeNow(harness.exclusive());
  expect(direct.status).toBe('succeeded');
  expect(direct.counts.created).toBeGreaterThan(1000);
  directCounts = direct.counts;
  const readBytes = measure.serverBytes();
  await measure.close();

  // Drops of `bytes` every 20 ms: a whole read takes SLOW_READ_MS.
  const everyMs = 20;
  slowLink = await startFaultProxy({
    targetHost: inject('directory').host,
    targetPort: 636,
    fault: { kind: 'drip', bytes: Math.ceil((readBytes * everyMs) / SLOW_READ_MS), everyMs },
  });
}, 180_000);

afterAll(async () => {
  await slowLink?.close();
  harness?.close();
  dynamodb.destroy();
});

describe('POST /sync, a sync slower than the wait', () => {
  let polls: JsonResponse[];
  let runId: string;

  it('answers 202 with the run and where to follow it, and the run goes on to its end', async () => {
    await saveConfig(slowConnection());
    const started = await call('start', 'POST', '/sync', { headers: { Prefer: 'wait=1' }, body: {} });
    expect(started.statusCode).toBe(202);
    expect(started.body).toEqual({ runId: expect.any(String), status: 'running' });
    runId = started.body.runId;
    expect(started.headers.location).toBe(`/sync/runs/${runId}`);
    // Its wait was not met: nothing says it was applied.
    expect(started.headers['preference-applied']).toBeUndefined();

    // The run history lists it while it runs.
    const listed = await call('runs', 'GET', '/sync/runs');
    expect(listed.body.runs[0]).toMatchObject({ runId, status: 'running', progress: expect.any(Object) });

    polls = await follow(started.headers.location as string);
    const running = polls.slice(0, -1);
    expect(running.length).toBeGreaterThan(1);
    for (const poll of running) {
      expect(poll.statusCode).toBe(200);
      expect(poll.body).toMatchObject({
        runId,
        dryRun: false,
        status: 'running',
        trigger: 'api',
        progress: {
          phase: expect.any(String),
          read: expect.any(Number),
          inScope: expect.any(Number),
          planned: expect.any(Number),
          applied: expect.any(Number),
        },
      });
    }
    const end = polls.at(-1) as JsonResponse;
    expect(end.statusCode).toBe(200);
    expect(end.body).toMatchObject({ runId, dryRun: false, status: 'succeeded', trigger: 'api' });
    expect(end.body.progress).toBeUndefined();
    // The same counts as the same sync run directly.
    expect(end.body.counts).toEqual(directCounts);
    // It started when the API started it, and its record is the same in the history.
    expect(end.body.startedAt).toBe(running[0]?.body.startedAt);
    expect((await call('runs', 'GET', '/sync/runs')).body.runs[0]).toMatchObject({
      runId,
      status: 'succeeded',
      counts: directCounts,
    });
  }, 120_000);

  it('shows progress that only grows, and moves while the run goes on', () => {
    const seen = polls.slice(0, -1).map((poll) => poll.body.progress as RunProgress);
    expect(progressViolations(seen)).toEqual([]);
    expect(phasesAheadOfRead(seen, directCounts.directoryUsers)).toEqual([]);
    // It moved: the polls saw more than the record the run started with.
    expect(new Set(seen.map((progress) => JSON.stringify(progress))).size).toBeGreaterThan(1);
    expect(seen.some((progress) => progress.read > 0)).toBe(true);
  });

  it('answers 409 to a second sync, naming the running run', async () => {
    const first = await call('start', 'POST', '/sync', { body: {} });
    expect(first.statusCode).toBe(202);
    const second = await call('start', 'POST', '/sync', { headers: { Prefer: 'wait=1' }, body: {} });
    expect(second.statusCode).toBe(409);
    expect(second.body.error).toMatchObject({
      code: 'SyncRunning',
      details: [{ path: 'runId', message: first.body.runId }],
    });
    // The refused start recorded nothing; the first run ends as it would have.
    const end = (await follow(first.headers.location as string)).at(-1) as JsonResponse;
    expect(end.body).toMatchObject({ runId: first.body.runId, status: 'succeeded' });
    const { runs } = (await call('runs', 'GET', '/sync/runs')).body;
    expect(runs.map((run: Report) => run.runId)).toEqual([first.body.runId, runId]);
  }, 120_000);
});

describe('POST /sync and POST /test-settings, quick ones with Prefer: wait=30', () => {
  it('answers a sync that ends in time with 200, its final Report and Preference-Applied', async () => {
    await saveConfig();
    const response = await call('start', 'POST', '/sync', { headers: { Prefer: 'wait=30' }, body: {} });
    expect(response.statusCode).toBe(200);
    expect(response.headers['preference-applied']).toBe('wait=30');
    expect(response.body).toMatchObject({
      dryRun: false,
      status: 'succeeded',
      trigger: 'api',
      counts: { ...directCounts, created: 0, unchanged: directCounts.created },
    });
    expect(response.body.progress).toBeUndefined();
    expect(response.headers.location).toBeUndefined();
    // The Report is the run's record.
    const recorded = await call('runs', 'GET', `/sync/runs/${response.body.runId}`);
    expect(recorded.body).toEqual(response.body);
  });

  it('answers a preview that ends in time with 200 and its dry-run Report', async () => {
    const response = await call('start', 'POST', '/test-settings', {
      headers: { Prefer: 'wait=30' },
      body: {},
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['preference-applied']).toBe('wait=30');
    expect(response.body).toMatchObject({ dryRun: true, status: 'succeeded' });
    expect(response.body.counts.unchanged).toBe(directCounts.created);
  });
});

describe('progress, as it is written', () => {
  it('grows with every write, never repeats itself, and never lands after the end', async () => {
    const fresh = await createSyncHarness();
    try {
      await fresh.configs.saveConfig(fixtureConfig());
      const writes: { written: Report; read: Report | undefined }[] = [];
      // The run store itself, with every write and the record it left behind kept for the test.
      const recording: ProgressSink = {
        async recordProgress(report) {
          await fresh.store.recordProgress(report);
          writes.push({ written: structuredClone(report), read: await fresh.store.getRun(report.runId) });
        },
      };
      const report = await synchronizeNow({
        ...fresh.exclusive(),
        progress: recording,
        progressIntervalMs: 20,
        applyBatchSize: 100,
      });
      expect(report.status).toBe('succeeded');

      const seen = writes.map(({ written }) => written.progress as RunProgress);
      expect(progressViolations(seen)).toEqual([]);
      expect(phasesAheadOfRead(seen, report.counts.directoryUsers)).toEqual([]);
      // It started at the start, and went through the read, writing while it read (the apply phase that
      // follows the read has only what the read could not decide, here nothing: it may pass between two writes).
      expect(seen[0]).toEqual({ phase: 'connect', read: 0, inScope: 0, planned: 0, applied: 0 });
      expect(seen.map((progress) => progress.phase)).toEqual(expect.arrayContaining(['search']));
      expect(seen.some((progress) => progress.phase === 'search' && progress.applied > 0)).toBe(true);
      for (const progress of seen) {
        expect(progress.read).toBeLessThanOrEqual(report.counts.directoryUsers);
        expect(progress.inScope).toBeLessThanOrEqual(report.counts.inScope);
        expect(progress.applied).toBeLessThanOrEqual(report.counts.created);
        if (progress.toApply !== undefined) expect(progress.toApply).toBe(report.counts.created);
      }
      for (const { written, read } of writes) {
        expect(written).toMatchObject({ runId: report.runId, status: 'running', dryRun: false });
        // Each write is the record while it runs.
        expect(read).toMatchObject({ status: 'running', progress: written.progress, counts: written.counts });
      }
      // Only what moved is written.
      const keys = writes.map(({ written }) => JSON.stringify([written.progress, written.counts]));
      expect(new Set(keys).size).toBe(keys.length);
      // The end was recorded after the last progress, and stays.
      const recorded = await fresh.store.getRun(report.runId);
      expect(recorded).toMatchObject({ status: 'succeeded', counts: report.counts });
      expect(recorded?.progress).toBeUndefined();
    } finally {
      fresh.close();
    }
  }, 120_000);
});

describe('POST /test-settings, a preview', () => {
  it('answers 202 and Location, is followed to its end, expires after 24 hours and is never a run', async () => {
    const started = await call('start', 'POST', '/test-settings', {
      headers: { Prefer: 'wait=1' },
      body: { config: fixtureConfig({ connection: slowConnection() }), password: servicePassword() },
    });
    expect(started.statusCode).toBe(202);
    expect(started.body).toEqual({ previewId: expect.any(String), status: 'running' });
    const { previewId } = started.body;
    expect(started.headers.location).toBe(`/test-settings/${previewId}`);

    const polls = await follow(started.headers.location as string);
    const running = polls.slice(0, -1);
    expect(running.length).toBeGreaterThan(1);
    for (const poll of running) {
      expect(poll.body).toMatchObject({ runId: previewId, dryRun: true, status: 'running' });
      expect(poll.body.progress).toMatchObject({ phase: expect.any(String), applied: 0 });
    }
    const end = polls.at(-1) as JsonResponse;
    const seen = running.map((poll) => poll.body.progress as RunProgress);
    expect(progressViolations(seen)).toEqual([]);
    expect(phasesAheadOfRead(seen, end.body.counts.directoryUsers)).toEqual([]);
    expect(end.statusCode).toBe(200);
    expect(end.body).toMatchObject({ runId: previewId, dryRun: true, status: 'succeeded' });
    expect(end.body.counts).toMatchObject({ unchanged: directCounts.created, created: 0 });
    expect(end.body.progress).toBeUndefined();

    // Every item of it, summary and lists, carries the table's TTL attribute: a day after it started.
    const { Items = [] } = await dynamodb.send(
      new QueryCommand({
        TableName: loaded.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: marshall({ ':pk': previewKey(previewId).pk }),
        ConsistentRead: true,
      }),
    );
    const items = Items.map((item) => unmarshall(item));
    expect(items.map((item) => item.sk)).toEqual(expect.arrayContaining(['REPORT', 'EXCLUDED#000000']));
    const expiresAt = Math.floor(Date.parse(end.body.startedAt) / 1000) + 24 * 3600;
    expect(PREVIEW_RETAIN_SECONDS).toBe(24 * 3600);
    for (const item of items) expect(item.expiresAt).toBe(expiresAt);
    // In no index: never a run.
    for (const item of items) expect(Object.keys(item).filter((name) => name.startsWith('gsi'))).toEqual([]);
    const { runs } = (await call('runs', 'GET', '/sync/runs')).body;
    expect(runs.map((run: Report) => run.runId)).not.toContain(previewId);
    expect((await call('runs', 'GET', `/sync/runs/${previewId}`)).statusCode).toBe(404);

    // Past its expiry it is gone (TTL deletes late; reads do not wait for it); a second before, it is there.
    const at = (epochSeconds: number) => () => new Date(epochSeconds * 1000);
    const before = new DynamoPreviewStore(dynamodb, loaded.tableName, { now: at(expiresAt - 1) });
    const after = new DynamoPreviewStore(dynamodb, loaded.tableName, { now: at(expiresAt + 1) });
    expect(await before.getReport(previewId)).toMatchObject({ status: 'succeeded' });
    expect(await after.getReport(previewId)).toBeUndefined();
    expect(
      await previewAsSeen(
        { previews: after, clock: { ...systemClock, now: at(expiresAt + 1) }, previewTimeoutSeconds: 900 },
        previewId,
      ),
    ).toBeUndefined();
  }, 120_000);

  it('keeps the password given with unsaved settings in no item and no log line', async () => {
    const wrong = `unsaved-${randomUUID()}`;
    const started = await call('start', 'POST', '/test-settings', {
      body: {
        config: fixtureConfig({ connection: { servers: [`${inject('directory').host}:636`] } }),
        password: wrong,
      },
    });
    expect(started.statusCode).toBe(202);
    const end = (await follow(started.headers.location as string)).at(-1) as JsonResponse;
    expect(end.body).toMatchObject({ status: 'failed', error: { code: 'InvalidCredentials' } });
    expect(end.raw).not.toContain(wrong);

    const Items = await scanAll(dynamodb, loaded.tableName);
    const table = JSON.stringify(Items.map((item) => unmarshall(item)));
    expect(table).toContain(started.body.previewId);
    // Neither the wrong password of this test, nor the right one the previous preview was given.
    expect(table).not.toContain(wrong);
    expect(table).not.toContain(servicePassword());
    expect(loaded.logs().join('')).not.toContain(wrong);
    expect(loaded.logs().join('')).not.toContain(servicePassword());
  });
});

describe('a run whose invocation died', () => {
  it('shows running while its lease holds, then failed with Interrupted', async () => {
    const runs = new DynamoRunStore(dynamodb, loaded.tableName);
    const lock = new DynamoRunLock(dynamodb, loaded.tableName);
    const runId = `died-${randomUUID()}`;
    // What the API recorded when it started the run; the worker never recorded anything else.
    await runs.recordRun(
      startedReport(runId, new Date(), { dryRun: false, trigger: 'api', configVersion: 1 }),
    );
    const seen = async () => (await call('runs', 'GET', `/sync/runs/${runId}`)).body;
    const listed = async () =>
      ((await call('runs', 'GET', '/sync/runs')).body.runs as Report[]).find((run) => run.runId === runId);

    // No lock at all.
    expect(await seen()).toMatchObject({ runId, status: 'failed', error: { code: 'Interrupted' } });
    expect((await seen()).progress).toBeUndefined();
    expect(await listed()).toMatchObject({ status: 'failed', error: { code: 'Interrupted' } });

    // Its lease holds: it is running.
    expect(await lock.acquire(runId, 600)).toBe(true);
    try {
      expect(await seen()).toMatchObject({ runId, status: 'running', progress: { phase: 'connect' } });
      expect(await listed()).toMatchObject({ status: 'running' });
    } finally {
      await lock.release(runId);
    }

    // Its lease was taken 20 minutes ago for 10: it has expired.
    const past = new DynamoRunLock(dynamodb, loaded.tableName, {
      now: () => new Date(Date.now() - 20 * 60_000),
    });
    expect(await past.acquire(runId, 600)).toBe(true);
    try {
      expect(await lock.holder()).toBeUndefined();
      expect(await seen()).toMatchObject({ runId, status: 'failed', error: { code: 'Interrupted' } });
      expect(await listed()).toMatchObject({ status: 'failed', error: { code: 'Interrupted' } });
    } finally {
      await lock.release(runId);
    }

    // Another run holds the lock: still failed (its lease is not its own).
    expect(await lock.acquire(`other-${randomUUID()}`, 600)).toBe(true);
    const other = await lock.holder();
    try {
      expect(await seen()).toMatchObject({ status: 'failed', error: { code: 'Interrupted' } });
    } finally {
      await lock.release(other as string);
    }
    // The record itself still says running: only how it is shown changed.
    expect(await runs.getRun(runId)).toMatchObject({ status: 'running' });
  });
});
