/**
 * The run history and the Test Settings previews on the single DynamoDB table (docs/data-model.md). A report
 * is a summary item and its lists of changes and exclusions in chunks of their own under the report's
 * partition (an item holds at most 400 KB). Runs are listed newest first in the kind index; previews are in
 * no index and expire a day after they started (TTL on `expiresAt`, and filtered on read: TTL deletes late).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import { emptyCounts, type Report, type ReportCounts, type RunSummary } from '../../domain/report';
import { isSuccessOfTheSync, type SuccessMark } from '../../domain/schedule-health';
import {
  PREVIEW_RETAIN_SECONDS,
  type PreviewStore,
  type ReportStore,
  type RunStore,
} from '../../ports/run-store';
import {
  conditionHeld,
  documentClient,
  type Item,
  kindQuery,
  queryAll,
  SYSTEM_WALL_CLOCK,
  type WallClock,
} from './documents';
import { forEachConcurrently } from './for-each-concurrently';
import {
  isRunChunkOf,
  kindIndex,
  lastSuccessKey,
  previewKey,
  RUN_SUMMARY_SORT_KEY,
  type RunChunkKind,
  runChunkSortKey,
  runIndexKeys,
  runKey,
} from './keys';
import { withoutKeys } from './table';

/** A run's counts with every count there is now (a run recorded before suspensions existed has fewer). */
const withAllCounts = (counts: unknown): ReportCounts => ({
  ...emptyCounts(),
  ...(counts as Partial<ReportCounts>),
});

/** Changes and exclusions of a run are stored in chunks of at most this much JSON (DynamoDB's item limit is 400 KB). */
const RUN_CHUNK_BYTES = 300_000;

/** Chunk items of a report written (or stale ones deleted) at a time. */
const PARALLEL_CHUNK_WRITES = 4;

/** Where one kind of report lives: its keys, and what its summary item carries besides the report. */
interface ReportKind {
  key(id: string, sk?: string): Record<string, string>;
  /** Attributes of every item of the report (its expiry, say). */
  everyItem(report: Report): Item;
  /** Attributes of the summary item only (index keys, say). */
  summaryItem(report: Report): Item;
}

/** Reports of one kind: recorded whole, brought up to date while running, read back whole. */
class DynamoReports implements ReportStore {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly kind: ReportKind,
  ) {}

  async recordReport(report: Report): Promise<void> {
    const { changes, excluded, ...summary } = report;
    const { kind } = this;
    const chunks = (list: RunChunkKind, entries: readonly unknown[]): Item[] =>
      chunkBySize(entries, RUN_CHUNK_BYTES).map((chunk, i) => ({
        ...kind.key(report.runId, runChunkSortKey(list, i)),
        ...kind.everyItem(report),
        entries: chunk,
      }));
    const items = [...chunks('CHANGES', changes), ...chunks('EXCLUDED', excluded)];
    // A report recorded while running (progress, a run that continued in a follow-up invocation) is replaced.
    const stale = (
      await queryAll(this.documents, {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': kind.key(report.runId).pk },
        ProjectionExpression: 'pk, sk',
        ConsistentRead: true,
      })
    ).filter((item) => item.sk !== RUN_SUMMARY_SORT_KEY && !items.some((chunk) => chunk.sk === item.sk));
    // Chunks first, summary last: a report is listed only once all of it is stored. The chunks go a few at a
    // time (a full sync's list is several of them, and the run's end waits for them).
    await forEachConcurrently(items, PARALLEL_CHUNK_WRITES, async (item) => {
      await this.documents.send(new PutCommand({ TableName: this.tableName, Item: item }));
    });
    await forEachConcurrently(stale, PARALLEL_CHUNK_WRITES, async (item) => {
      await this.documents.send(
        new DeleteCommand({ TableName: this.tableName, Key: kind.key(report.runId, String(item.sk)) }),
      );
    });
    await this.putSummary(summary, report);
  }

  async recordProgress(report: Report): Promise<void> {
    const { changes: _changes, excluded: _excluded, ...summary } = report;
    // A record that has ended stays as it is: progress never undoes an end.
    await conditionHeld(this.putSummary(summary, report));
  }

  /** The summary item, written only over nothing or over a record that says running. */
  private async putSummary(summary: Omit<Report, 'changes' | 'excluded'>, report: Report): Promise<void> {
    await this.documents.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...this.kind.key(report.runId),
          ...this.kind.summaryItem(report),
          ...this.kind.everyItem(report),
          ...summary,
        },
        ConditionExpression: 'attribute_not_exists(pk) OR #status = :running',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':running': 'running' },
      }),
    );
  }

  /** The report and its summary item's own attributes. */
  async getReportItem(id: string): Promise<{ report: Report; summary: Item } | undefined> {
    const items = await queryAll(this.documents, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': this.kind.key(id).pk },
      ConsistentRead: true,
    });
    const summary = items.find((item) => item.sk === RUN_SUMMARY_SORT_KEY);
    if (!summary) return undefined;
    const entries = (list: RunChunkKind) =>
      items
        .filter((item) => isRunChunkOf(list, String(item.sk)))
        .flatMap((item) => item.entries as unknown[]);
    const { expiresAt: _expiresAt, ...fields } = withoutKeys(summary);
    return {
      summary,
      report: {
        ...(fields as unknown as Report),
        counts: withAllCounts(fields.counts),
        changes: entries('CHANGES') as Report['changes'],
        excluded: entries('EXCLUDED') as Report['excluded'],
      },
    };
  }

  async getReport(id: string): Promise<Report | undefined> {
    return (await this.getReportItem(id))?.report;
  }
}

