import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { chunkBySize, DynamoRunStore } from '../../../shared/adapters/dynamodb/dynamo-run-store';
import { emptyCounts, type Report, type ReportChange } from '../../../shared/domain/report';

describe('chunkBySize', () => {
  it('keeps every chunk of a run record under the size, whatever the entries weigh', () => {
    const heavy = Array.from({ length: 2_000 }, (_, i) => ({
      userName: `u${i}`,
      emailAddresses: Array.from({ length: 100 }, (_, j) => `alias${j}.${'x'.repeat(200)}@company.local`),
    }));
    const chunks = chunkBySize(heavy, 300_000);
    expect(chunks.flat()).toEqual(heavy);
    for (const chunk of chunks) expect(Buffer.byteLength(JSON.stringify(chunk))).toBeLessThanOrEqual(300_000);
  });

  it('keeps small entries together and returns nothing for nothing', () => {
    expect(chunkBySize([1, 2, 3], 300_000)).toEqual([[1, 2, 3]]);
    expect(chunkBySize([], 300_000)).toEqual([]);
  });
});

describe('a run record written while the run applies', () => {
  const documents = mockClient(DynamoDBDocumentClient);
  const store = new DynamoRunStore(new DynamoDBClient({ region: 'eu-central-1' }), 'table');
  /** A change whose JSON weighs about 100 KB: three do not fit in one chunk of 300 KB. */
  const change = (n: number): ReportChange => ({
    action: 'create',
    userName: `u${n}`,
    fullName: 'x'.repeat(100_000),
    emailAddresses: [],
    changedFields: [],
  });
  const changes = [0, 1, 2, 3, 4].map(change);
  const refused: ReportChange = { ...change(5), action: 'conflict', reason: 'taken' };
  const putKeys = () => documents.commandCalls(PutCommand).map((call) => String(call.args[0].input.Item?.sk));
  const storedEntries = () =>
    documents
      .commandCalls(PutCommand)
      .flatMap((call) => (call.args[0].input.Item?.entries as ReportChange[] | undefined) ?? []);
  const run: Report = {
    runId: 'r1',
    dryRun: false,
    status: 'succeeded',
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:00:01.000Z',
    steps: [],
    counts: emptyCounts(),
    changes: [...changes, refused],
    excluded: [],
  };

  beforeEach(() => {
    documents.reset();
    documents.on(QueryCommand).resolves({ Items: [] });
  });

  it('stores each chunk of the writes once it is closed, and only the rest at the end', async () => {
    documents.on(PutCommand).resolves({});
    store.recordChangesSoFar(run, changes.slice(0, 2));
    expect(putKeys()).toEqual([]);
    store.recordChangesSoFar(run, changes.slice(0, 3));
    store.recordChangesSoFar(run, changes);
    expect(putKeys()).toEqual(['CHANGES#000000', 'CHANGES#000001']);
    await store.recordRun(run);
    // The last chunk (the fifth write and the refused one), then the summary; none of the first two again.
    expect(putKeys()).toEqual(['CHANGES#000000', 'CHANGES#000001', 'CHANGES#000002', 'REPORT']);
    expect(storedEntries()).toEqual([...changes, refused]);
  });

  it('writes a chunk again at the end when its early write failed, and the next run from the start', async () => {
    documents.on(PutCommand).rejectsOnce(new Error('throttled')).resolves({});
    store.recordChangesSoFar(run, changes);
    await store.recordRun(run);
    expect(putKeys()).toEqual([
      'CHANGES#000000',
      'CHANGES#000001',
      'CHANGES#000000',
      'CHANGES#000002',
      'REPORT',
    ]);
    // Recorded once: a second record of the same run (its follow-up invocation, say) writes all of it.
    await store.recordRun(run);
    expect(putKeys().slice(5)).toEqual(['CHANGES#000000', 'CHANGES#000001', 'CHANGES#000002', 'REPORT']);
  });
});
