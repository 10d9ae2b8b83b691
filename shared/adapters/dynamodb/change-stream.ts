/**
 * The change event of a record of the table's stream (NEW_AND_OLD_IMAGES), as Lambda and EventBridge Pipes
 * deliver it in AWS and as DynamoDB Streams' GetRecords returns it on the local stack: the user item the
 * write left (or removed), given to the one builder (domain/change-event.ts). Records of other items are
 * not events.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { type ChangeEvent, changeEventOf } from '../../domain/change-event';
import { isUserPartitionKey } from './keys';
import { tableKeys } from './table';
import { fromUserItem, lastChangeOf } from './user-items';

type Image = Record<string, AttributeValue>;

/** What a stream record holds, in either delivery (their attribute value types are the same in JSON). */
export interface StreamRecordImages {
  readonly eventName?: string | undefined;
  readonly dynamodb?:
    | {
        readonly NewImage?: Record<string, unknown> | undefined;
        readonly OldImage?: Record<string, unknown> | undefined;
      }
    | undefined;
}

/** Whether a stream record is of a user item (the only records events are made of). */
export function isUserRecord(record: StreamRecordImages): boolean {
  const image = record.dynamodb?.NewImage ?? record.dynamodb?.OldImage;
  const pk = (image?.[tableKeys.partitionKey] as { S?: string } | undefined)?.S;
  return pk !== undefined && isUserPartitionKey(pk);
}

/** The change event of a stream record, or undefined when it is not one. */
export function changeEventOfRecord(record: StreamRecordImages): ChangeEvent | undefined {
  if (!isUserRecord(record)) return undefined;
  const removed = record.eventName === 'REMOVE';
  const image = removed ? record.dynamodb?.OldImage : record.dynamodb?.NewImage;
  if (!image) return undefined;
  const item = unmarshall(image as Image);
  return changeEventOf({
    removed,
    user: fromUserItem(item),
    version: Number(item.version ?? 0),
    lastChange: lastChangeOf(item),
  });
}
