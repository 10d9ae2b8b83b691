/**
 * The measurement of `npm run latency` (tools/latency.ts): changes made in AD one after another, and when each
 * is seen in its user item (DynamoDB Local, read every 250 ms) and in its change event (the local stack's
 * webhook, received here on 127.0.0.1).
 */
import { createServer, type Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Attribute, Change, type Client, EqualityFilter } from 'ldapts';
import { TABLE_NAME } from '../local/local-stack';
import { userKey } from '../shared/adapters/dynamodb/keys';
import { tableKeys } from '../shared/adapters/dynamodb/table';

const POLL_MS = 250;
/** A change not seen this long after the last change fails the measurement. */
export const TIMEOUT_MS = 3 * 60_000;

export interface Probe {
  readonly userName: string;
  readonly dn: string;
  readonly displayName: string;
  changedAt?: number;
  /** When its user item had the new fullName. */
  seenAt?: number;
  /** When its change event (user.updated with the new fullName) was received. */
  eventAt?: number;
}

/** The change events the local stack delivers, as they arrive: for each user name, the full names and when. */
export class EventReceiver {
  private readonly seen: Array<{ userName: string; fullName: string; at: number }> = [];
  private server: Server | undefined;
  port = 0;

  async open(): Promise<void> {
    const server = createServer(async (request, response) => {
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      const at = Date.now();
      try {
        const event = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          userName?: string;
          user?: { fullName?: string };
        };
        if (event.userName && event.user?.fullName) {
          this.seen.push({ userName: event.userName, fullName: event.user.fullName, at });
        }
      } catch {
        // Not an event of ours: answered all the same.
      }
      response.writeHead(204).end();
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
  }

  /** When the event with this user's new full name came, if it has. */
  eventAt(probe: Probe): number | undefined {
    return this.seen.find((e) => e.userName === probe.userName && e.fullName === probe.displayName)?.at;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** The DN of the user whose sAMAccountName this is (exactly one). */
export async function userDn(admin: Client, baseDn: string, userName: string): Promise<string> {
  const { searchEntries } = await admin.search(baseDn, {
    scope: 'sub',
    filter: new EqualityFilter({ attribute: 'sAMAccountName', value: userName }),
    attributes: ['dn'],
  });
  const [entry, ...more] = searchEntries;
  if (!entry || more.length > 0) {
    throw new Error(`expected one directory user ${userName}, found ${searchEntries.length}`);
  }
  return entry.dn;
}

/** Marks the probes whose item has the new fullName (one BatchGetItem, consistent reads). */
async function markSeen(dynamo: DynamoDBDocumentClient, pending: readonly Probe[]): Promise<void> {
  if (pending.length === 0) return;
  const answer = await dynamo.send(
    new BatchGetCommand({
      RequestItems: {
        [TABLE_NAME]: { Keys: pending.map((probe) => userKey(probe.userName)), ConsistentRead: true },
      },
    }),
  );
  const seenAt = Date.now();
  // Keys left unprocessed are read again at the next poll.
  for (const item of answer.Responses?.[TABLE_NAME] ?? []) {
    const key = item[tableKeys.partitionKey];
    const probe = pending.find((p) => userKey(p.userName)[tableKeys.partitionKey] === key);
    if (probe && item.fullName === probe.displayName) probe.seenAt = seenAt;
  }
}

/**
 * Changes each probe's displayName at its gap after the previous change, and polls DynamoDB and the events
 * received until every new name is in its item and its event; the start and the end of the measurement.
 */
export async function changeAndWatch(
  admin: Client,
  dynamo: DynamoDBDocumentClient,
  events: EventReceiver,
  probes: readonly Probe[],
  gaps: readonly number[],
): Promise<{ started: number; ended: number }> {
  const started = Date.now();
  let next = 0;
  let dueAt = started + (gaps[0] as number);
  for (;;) {
    if (next < probes.length && Date.now() >= dueAt) {
      const probe = probes[next] as Probe;
      await admin.modify(probe.dn, [
        new Change({
          operation: 'replace',
          modification: new Attribute({ type: 'displayName', values: [probe.displayName] }),
        }),
      ]);
      probe.changedAt = Date.now();
      next += 1;
      dueAt = probe.changedAt + (gaps[next] ?? 0);
    }
    const changed = probes.filter((probe) => probe.changedAt !== undefined);
    await markSeen(
      dynamo,
      changed.filter((probe) => probe.seenAt === undefined),
    );
    for (const probe of changed) {
      const at = probe.eventAt ?? events.eventAt(probe);
      if (at !== undefined) probe.eventAt = at;
    }
    if (probes.every((probe) => probe.seenAt !== undefined && probe.eventAt !== undefined)) break;
    const lastChangedAt = probes.at(-1)?.changedAt;
    if (lastChangedAt !== undefined && Date.now() - lastChangedAt > TIMEOUT_MS) {
      const unseen = probes.filter((p) => p.seenAt === undefined || p.eventAt === undefined);
      throw new Error(
        `${unseen.length} changes not in DynamoDB or their events ${TIMEOUT_MS / 60_000} minutes after the last change: ${unseen.map((p) => p.userName).join(', ')}`,
      );
    }
    await sleep(POLL_MS);
  }
  return { started, ended: Date.now() };
}
