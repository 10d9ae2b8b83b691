/**
 * The run history on the single DynamoDB table (docs/data-model.md): a run's summary item, listed newest
 * first in the kind index, and its lists of changes and exclusions in chunks of their own under the run's
 * partition (an item holds at most 400 KB).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, type DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Report, RunSummary } from '../../domain/report';
import type { RunStore } from '../../ports/run-store';
import { documentClient, type Item, kindQuery, queryAll } from './documents';
import {
  isRunChunkOf,
  kindIndex,
  RUN_SUMMARY_SORT_KEY,
  type RunChunkKind,
  runChunkSortKey,
  runIndexKeys,
  runKey,
} from './keys';
import { withoutKeys } from './table';

/** Changes and exclusions of a run are stored in chunks of at most this much JSON (DynamoDB's item limit is 400 KB). */
const RUN_CHUNK_BYTES = 300_000;

export class DynamoRunStore implements RunStore {
  private readonly documents: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
  ) {
    this.documents = documentClient(client);
  }

  async recordRun(report: Report): Promise<void> {
    const { changes, excluded, ...summary } = report;
    const chunks = (kind: RunChunkKind, list: readonly unknown[]): Item[] =>
      chunkBySize(list, RUN_CHUNK_BYTES).map((entries, i) => ({
        ...runKey(report.runId, runChunkSortKey(kind, i)),
        entries,
      }));
    const items = [...chunks('CHANGES', changes), ...chunks('EXCLUDED', excluded)];
    // A run that continued in a follow-up invocation was recorded as running: its record is replaced.
    const stale = (
      await queryAll(this.documents, {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': runKey(report.runId).pk },
        ProjectionExpression: 'pk, sk',
        ConsistentRead: true,
      })
    ).filter((item) => item.sk !== RUN_SUMMARY_SORT_KEY && !items.some((chunk) => chunk.sk === item.sk));
    // Chunks first, summary last: a run is listed only once all of it is stored.
    for (const item of items) {
      await this.documents.send(new PutCommand({ TableName: this.tableName, Item: item }));
    }
    for (const item of stale) {
      await this.documents.send(
        new DeleteCommand({ TableName: this.tableName, Key: runKey(report.runId, String(item.sk)) }),
      );
    }
    await this.documents.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...runKey(report.runId),
          ...runIndexKeys(report.startedAt, report.runId),
          ...summary,
        },
        ConditionExpression: 'attribute_not_exists(pk) OR #status = :running',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':running': 'running' },
      }),
    );
  }

  async getRun(runId: string): Promise<Report | undefined> {
    const items = await queryAll(this.documents, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': runKey(runId).pk },
      ConsistentRead: true,
    });
    const summary = items.find((item) => item.sk === RUN_SUMMARY_SORT_KEY);
    if (!summary) return undefined;
    const entries = (kind: RunChunkKind) =>
      items
        .filter((item) => isRunChunkOf(kind, String(item.sk)))
        .flatMap((item) => item.entries as unknown[]);
    return {
      ...(withoutKeys(summary) as unknown as Report),
      changes: entries('CHANGES') as Report['changes'],
      excluded: entries('EXCLUDED') as Report['excluded'],
    };
  }

  async listRuns(limit: number): Promise<RunSummary[]> {
    const { Items = [] } = await this.documents.send(
      new QueryCommand({
        ...kindQuery(this.tableName, kindIndex.runs),
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return Items.map((item) => {
      const { steps: _steps, ...summary } = withoutKeys(item);
      return summary as unknown as RunSummary;
    });
  }
}

/** Splits a list into runs whose JSON stays under `maxBytes` each (an entry larger than that stands alone). */
export function chunkBySize<T>(list: readonly T[], maxBytes: number): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let size = 2;
  for (const entry of list) {
    const bytes = Buffer.byteLength(JSON.stringify(entry)) + 1;
    if (current.length > 0 && size + bytes > maxBytes) {
      chunks.push(current);
      current = [];
      size = 2;
    }
    current.push(entry);
    size += bytes;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
