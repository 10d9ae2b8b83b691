/**
 * The enrichment of the change-events pipe in AWS (cdk/events.ts, docs/architecture.md#change-events-on-aws).
 * EventBridge Pipes hands it a batch of the table's stream records (filtered at the source to records of user
 * items, run records and alerts that may be events) and puts on the bus what it answers: one event per element of the array, the
 * element being the event's `detail`. Each record is given to the one builder (eventOfRecord); a record
 * that is no event (the mark before a delete, the old key of a rename, a write that kept the mark it found)
 * gives no element, which Pipes takes as filtered. Reads and writes nothing: no table, no secret.
 */
import type { DynamoDBRecord } from 'aws-lambda';
import { eventOfRecord } from '../shared/adapters/dynamodb/change-stream';
import type { AdSyncEvent } from '../shared/domain/run-event';

/** What Pipes passes a Lambda enrichment of a DynamoDB stream: the batch's records, as Lambda's event has them. */
export type StreamRecordBatch = readonly DynamoDBRecord[];

/** The events of a batch, in the batch's order (the stream's commit order per item). */
export function changeEventsOf(records: StreamRecordBatch): AdSyncEvent[] {
  if (!Array.isArray(records)) {
    throw new TypeError(
      `the events function takes the array of stream records EventBridge Pipes passes an enrichment, not ${
        records === null ? 'null' : typeof records
      }`,
    );
  }
  return records.flatMap((record, index) => {
    if (typeof record !== 'object' || record === null) {
      throw new TypeError(`stream record ${index} of the batch is not an object`);
    }
    try {
      return eventOfRecord(record) ?? [];
    } catch (error) {
      // The batch fails: Pipes retries it, halves it until the record is alone, then sends it to the DLQ.
      const where = `${record.eventName ?? 'record'} ${record.eventID ?? `#${index}`} (sequence number ${
        record.dynamodb?.SequenceNumber ?? 'unknown'
      })`;
      throw new Error(`stream record ${where} could not be made into its change event: ${String(error)}`, {
        cause: error,
      });
    }
  });
}

export const handler = async (records: StreamRecordBatch): Promise<AdSyncEvent[]> => changeEventsOf(records);
