/**
 * The change relay's reading of a stream: which shards it reads when, where a first start and a restart
 * begin, a trimmed position, a stop in the middle of a delivery. The DynamoDB Streams API is stood in for at
 * the SDK boundary by a small stream of records (the integration tests read DynamoDB Local's own).
 */
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  type _Record,
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  TrimmedDataAccessException,
} from '@aws-sdk/client-dynamodb-streams';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startChangeRelay } from '../../../local/change-relay';
import { type RelayPosition, readPosition, shardsToRead, writePosition } from '../../../local/relay-position';
import { type ChangeWrite, changeWrite } from '../../../shared/adapters/dynamodb/change-writes';
import type { UserChangeEvent as ChangeEvent } from '../../../shared/domain/change-event';
import { TestClock } from '../../support/test-clock';

const STREAM = 'arn:aws:dynamodb:ddblocal:000000000000:table/ad-sync/stream/1';

interface FakeShard {
  readonly id: string;
  readonly parent?: string;
  readonly records: _Record[];
  closed: boolean;
}

/** A stream as the DynamoDB Streams API shows it; records older than `trimmedBefore` are gone. */
class FakeStream {
  readonly shards: FakeShard[] = [];
  private sequence = 0;
  trimmedBefore = 0;
  /** So many next reads of records fail (DynamoDB Local busy). */
  failingReads = 0;

  shard(id: string, parent?: string): FakeShard {
    const shard = { id, ...(parent ? { parent } : {}), records: [], closed: false };
    this.shards.push(shard);
    return shard;
  }

  /** Appends the INSERT record of a new user item (a sync's create), or of another item when `user` is false. */
  insert(shard: FakeShard, userName: string, user = true): string {
    this.sequence += 1;
    const SequenceNumber = String(this.sequence).padStart(21, '0');
    const item = user
      ? ((
          changeWrite(
            'ad-sync',
            {
              action: 'create',
              target: {
                userName,
                fullName: userName,
                emailAddresses: [],
                distinguishedName: `CN=${userName},DC=company,DC=local`,
                userPrincipalName: `${userName}@company.local`,
                objectGuid: `guid-${userName}`,
              },
              userName,
              fullName: userName,
              emailAddresses: [],
              changedFields: [],
            },
            {
              runId: 'run-1',
              defaults: { privileges: [], ownArchiveAccess: [] },
              now: '2026-11-25T10:00:00.000Z',
            },
          ) as ChangeWrite
        ).actions[0]?.Put?.Item as Record<string, unknown>)
      : { pk: `RUN#${userName}`, sk: 'RUN' };
    shard.records.push({
      eventName: 'INSERT',
      dynamodb: { SequenceNumber, NewImage: marshall(item, { removeUndefinedValues: true }) as never },
    });
    return SequenceNumber;
  }

  /** Stands in for the two clients; returns what undoes it. */
  install(): () => void {
    const streams = mockClient(DynamoDBStreamsClient);
    streams.on(DescribeStreamCommand).callsFake(() => ({
      StreamDescription: {
        StreamArn: STREAM,
        Shards: this.shards.map((s) => ({
          ShardId: s.id,
          ...(s.parent ? { ParentShardId: s.parent } : {}),
          SequenceNumberRange: {
            StartingSequenceNumber: s.records[0]?.dynamodb?.SequenceNumber,
            ...(s.closed ? { EndingSequenceNumber: s.records.at(-1)?.dynamodb?.SequenceNumber } : {}),
          },
        })),
      },
    }));
    streams.on(GetShardIteratorCommand).callsFake((input) => {
      const shard = this.shards.find((s) => s.id === input.ShardId) as FakeShard;
      if (input.ShardIteratorType === 'TRIM_HORIZON') {
        const kept = shard.records.findIndex((r) => Number(r.dynamodb?.SequenceNumber) >= this.trimmedBefore);
        return { ShardIterator: `${shard.id}#${kept < 0 ? shard.records.length : kept}` };
      }
      if (Number(input.SequenceNumber) < this.trimmedBefore) {
        throw new TrimmedDataAccessException({ message: 'trimmed', $metadata: {} });
      }
      const index = shard.records.findIndex((r) => r.dynamodb?.SequenceNumber === input.SequenceNumber);
      return { ShardIterator: `${shard.id}#${index + 1}` };
    });
    streams.on(GetRecordsCommand).callsFake((input) => {
      if (this.failingReads > 0) {
        this.failingReads -= 1;
        throw new Error('connect ECONNREFUSED 127.0.0.1:8000');
      }
      const [id, at] = String(input.ShardIterator).split('#');
      const shard = this.shards.find((s) => s.id === id) as FakeShard;
      const Records = shard.records.slice(Number(at));
      const end = Number(at) + Records.length;
      return shard.closed && end === shard.records.length
        ? { Records }
        : { Records, NextShardIterator: `${id}#${end}` };
    });
    const tables = mockClient(DynamoDBClient)
      .on(DescribeTableCommand)
      .resolves({ Table: { LatestStreamArn: STREAM } });
    return () => {
      streams.restore();
      tables.restore();
    };
  }
}

let home: string;
let stream: FakeStream;
let delivered: ChangeEvent[];
let log: string[];
let stops: Array<() => Promise<void>>;
let uninstall: () => void;

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'ad-sync-relay-'));
  stream = new FakeStream();
  uninstall = stream.install();
  delivered = [];
  log = [];
  stops = [];
});

afterEach(async () => {
  for (const stop of stops) await stop();
  uninstall();
  await rm(home, { recursive: true, force: true });
});

