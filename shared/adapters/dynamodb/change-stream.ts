/**
 * The change event of a record of the table's stream (NEW_AND_OLD_IMAGES), as Lambda and EventBridge Pipes
 * deliver it in AWS and as DynamoDB Streams' GetRecords returns it on the local stack: the user item the
 * write left (or removed), given to the one builder (domain/change-event.ts); a group item's the same way.
 * Records of other items (a group's member chunks among them) are not events.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import {
  type ChangeEvent,
  changeEventOf,
  type GroupLastChange,
  groupChangeEventOf,
} from '../../domain/change-event';
import { fromGroupItem } from './group-items';
import { GROUP_SORT_KEY, isGroupPartitionKey, isUserPartitionKey } from './keys';
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

/** Whether a stream record is of a group item (not of a chunk of its members). */
export function isGroupRecord(record: StreamRecordImages): boolean {
  const image = record.dynamodb?.NewImage ?? record.dynamodb?.OldImage;
  const pk = (image?.[tableKeys.partitionKey] as { S?: string } | undefined)?.S;
  const sk = (image?.[tableKeys.sortKey] as { S?: string } | undefined)?.S;
  return pk !== undefined && isGroupPartitionKey(pk) && sk === GROUP_SORT_KEY;
}

/** The change event of a stream record, or undefined when it is not one. */
export function changeEventOfRecord(record: StreamRecordImages): ChangeEvent | undefined {
  const group = isGroupRecord(record);
  if (!group && !isUserRecord(record)) return undefined;
  const removed = record.eventName === 'REMOVE';
  const image = removed ? record.dynamodb?.OldImage : record.dynamodb?.NewImage;
  if (!image) return undefined;
  const item = unmarshall(image as Image);
  if (group) {
    return groupChangeEventOf({
      removed,
      group: fromGroupItem(item),
      version: Number(item.version ?? 0),
      lastChange: item.lastChange as GroupLastChange | undefined,
    });
  }
  return changeEventOf({
    removed,
    user: fromUserItem(item),
    version: Number(item.version ?? 0),
    lastChange: lastChangeOf(item),
  });
}
