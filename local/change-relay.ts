/**
 * The change relay of the local stack: follows the table's stream in DynamoDB Local with the DynamoDB Streams
 * API, as AWS's pollers do, makes each record's change event with the one builder (changeEventOfRecord), and
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
import { readFile, rename, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as Record_,
  type Shard,
  TrimmedDataAccessException,
} from '@aws-sdk/client-dynamodb-streams';
import { changeEventOfRecord } from '../shared/adapters/dynamodb/change-stream';
import type { ChangeEvent } from '../shared/domain/change-event';

/** Where the relay stands in one shard. */
export interface ShardPosition {
  /** The sequence number of the last record handled (delivered, or not an event). */
  readonly after?: string;
  /** Read to its end: its children may be read. */
  readonly finished?: true;
}

/** Where the relay stands in the table's stream: what the position file holds. */
export interface RelayPosition {
  readonly streamArn: string;
  readonly shards: Readonly<Record<string, ShardPosition>>;
}

/**
 * The shards to read now: not finished, and whose parent is finished or no longer in the stream (trimmed), so
 * a parent's records always come before its children's.
 */
export function shardsToRead(shards: readonly Shard[], position: RelayPosition): Shard[] {
  const listed = new Set(shards.map((shard) => shard.ShardId));
  return shards.filter(
    ({ ShardId, ParentShardId }) =>
      ShardId !== undefined &&
      !position.shards[ShardId]?.finished &&
      (!ParentShardId || !listed.has(ParentShardId) || position.shards[ParentShardId]?.finished === true),
  );
}

/** The position without the shards the stream no longer lists (trimmed after 24 hours). */
export function withListedShards(position: RelayPosition, shards: readonly Shard[]): RelayPosition {
  const listed = new Set(shards.map((shard) => shard.ShardId));
  return {
    streamArn: position.streamArn,
    shards: Object.fromEntries(Object.entries(position.shards).filter(([id]) => listed.has(id))),
  };
}

/** Reads the position file: undefined when there is none; an error naming the file when it is not one. */
export async function readPosition(file: string): Promise<RelayPosition | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const position = parsed as Partial<RelayPosition> | undefined;
  if (
    typeof position?.streamArn !== 'string' ||
    typeof position.shards !== 'object' ||
    position.shards === null ||
    !Object.values(position.shards).every(
      (shard) =>
        typeof shard === 'object' &&
        shard !== null &&
        (shard.after === undefined || typeof shard.after === 'string') &&
        (shard.finished === undefined || shard.finished === true),
    )
  ) {
    throw new Error(
      `${file} is not a webhook delivery position; delete it to deliver the changes committed from now on`,
    );
  }
  return { streamArn: position.streamArn, shards: position.shards };
}

