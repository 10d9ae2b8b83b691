/**
 * Where the change relay stands in the table's stream, kept in the position file: per shard, the last record
 * handled and whether it is read to its end. Which shards to read next follows from it (parents first), and so
 * does the position of a first start (the changes committed from then on).
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import type { Shard } from '@aws-sdk/client-dynamodb-streams';

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
