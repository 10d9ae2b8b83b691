/**
 * The change relay of the local stack: follows the table's stream in DynamoDB Local with the DynamoDB Streams
 * API, as AWS's pollers do, makes each record's event with the one builder (eventOfRecord: users' changes and
 * runs' events, docs/contract.md#operators-are-told), and
 * hands the events to `deliver` one at a time, in the stream's order, recording after each delivered event
 * where it stands (the position file), so that a restart resumes after the last delivered event.
 *
 * - Shards are read parents first: a child shard only once its parent is read to its end (or gone from the
 *   stream), so the changes of one item come in commit order.
 * - The first start (no position file) begins at the changes committed from then on: the records already in
 *   the stream are passed over and their position recorded at once.
 * - A position older than the stream keeps (24 hours) goes on from the oldest record it holds, with a warning.
 * - It runs beside the sync (the sync never waits for it) and stops on `stop()` without losing its position.
 */
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  type _Record as Record_,
} from '@aws-sdk/client-dynamodb-streams';
import { eventOfRecord } from '../shared/adapters/dynamodb/change-stream';
import type { AdSyncEvent } from '../shared/domain/run-event';
import type { Clock } from '../shared/ports/clock';
import { systemClock } from '../shared/use-cases/system-clock';
import {
  positionFromNow,
  type RelayPosition,
  readPosition,
  type ShardPosition,
  shardsToRead,
  withListedShards,
  writePosition,
} from './relay-position';
import { type TableStream, tableStream } from './table-stream';

export interface ChangeRelayOptions {
  readonly streams: DynamoDBStreamsClient;
  readonly dynamodb: DynamoDBClient;
  readonly tableName: string;
  readonly positionFile: string;
  /** Delivers one event; resolves once delivered (it retries on its own), rejects only when `signal` aborts. */
  deliver(event: AdSyncEvent, signal: AbortSignal): Promise<void>;
  readonly log: (line: string) => void;
  /** How long to wait when the stream has nothing new. */
  readonly idleMs?: number;
  /** What the waits (nothing new, a failed read) are timed by; the system's clock by default. */
  readonly clock?: Pick<Clock, 'sleep'>;
}

export interface ChangeRelay {
  /** Ends the delivery under way (it is delivered again at the next start) and the reading. */
  stop(): Promise<void>;
}

/** After a failed read of the stream (DynamoDB Local busy, an expired iterator): the wait before reading again. */
const READ_RETRY_MS = 5_000;

/**
 * The position to start from: the file's; or, the first time, the changes committed from now on; or, when the
 * table's stream is a new one, that stream from its start. Written to the file before any delivery.
 */
async function startingPosition(
  stream: TableStream,
  streamArn: string,
  positionFile: string,
  log: (line: string) => void,
): Promise<RelayPosition> {
  let position = await readPosition(positionFile);
  if (!position) {
    // Pass over what the shards hold: the changes committed before webhooks were configured.
    position = await positionFromNow(streamArn, await stream.listShards(), stream.lastRecordOf);
    await writePosition(positionFile, position);
    log(`webhooks: first start: delivering the changes committed from now on (position in ${positionFile})`);
  } else if (position.streamArn !== streamArn) {
    log(
      `webhooks: the table has a new stream (${streamArn}; the position was in ${position.streamArn}): ` +
        'delivering its changes from its start',
    );
    position = { streamArn, shards: {} };
    await writePosition(positionFile, position);
  }
  return position;
}

/**
 * Starts following the table's stream: reads (or, the first time, makes) the position, then delivers in the
 * background until `stop()`. Rejects when the position file is not one or the table has no stream.
 */
export async function startChangeRelay(options: ChangeRelayOptions): Promise<ChangeRelay> {
  const { streams, positionFile, log, clock = systemClock } = options;
  const { Table } = await options.dynamodb.send(new DescribeTableCommand({ TableName: options.tableName }));
  const streamArn = Table?.LatestStreamArn;
  if (!streamArn) throw new Error(`The table ${options.tableName} has no stream to make change events of`);
  const controller = new AbortController();
  const { signal } = controller;

  const stream = tableStream(streams, streamArn, signal, log);
  const { listShards, iteratorOf } = stream;
  const position = await startingPosition(stream, streamArn, positionFile, log);

  /** The iterator to go on with in each shard being read (an iterator expires after 15 minutes unused). */
  const iterators = new Map<string, string>();
  let current: RelayPosition = position;
  const advance = async (shardId: string, shard: ShardPosition): Promise<void> => {
    current = { streamArn, shards: { ...current.shards, [shardId]: shard } };
    await writePosition(positionFile, current);
  };

  /** The event of a record, or undefined (not a user's change, or an item no event can be made of). */
  const eventOf = (record: Record_, shardId: string): AdSyncEvent | undefined => {
    try {
      return eventOfRecord(record);
    } catch (error) {
      log(
        `webhooks: record ${record.dynamodb?.SequenceNumber} of shard ${shardId} makes no event and is skipped: ` +
          (error as Error).message,
      );
      return undefined;
    }
  };

  /** Delivers the shard's records up to its end or to what it holds now; whether anything was read. */
  const readShard = async (shardId: string): Promise<boolean> => {
    let read = false;
    let iterator = iterators.get(shardId) ?? (await iteratorOf(shardId, current.shards[shardId]?.after));
    for (;;) {
      if (!iterator) break;
      const { Records = [], NextShardIterator } = await streams.send(
        new GetRecordsCommand({ ShardIterator: iterator }),
        { abortSignal: signal },
      );
      let passed: string | undefined;
      for (const streamRecord of Records) {
        // Every record of a stream has its sequence number; the type says it may not.
        const sequenceNumber = streamRecord.dynamodb?.SequenceNumber as string;
        const event = eventOf(streamRecord, shardId);
        if (event) {
          await options.deliver(event, signal);
          await advance(shardId, { after: sequenceNumber });
          passed = undefined;
        } else {
          passed = sequenceNumber;
        }
      }
      // Records that are no events are recorded once per batch: reading them again would deliver nothing.
      if (passed) await advance(shardId, { after: passed });
      read ||= Records.length > 0;
      iterator = NextShardIterator;
      if (iterator) iterators.set(shardId, iterator);
      if (Records.length === 0) break;
    }
    if (!iterator) {
      iterators.delete(shardId);
      await advance(shardId, { ...current.shards[shardId], finished: true });
      return true;
    }
    return read;
  };

  const running = (async () => {
    while (!signal.aborted) {
      try {
        const shards = await listShards();
        current = withListedShards(current, shards);
        let read = false;
        for (const shard of shardsToRead(shards, current)) {
          read = (await readShard(shard.ShardId as string)) || read;
        }
        if (!read) await clock.sleep(options.idleMs ?? 500, signal);
      } catch (error) {
        if (signal.aborted) break;
        iterators.clear();
        log(`webhooks: reading the table's stream failed (${(error as Error).message}); trying again in 5 s`);
        await clock.sleep(READ_RETRY_MS, signal).catch(() => {});
      }
    }
  })();

  return {
    async stop() {
      controller.abort();
      await running;
    },
  };
}