/** Replaces the position file at once (a new file renamed over it), readable by its owner only. */
export async function writePosition(file: string, position: RelayPosition): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(position, null, 2)}\n`, { mode: 0o600 });
  await rename(temporary, file);
}

export interface ChangeRelayOptions {
  readonly streams: DynamoDBStreamsClient;
  readonly dynamodb: DynamoDBClient;
  readonly tableName: string;
  readonly positionFile: string;
  /** Delivers one event; resolves once delivered (it retries on its own), rejects only when `signal` aborts. */
  deliver(event: ChangeEvent, signal: AbortSignal): Promise<void>;
  readonly log: (line: string) => void;
  /** How long to wait when the stream has nothing new. */
  readonly idleMs?: number;
}

export interface ChangeRelay {
  /** Ends the delivery under way (it is delivered again at the next start) and the reading. */
  stop(): Promise<void>;
}

/** After a failed read of the stream (DynamoDB Local busy, an expired iterator): the wait before reading again. */
const READ_RETRY_MS = 5_000;

/**
 * Starts following the table's stream: reads (or, the first time, makes) the position, then delivers in the
 * background until `stop()`. Rejects when the position file is not one or the table has no stream.
 */
export async function startChangeRelay(options: ChangeRelayOptions): Promise<ChangeRelay> {
  const { streams, positionFile, log } = options;
  const { Table } = await options.dynamodb.send(new DescribeTableCommand({ TableName: options.tableName }));
  const streamArn = Table?.LatestStreamArn;
  if (!streamArn) throw new Error(`The table ${options.tableName} has no stream to make change events of`);
  const controller = new AbortController();
  const { signal } = controller;

  const listShards = async (): Promise<Shard[]> => {
    const shards: Shard[] = [];
    let start: string | undefined;
    do {
      const { StreamDescription } = await streams.send(
        new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId: start }),
        { abortSignal: signal },
      );
      shards.push(...(StreamDescription?.Shards ?? []));
      start = StreamDescription?.LastEvaluatedShardId;
    } while (start);
    return shards;
  };
  const iteratorOf = async (shardId: string, after: string | undefined) => {
    const at = after
      ? ({ ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: after } as const)
      : ({ ShardIteratorType: 'TRIM_HORIZON' } as const);
    try {
      const { ShardIterator } = await streams.send(
        new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shardId, ...at }),
        { abortSignal: signal },
      );
      return ShardIterator;
    } catch (error) {
      if (!(error instanceof TrimmedDataAccessException) || !after) throw error;
      log(
        `webhooks: warning: the stream no longer holds the records after the last delivered event of shard ${shardId} ` +
          '(older than its 24-hour retention); delivering from the oldest record it holds: the events in between are lost',
      );
      const { ShardIterator } = await streams.send(
        new GetShardIteratorCommand({
          StreamArn: streamArn,
          ShardId: shardId,
          ShardIteratorType: 'TRIM_HORIZON',
        }),
        { abortSignal: signal },
      );
      return ShardIterator;
    }
  };

  let position = await readPosition(positionFile);
  if (!position) {
    position = await positionFromNow(streamArn, await listShards(), async (shardId) => {
      // Pass over what the shard holds: the changes committed before webhooks were configured.
      let iterator = await iteratorOf(shardId, undefined);
      let last: string | undefined;
      while (iterator) {
        const { Records = [], NextShardIterator } = await streams.send(
          new GetRecordsCommand({ ShardIterator: iterator }),
          { abortSignal: signal },
        );
        last = Records.at(-1)?.dynamodb?.SequenceNumber ?? last;
        if (Records.length === 0) break;
        iterator = NextShardIterator;
      }
      return last;
    });
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

  /** The iterator to go on with in each shard being read (an iterator expires after 15 minutes unused). */
  const iterators = new Map<string, string>();
  let current: RelayPosition = position;
  const advance = async (shardId: string, shard: ShardPosition): Promise<void> => {
    current = { streamArn, shards: { ...current.shards, [shardId]: shard } };
    await writePosition(positionFile, current);
  };

  /** The event of a record, or undefined (not a user's change, or an item no event can be made of). */
  const eventOf = (record: Record_, shardId: string): ChangeEvent | undefined => {
    try {
      return changeEventOfRecord(record);
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
        if (!read) await sleep(options.idleMs ?? 500, undefined, { signal });
      } catch (error) {
        if (signal.aborted) break;
        iterators.clear();
        log(`webhooks: reading the table's stream failed (${(error as Error).message}); trying again in 5 s`);
        await sleep(READ_RETRY_MS, undefined, { signal }).catch(() => {});
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

/**
 * The position of a first start: the changes committed from now on. A closed shard is finished; an open one is
 * placed after the last record it holds (`lastRecordOf`), so what it holds is never delivered.
 */
export async function positionFromNow(
  streamArn: string,
  shards: readonly Shard[],
  lastRecordOf: (shardId: string) => Promise<string | undefined>,
): Promise<RelayPosition> {
  const positions: Record<string, ShardPosition> = {};
  for (const { ShardId, SequenceNumberRange } of shards) {
    if (!ShardId) continue;
    if (SequenceNumberRange?.EndingSequenceNumber) {
      positions[ShardId] = { finished: true };
    } else {
      const after = await lastRecordOf(ShardId);
      positions[ShardId] = after ? { after } : {};
    }
  }
  return { streamArn, shards: positions };
}
