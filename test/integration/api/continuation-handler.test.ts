/**
 * The sync Lambda past its deadline, as deployed (CONTINUATIONS=stream): a run the API started, delivered
 * to an invocation with little time left, applies one batch, keeps the lock and inserts a handoff item; the
 * table's stream (here: the stream record built from that item, as Lambda delivers it) starts the follow-up
 * invocation.
 */
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lambdaContext } from '../../../local/local-stack';
import { DynamoConfigStore } from '../../../shared/adapters/dynamodb/dynamo-config-store';
import { DynamoRunLock } from '../../../shared/adapters/dynamodb/dynamo-run-lock';
import { DynamoRunStore } from '../../../shared/adapters/dynamodb/dynamo-run-store';
import { handoffKey } from '../../../shared/adapters/dynamodb/keys';
import { toSyncStartEvent } from '../../../shared/adapters/lambda/operation-events';
import type { ContinuationOutcome } from '../../../shared/use-cases/continue-run';
import { HANDOFF_RESERVE_MS } from '../../../shared/use-cases/run-dependencies';
import { type StartOutcome, startSync } from '../../../shared/use-cases/start-sync';
import { dynamoDbClient } from '../../support/clients';
import { RecordingStarter } from '../../support/in-memory';
import { type LoadedHandlers, loadHandlers } from '../../support/lambda-handlers';
import { fixtureConfig, servicePassword } from '../../support/sync-harness';

/** Changes per apply batch, small enough for the fixture to need two invocations. */
const BATCH = 1000;
const dynamodb = dynamoDbClient();
let loaded: LoadedHandlers;

/** The stream record Lambda delivers for an inserted item (NEW_IMAGE). */
const streamEvent = (eventName: 'INSERT' | 'MODIFY', item: Record<string, unknown>): DynamoDBStreamEvent => ({
  Records: [
    {
      eventName,
      eventSource: 'aws:dynamodb',
      dynamodb: { NewImage: marshall(item) as never, StreamViewType: 'NEW_IMAGE' },
    },
  ],
});

async function handoffItem(runId: string, invocation: number): Promise<Record<string, unknown> | undefined> {
  const { Item } = await dynamodb.send(
    new GetItemCommand({
      TableName: loaded.tableName,
      Key: marshall(handoffKey({ runId, invocation })),
      ConsistentRead: true,
    }),
  );
  return Item ? unmarshall(Item) : undefined;
}

beforeAll(async () => {
  Object.assign(process.env, { CONTINUATIONS: 'stream', APPLY_BATCH_SIZE: String(BATCH) });
  loaded = await loadHandlers();
  const saved = await loaded.call('config', 'PUT', '/config', {
    body: { config: fixtureConfig(), password: servicePassword() },
  });
  expect(saved.statusCode).toBe(200);
});

afterAll(() => {
  delete process.env.CONTINUATIONS;
  delete process.env.APPLY_BATCH_SIZE;
  dynamodb.destroy();
});

describe('the sync function near its deadline', () => {
  it('hands off through a handoff item and finishes in the invocation the stream starts', async () => {
    // Started as the start function starts it; the sync function's invocation has little time left.
    const starter = new RecordingStarter();
    await startSync({
      configs: new DynamoConfigStore(dynamodb, loaded.tableName),
      lock: new DynamoRunLock(dynamodb, loaded.tableName),
      runs: new DynamoRunStore(dynamodb, loaded.tableName),
      leaseSeconds: 900,
      starter,
    });
    const [start] = starter.syncs;
    if (!start) throw new Error('the sync was not handed over');
    const nearDeadline = lambdaContext('sync', HANDOFF_RESERVE_MS - 1_000);
    const first = (await loaded.invoke('sync', toSyncStartEvent(start), nearDeadline)) as StartOutcome;
    if (first.outcome !== 'ran') throw new Error(`not run: ${first.outcome}`);
    const running = first.report;
    expect(running.status).toBe('running');
    // One batch: a waiting applier's first one may be smaller (it starts with the read's first page), and the
    // read stops with the writes.
    const firstWrites = running.counts.created;
    expect(firstWrites).toBeGreaterThan(0);
    expect(firstWrites).toBeLessThanOrEqual(BATCH);

    const item = await handoffItem(running.runId, 2);
    expect(item).toMatchObject({ runId: running.runId, invocation: 2 });
    // Updates of other items are not handoffs (the event source's filter passes only inserts; so does the code).
    expect(await loaded.invoke('sync', streamEvent('MODIFY', item as Record<string, unknown>))).toEqual([]);

    const outcomes = (await loaded.invoke(
      'sync',
      streamEvent('INSERT', item as Record<string, unknown>),
    )) as ContinuationOutcome[];
    expect(outcomes).toHaveLength(1);
    const [outcome] = outcomes;
    if (outcome?.outcome !== 'ran') throw new Error(`not continued: ${outcome?.outcome}`);
    expect(outcome.report).toMatchObject({ runId: running.runId, status: 'succeeded' });
    // An empty database: every user in scope is created, one batch by the first invocation, the rest by the second.
    const { inScope } = outcome.report.counts;
    expect(outcome.report.counts).toMatchObject({ created: inScope, conflicts: 0 });
    expect(outcome.report.steps.find((s) => s.name === 'apply')?.message).toBe(
      `${inScope - firstWrites} changes written`,
    );
    const run = await loaded.call('runs', 'GET', `/sync/runs/${running.runId}`);
    expect(run.body).toMatchObject({ status: 'succeeded', counts: { created: inScope } });
    expect(run.body.changes).toHaveLength(inScope);

    // The lock was released at the end: the next sync runs (and finds nothing to do).
    const next = await loaded.call('start', 'POST', '/sync', { body: {}, headers: { Prefer: 'wait=120' } });
    expect(next.body).toMatchObject({ status: 'succeeded', counts: { created: 0, updated: 0, deleted: 0 } });
  });
});