export class DynamoRunStore implements RunStore {
  private readonly documents: DynamoDBDocumentClient;
  private readonly reports: DynamoReports;

  constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
  ) {
    this.documents = documentClient(client);
    this.reports = new DynamoReports(this.documents, tableName, {
      key: runKey,
      everyItem: () => ({}),
      summaryItem: (report) => runIndexKeys(report.startedAt, report.runId),
    });
  }

  /** The run's record; a success of the whole directory is also kept as the last success (after the record). */
  async recordRun(report: Report): Promise<void> {
    await this.reports.recordReport(report);
    if (!isSuccessOfTheSync(report)) return;
    // Only a later success replaces it: runs may end out of order (a continued run, a late record). The run is
    // recorded a success already, so this write failing must not fail it: the stale check also takes the
    // newest success among the recent runs (stale-check.ts), which this one is until a hundred more have run.
    await this.documents
      .send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...lastSuccessKey, runId: report.runId, finishedAt: report.finishedAt },
          ConditionExpression: 'attribute_not_exists(#finishedAt) OR #finishedAt < :finishedAt',
          ExpressionAttributeNames: { '#finishedAt': 'finishedAt' },
          ExpressionAttributeValues: { ':finishedAt': report.finishedAt },
        }),
      )
      .catch(() => {});
  }

  recordProgress(report: Report): Promise<void> {
    return this.reports.recordProgress(report);
  }

  getRun(runId: string): Promise<Report | undefined> {
    return this.reports.getReport(runId);
  }

  listRuns(limit: number): Promise<RunSummary[]> {
    return this.queryRuns(limit, false);
  }

  async lastSuccess(): Promise<SuccessMark | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: lastSuccessKey, ConsistentRead: true }),
    );
    return Item ? { runId: String(Item.runId), finishedAt: String(Item.finishedAt) } : undefined;
  }

  async oldestRun(): Promise<RunSummary | undefined> {
    return (await this.queryRuns(1, true))[0];
  }

  private async queryRuns(limit: number, oldestFirst: boolean): Promise<RunSummary[]> {
    const { Items = [] } = await this.documents.send(
      new QueryCommand({
        ...kindQuery(this.tableName, kindIndex.runs),
        ScanIndexForward: oldestFirst,
        Limit: limit,
      }),
    );
    return Items.map((item) => {
      const { steps: _steps, ...summary } = withoutKeys(item);
      return { ...(summary as unknown as RunSummary), counts: withAllCounts(summary.counts) };
    });
  }
}

export class DynamoPreviewStore implements PreviewStore {
  private readonly reports: DynamoReports;

  constructor(
    client: DynamoDBClient,
    tableName: string,
    private readonly clock: WallClock = SYSTEM_WALL_CLOCK,
  ) {
    this.reports = new DynamoReports(documentClient(client), tableName, {
      key: previewKey,
      // A day after the preview started, every item of it: the table's TTL deletes them.
      everyItem: (report) => ({
        expiresAt: Math.floor(Date.parse(report.startedAt) / 1000) + PREVIEW_RETAIN_SECONDS,
      }),
      summaryItem: () => ({}),
    });
  }

  recordReport(report: Report): Promise<void> {
    return this.reports.recordReport(report);
  }

  recordProgress(report: Report): Promise<void> {
    return this.reports.recordProgress(report);
  }

  /** The preview, unless it has expired (the table's TTL deletes expired items within a day or two). */
  async getReport(previewId: string): Promise<Report | undefined> {
    const found = await this.reports.getReportItem(previewId);
    if (!found) return undefined;
    const expiresAt = Number(found.summary.expiresAt);
    return expiresAt * 1000 > this.clock.now().getTime() ? found.report : undefined;
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