const positionFile = () => join(home, 'webhook-position.json');

const deliverHere = async (event: ChangeEvent): Promise<void> => {
  delivered.push(event);
};

async function start(
  deliver: (event: ChangeEvent, signal: AbortSignal) => Promise<void> = deliverHere,
  clock?: TestClock,
) {
  const relay = await startChangeRelay({
    streams: new DynamoDBStreamsClient({}),
    dynamodb: new DynamoDBClient({}),
    tableName: 'ad-sync',
    positionFile: positionFile(),
    deliver,
    log: (line) => log.push(line),
    idleMs: 5,
    ...(clock ? { clock } : {}),
  });
  stops.push(() => relay.stop());
  return relay;
}

const names = () => delivered.map((event) => event.userName);

describe('shardsToRead', () => {
  const shards = [
    { ShardId: 'child', ParentShardId: 'parent' },
    { ShardId: 'parent' },
    { ShardId: 'orphan', ParentShardId: 'trimmed' },
  ];
  it('reads a child only once its parent is finished or gone', () => {
    const position = (shards: RelayPosition['shards']): RelayPosition => ({ streamArn: STREAM, shards });
    expect(shardsToRead(shards, position({})).map((s) => s.ShardId)).toEqual(['parent', 'orphan']);
    expect(shardsToRead(shards, position({ parent: { finished: true } })).map((s) => s.ShardId)).toEqual([
      'child',
      'orphan',
    ]);
  });
});

describe('the change relay', () => {
  it('starts, the first time, with the changes committed from then on, and records that position at once', async () => {
    const shard = stream.shard('s1');
    stream.insert(shard, 'before');
    const last = stream.insert(shard, 'run', false);
    await start();
    expect(await readPosition(positionFile())).toEqual({
      streamArn: STREAM,
      shards: { s1: { after: last } },
    });
    expect((await stat(positionFile())).mode & 0o777).toBe(0o600);
    stream.insert(shard, 'after');
    await vi.waitFor(() => expect(names()).toEqual(['after']));
  });

  it('delivers user changes only, and after a restart resumes after the last delivered event', async () => {
    const shard = stream.shard('s1');
    await start();
    stream.insert(shard, 'a');
    stream.insert(shard, 'run-1', false);
    const b = stream.insert(shard, 'b');
    await vi.waitFor(() => expect(names()).toEqual(['a', 'b']));
    await stops.pop()?.();
    expect((await readPosition(positionFile()))?.shards.s1?.after).toBe(b);

    stream.insert(shard, 'c');
    delivered = [];
    await start();
    await vi.waitFor(() => expect(names()).toEqual(['c']));
  });

  it('reads a parent shard to its end before its children, whatever the order they are listed in', async () => {
    await start();
    const child = stream.shard('child', 'parent');
    const parent = stream.shard('parent');
    stream.insert(parent, 'p1');
    stream.insert(child, 'c1');
    stream.insert(parent, 'p2');
    parent.closed = true;
    await vi.waitFor(() => expect(names()).toEqual(['p1', 'p2', 'c1']));
    expect((await readPosition(positionFile()))?.shards.parent).toMatchObject({ finished: true });
  });

  it('goes on from the oldest record the stream holds when the position is older, with a warning', async () => {
    const shard = stream.shard('s1');
    const gone = stream.insert(shard, 'gone');
    await writePosition(positionFile(), { streamArn: STREAM, shards: { s1: { after: gone } } });
    stream.insert(shard, 'kept');
    stream.trimmedBefore = Number(gone) + 1;
    await start();
    await vi.waitFor(() => expect(names()).toEqual(['kept']));
    expect(log.join('\n')).toMatch(
      /warning: the stream no longer holds the records after the last delivered event/,
    );
  });

  it('stops in the middle of a delivery without recording it, so the next start delivers it again', async () => {
    const shard = stream.shard('s1');
    await start(async (event, signal) => {
      delivered.push(event);
      await new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
    });
    const before = await readFile(positionFile(), 'utf8');
    stream.insert(shard, 'stuck');
    await vi.waitFor(() => expect(names()).toEqual(['stuck']));
    await stops.pop()?.();
    expect(await readFile(positionFile(), 'utf8')).toBe(before);

    delivered = [];
    await start();
    await vi.waitFor(() => expect(names()).toEqual(['stuck']));
  });

  it('reads the stream again 5 s after a read failed, and then delivers what it holds', async () => {
    const clock = new TestClock();
    const shard = stream.shard('s1');
    await start(deliverHere, clock);
    // Nothing new: the relay waits its idle time on the clock.
    await clock.sleeping();
    stream.insert(shard, 'a');
    stream.failingReads = 1;
    expect(await clock.advanceToNext()).toBe(5);
    await clock.sleeping();
    expect(log.at(-1)).toBe(
      "webhooks: reading the table's stream failed (connect ECONNREFUSED 127.0.0.1:8000); trying again in 5 s",
    );
    expect(names()).toEqual([]);
    expect(await clock.advanceToNext()).toBe(5_000);
    // Delivered, and waiting (idle) again.
    await clock.sleeping();
    expect(names()).toEqual(['a']);
  });

  it('refuses a position file that is not one, naming it', async () => {
    stream.shard('s1');
    await writePosition(positionFile(), { streamArn: STREAM, shards: { s1: { after: 7 } } } as never);
    await expect(start()).rejects.toThrow(`${positionFile()} is not a webhook delivery position`);
  });
});
