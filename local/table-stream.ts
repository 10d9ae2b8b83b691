/**
 * The table's stream as the change relay reads it, with the DynamoDB Streams API: its shards, an iterator into
 * a shard (after a record, or from the oldest record when that one is trimmed), and the last record a shard
 * holds now. Every request ends when `signal` aborts.
 */
import {
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type Shard,
  TrimmedDataAccessException,
} from '@aws-sdk/client-dynamodb-streams';

export interface TableStream {
  /** Every shard the stream lists, all pages. */
  listShards(): Promise<Shard[]>;
  /**
   * An iterator from after the record (from the shard's oldest record without one, or with a warning when the
   * record is older than the stream keeps); undefined when the shard is closed and read.
   */
  iteratorOf(shardId: string, after: string | undefined): Promise<string | undefined>;
  /** The sequence number of the last record the shard holds now, read through to it. */
  lastRecordOf(shardId: string): Promise<string | undefined>;
}

export function tableStream(
  streams: DynamoDBStreamsClient,
  streamArn: string,
  signal: AbortSignal,
  log: (line: string) => void,
): TableStream {
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
  const lastRecordOf = async (shardId: string): Promise<string | undefined> => {
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
  };
  return { listShards, iteratorOf, lastRecordOf };
}
