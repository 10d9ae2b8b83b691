/**
 * A table's stream in DynamoDB Local (NEW_AND_OLD_IMAGES, as deployed), read with the DynamoDB Streams API
 * from its start, each record shaped as EventBridge Pipes and Lambda hand it on.
 */

import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import {
  type _Record,
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord } from 'aws-lambda';
import { inject } from 'vitest';
import { LOCAL_AWS_ENV } from '../../local/dynamodb-local';
import { changeEventOfRecord } from '../../shared/adapters/dynamodb/change-stream';
import type { ChangeEvent } from '../../shared/domain/change-event';
import { dynamoDbClient } from './clients';

/** The stream of a table in DynamoDB Local, read shard by shard from its start, a little more each time. */
export class TableStream {
  private readonly client = new DynamoDBStreamsClient({
    endpoint: inject('dynamodb').endpoint,
    region: LOCAL_AWS_ENV.AWS_REGION,
    credentials: {
      accessKeyId: LOCAL_AWS_ENV.AWS_ACCESS_KEY_ID,
      secretAccessKey: LOCAL_AWS_ENV.AWS_SECRET_ACCESS_KEY,
    },
  });
  private readonly iterators = new Map<string, string | undefined>();

  constructor(readonly streamArn: string) {}

  /** The records written since the last read, as Pipes delivers them to an enrichment. */
  async readNew(): Promise<DynamoDBRecord[]> {
    const { StreamDescription } = await this.client.send(
      new DescribeStreamCommand({ StreamArn: this.streamArn }),
    );
    const records: _Record[] = [];
    for (const shard of StreamDescription?.Shards ?? []) {
      const shardId = shard.ShardId as string;
      if (!this.iterators.has(shardId)) {
        const { ShardIterator } = await this.client.send(
          new GetShardIteratorCommand({
            StreamArn: this.streamArn,
            ShardId: shardId,
            ShardIteratorType: 'TRIM_HORIZON',
          }),
        );
        this.iterators.set(shardId, ShardIterator);
      }
      let iterator = this.iterators.get(shardId);
      while (iterator) {
        const page = await this.client.send(new GetRecordsCommand({ ShardIterator: iterator }));
        records.push(...(page.Records ?? []));
        this.iterators.set(shardId, page.NextShardIterator);
        if ((page.Records ?? []).length === 0) break;
        iterator = page.NextShardIterator;
      }
    }
    return records.map((record) => this.asPipeRecord(record));
  }

  /** A record as Lambda's DynamoDB event has it (and Pipes passes it): JSON, times in epoch seconds. */
  private asPipeRecord(record: _Record): DynamoDBRecord {
    const { dynamodb } = record;
    return JSON.parse(
      JSON.stringify({
        eventID: record.eventID,
        eventName: record.eventName,
        eventVersion: record.eventVersion,
        eventSource: 'aws:dynamodb',
        awsRegion: record.awsRegion,
        dynamodb: {
          ApproximateCreationDateTime: Math.floor(
            (dynamodb?.ApproximateCreationDateTime?.getTime() ?? 0) / 1000,
          ),
          Keys: dynamodb?.Keys,
          NewImage: dynamodb?.NewImage,
          OldImage: dynamodb?.OldImage,
          SequenceNumber: dynamodb?.SequenceNumber,
          SizeBytes: dynamodb?.SizeBytes,
          StreamViewType: dynamodb?.StreamViewType,
        },
        eventSourceARN: this.streamArn,
      }),
    ) as DynamoDBRecord;
  }

  close(): void {
    this.client.destroy();
  }
}

/** The stream of a table: opens a reader at its start. */
export async function tableStream(tableName: string): Promise<TableStream> {
  const client = dynamoDbClient();
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (!Table?.LatestStreamArn) throw new Error(`table ${tableName} has no stream`);
    return new TableStream(Table.LatestStreamArn);
  } finally {
    client.destroy();
  }
}

/** The change events of the records written since the last read, as the local relay and the pipe make them. */
export async function newChangeEvents(stream: TableStream): Promise<ChangeEvent[]> {
  return (await stream.readNew()).flatMap((record) => changeEventOfRecord(record) ?? []);
}
