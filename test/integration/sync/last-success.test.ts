/**
 * The last success the run store keeps apart from the history (DynamoRunStore on DynamoDB Local): the stale
 * rules read a window of the history, and this item, read by key, says what lies beyond it.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoRunStore } from '../../../shared/adapters/dynamodb/dynamo-run-store';
import { ensureTable } from '../../../shared/adapters/dynamodb/table';
import { emptyCounts, type Report } from '../../../shared/domain/report';
import { dynamoDbClient } from '../../support/clients';

const client = dynamoDbClient();
let runs: DynamoRunStore;

/** A committed run of the whole directory that started and ended at `minute` (of the first hour of a day). */
const run = (runId: string, minute: number, overrides: Partial<Report> = {}): Report => {
  const time = new Date(Date.UTC(2026, 11, 1, 0, minute)).toISOString();
  return {
    runId,
    dryRun: false,
    status: 'succeeded',
    trigger: 'schedule',
    startedAt: time,
    finishedAt: time,
    steps: [],
    counts: emptyCounts(),
    changes: [],
    excluded: [],
    ...overrides,
  };
};

beforeAll(async () => {
  const tableName = `last-success-${randomUUID()}`;
  await ensureTable(client, tableName);
  runs = new DynamoRunStore(client, tableName);
});
afterAll(() => client.destroy());

describe('DynamoRunStore: the last success and the first run', () => {
  it('has neither before any run, keeps the newest success of the directory, and finds the first run', async () => {
    expect(await runs.lastSuccess()).toBeUndefined();
    expect(await runs.oldestRun()).toBeUndefined();

    await runs.recordRun(run('first', 1, { status: 'failed' }));
    expect(await runs.lastSuccess()).toBeUndefined();
    await runs.recordRun(run('success', 2));
    await runs.recordRun(run('withheld', 3, { status: 'deletionThresholdExceeded', deletesWithheld: 4 }));
    // A one-user sync read one user, not the directory: no success of the sync.
    await runs.recordRun(run('one-user', 4, { trigger: 'user' }));
    expect(await runs.lastSuccess()).toEqual({ runId: 'success', finishedAt: run('success', 2).finishedAt });

    await runs.recordRun(run('later', 5, { trigger: 'api' }));
    // A success recorded late (it ended before the one kept) does not replace a later one.
    await runs.recordRun(run('recorded-late', 0));
    expect(await runs.lastSuccess()).toEqual({ runId: 'later', finishedAt: run('later', 5).finishedAt });
    expect((await runs.oldestRun())?.runId).toBe('recorded-late');
    expect((await runs.listRuns(2)).map((r) => r.runId)).toEqual(['later', 'one-user']);
    // The item is no run: the history lists the six runs only.
    expect(await runs.listRuns(100)).toHaveLength(6);
  });
});
