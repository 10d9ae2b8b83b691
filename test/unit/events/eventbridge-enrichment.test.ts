/**
 * The events function (functions/events.ts), the change-events pipe's enrichment: a batch of stream records
 * in, the events of those that are events out, in order; bad input is refused with a clear error (the batch
 * then fails, and Pipes retries it, halves it, and dead-letters the record alone). The real records of real
 * syncs are in test/integration/events/eventbridge-enrichment.test.ts.
 */
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { handler } from '../../../functions/events';
import { runKey } from '../../../shared/adapters/dynamodb/keys';
import { toUserItem } from '../../../shared/adapters/dynamodb/user-items';
import type { ChangeEvent, LastChange } from '../../../shared/domain/change-event';
import type { User } from '../../../shared/domain/user';

const user = (userName: string, objectGuid: string): User => ({
  userName,
  fullName: userName,
  emailAddresses: [`${userName}@company.local`],
  authentication: 'directoryServices',
  distinguishedName: `CN=${userName},OU=Staff,DC=company,DC=local`,
  objectGuid,
  privileges: ['login'],
  ownArchiveAccess: ['read'],
  createdAt: '2026-11-25T10:00:00.000Z',
  updatedAt: '2026-11-25T10:00:00.000Z',
});
const mark = (kind: LastChange['kind'], version: number): LastChange => ({
  runId: 'run-1',
  kind,
  changedFields: kind === 'delete' ? [] : ['fullName'],
  at: '2026-11-25T10:00:00.000Z',
  version,
});
const image = (item: Record<string, unknown>) =>
  marshall(item, { removeUndefinedValues: true }) as NonNullable<DynamoDBRecord['dynamodb']>['NewImage'];

let sequence = 0;
const record = (
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE',
  images: { NewImage?: Record<string, unknown>; OldImage?: Record<string, unknown> },
): DynamoDBRecord => {
  const any = (images.NewImage ?? images.OldImage) as Record<string, unknown>;
  sequence += 1;
  return {
    eventID: `event-${sequence}`,
    eventName,
    eventSource: 'aws:dynamodb',
    awsRegion: 'eu-central-1',
    dynamodb: {
      Keys: image({ pk: any.pk, sk: any.sk }),
      ...(images.NewImage ? { NewImage: image(images.NewImage) } : {}),
      ...(images.OldImage ? { OldImage: image(images.OldImage) } : {}),
      SequenceNumber: String(sequence),
      SizeBytes: 100,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
    eventSourceARN: 'arn:aws:dynamodb:eu-central-1:123456789012:table/t/stream/2026-11-25T00:00:00.000',
  };
};

const ALICE = '6f9619ff-8b86-d011-b42d-00c04fc964ff';
const BOB = '7a9619ff-8b86-d011-b42d-00c04fc964ff';

describe('the events function (the pipe enrichment)', () => {
  it('answers the events of the records that are events, in the order of the batch', async () => {
    const bobMarked = toUserItem(user('bob', BOB), 4, mark('delete', 4));
    const batch = [
      record('MODIFY', {
        OldImage: toUserItem(user('alice', ALICE), 1, mark('create', 1)),
        NewImage: toUserItem({ ...user('alice', ALICE), fullName: 'Alice A.' }, 2, mark('update', 2)),
      }),
      // The mark before a delete, then the delete: one event, of the removal.
      record('MODIFY', { OldImage: toUserItem(user('bob', BOB), 3, mark('update', 3)), NewImage: bobMarked }),
      record('REMOVE', { OldImage: bobMarked }),
      // Another item's record: none.
      record('INSERT', { NewImage: { ...runKey('run-1'), status: 'running' } }),
    ];
    const events = (await handler(batch)) as ChangeEvent[];
    expect(events.map((e) => [e.type, e.userName, e.id])).toEqual([
      ['user.updated', 'alice', `run-1:${ALICE}:2`],
      ['user.deleted', 'bob', `run-1:${BOB}:4`],
    ]);
    expect(events[1]?.user).toMatchObject({ userName: 'bob', fullName: 'bob' });
    expect(await handler([])).toEqual([]);
  });

  it('refuses what is not a batch of records, and names the record it could not read', async () => {
    await expect(handler({ Records: [] } as unknown as DynamoDBRecord[])).rejects.toThrow(
      /array of stream records EventBridge Pipes passes an enrichment, not object/,
    );
    await expect(handler([null] as unknown as DynamoDBRecord[])).rejects.toThrow(
      /stream record 0 of the batch is not an object/,
    );
    const broken = record('INSERT', { NewImage: toUserItem(user('carol', ALICE), 1, mark('create', 1)) });
    (broken.dynamodb as { NewImage: unknown }).NewImage = {
      pk: { S: 'USER#carol' },
      version: { N: 'x' },
      lastChange: 7,
    };
    await expect(handler([broken])).rejects.toThrow(/stream record INSERT event-\d+ \(sequence number \d+\)/);
  });
});
