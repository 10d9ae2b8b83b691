/**
 * The events of the records of the table's stream (NEW_AND_OLD_IMAGES), as Lambda and EventBridge Pipes
 * deliver them in AWS and as DynamoDB Streams' GetRecords returns them on the local stack: a change event of
 * the user item the write left (or removed), given to the one builder (domain/change-event.ts), and of a group
 * item the same way; a run event of the run record's write that ended it failed or with deletes withheld, and
 * of an alert's insert (domain/run-event.ts). Records of other items (a group's member chunks among them) are
 * not events.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import {
  type ChangeEvent,
  changeEventOf,
  type GroupLastChange,
  groupChangeEventOf,
} from '../../domain/change-event';
import { emptyCounts, type ReportCounts } from '../../domain/report';
import {
  type AdSyncEvent,
  type EndedRun,
  type RunEvent,
  runEventOf,
  type SyncStaleEvent,
} from '../../domain/run-event';
import { fromGroupItem } from './group-items';
import {
  GROUP_SORT_KEY,
  isAlertPartitionKey,
  isGroupPartitionKey,
  isRunPartitionKey,
  isUserPartitionKey,
  RUN_SUMMARY_SORT_KEY,
} from './keys';
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

/**
 * The run event of a stream record: the write of a run's summary item that changed its status to failed or
 * deletionThresholdExceeded (the old image says what it was), or the insert of an alert (its event, stored).
 */
export function runEventOfRecord(record: StreamRecordImages): RunEvent | undefined {
  const image = record.dynamodb?.NewImage;
  if (record.eventName === 'REMOVE' || !image) return undefined;
  const item = unmarshall(image as Image);
  const pk = String(item[tableKeys.partitionKey]);
  if (isAlertPartitionKey(pk)) {
    return record.eventName === 'INSERT' ? (item.event as SyncStaleEvent) : undefined;
  }
  if (!isRunPartitionKey(pk) || item[tableKeys.sortKey] !== RUN_SUMMARY_SORT_KEY) return undefined;
  const old = record.dynamodb?.OldImage;
  const before = old ? (unmarshall(old as Image) as { status: EndedRun['status'] }) : undefined;
  // A record written before a count existed (suspensions) has fewer: the event has every count, as the API does.
  const counts = { ...emptyCounts(), ...(item.counts as Partial<ReportCounts> | undefined) };
  return runEventOf(before, { ...(item as unknown as EndedRun), counts });
}

/** The event of a stream record, a change's or a run's, or undefined when it is none. */
export function eventOfRecord(record: StreamRecordImages): AdSyncEvent | undefined {
  return changeEventOfRecord(record) ?? runEventOfRecord(record);
}
