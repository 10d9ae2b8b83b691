/**
 * The floors the benchmark sets a sync beside, each measured on its own: a raw paged read of the users the
 * sync reads, a fresh LDAPS connection's first answer, the paged objectGUID scan a no-change run makes, raw
 * BatchWriteItem of as many user-sized items, and the conditional writes a first sync makes, alone.
 */
import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { WriteCount } from '../local/dynamodb-local';
import { DynamoUserStore } from '../shared/adapters/dynamodb/dynamo-user-store';
import { userIndexKeys, userKey } from '../shared/adapters/dynamodb/keys';
import { ensureTable } from '../shared/adapters/dynamodb/table';
import {
  BINARY_ATTRIBUTES,
  FIRST_PAGE_SIZE,
  PAGE_SIZE,
  USER_ATTRIBUTES,
  userFilter,
} from '../shared/adapters/ldap/user-searches';
import { parseConfig } from '../shared/config/config-schema';
import type { CreateChange } from '../shared/domain/plan-sync';
import { APPLY_BATCH } from '../shared/use-cases/run-dependencies';
import { type DirectoryConnection, ldapsClientFor } from '../test/support/samba-dc';
import { percentile } from './percentile';

/** What a piece of work took, in whole milliseconds, and what it returned. */
export interface Timed<T> {
  readonly ms: number;
  readonly result: T;
}

export const time = async <T>(work: () => Promise<T>): Promise<Timed<T>> => {
  const started = performance.now();
  const result = await work();
  return { ms: Math.round(performance.now() - started), result };
};

/** Several runs of a measurement, and their median. */
export interface MedianOfRuns {
  readonly medianMs: number;
  readonly runsMs: number[];
}

/** The sync's user search (its filter and attributes) in pages of `pageSize`. */
const userSearch = (pageSize: number) => ({
  scope: 'sub' as const,
  filter: userFilter(),
  attributes: [...USER_ATTRIBUTES],
  explicitBufferAttributes: BINARY_ATTRIBUTES,
  paged: { pageSize },
});

/** Floor read: the same search, attributes and page size as the sync, nothing else; the entries read. */
export async function floorRead(connection: DirectoryConnection, base: string): Promise<Timed<number>> {
  const reader = ldapsClientFor(connection, { connectTimeout: 10_000, timeout: 60_000 });
  const read = await time(async () => {
    await reader.bind(connection.serviceAccount.upn, connection.serviceAccount.password);
    let entries = 0;
    for await (const page of reader.searchPaginated(base, userSearch(PAGE_SIZE))) {
      entries += page.searchEntries.length;
    }
    return entries;
  });
  await reader.unbind();
  return read;
}

/**
 * Floor first page: how long the DC takes to answer the first page of the sync's search (FIRST_PAGE_SIZE
 * entries, on a bound connection), the median of `runs`. Samba answers it once it has evaluated the whole
 * search, so it grows with the directory; no write of a sync can go out before it.
 */
export async function floorFirstPage(
  connection: DirectoryConnection,
  base: string,
  runs: number,
): Promise<MedianOfRuns> {
  const runsMs: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const reader = ldapsClientFor(connection, { connectTimeout: 10_000, timeout: 60_000 });
    await reader.bind(connection.serviceAccount.upn, connection.serviceAccount.password);
    const started = performance.now();
    for await (const _page of reader.searchPaginated(base, userSearch(FIRST_PAGE_SIZE))) {
      runsMs.push(Math.round(performance.now() - started));
      break;
    }
    await reader.unbind();
  }
  return { medianMs: percentile(runsMs, 50), runsMs };
}

/**
 * Floor connect: what a run's connect step cannot go below, a fresh LDAPS connection to the DC and its first
 * answer (the rootDSE the sync reads there): the DC's part, whatever the sync does.
 */
export async function floorConnect(connection: DirectoryConnection, runs: number): Promise<MedianOfRuns> {
  const connectRuns: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const fresh = ldapsClientFor(connection);
    const started = performance.now();
    await fresh.search('', { scope: 'base', attributes: ['defaultNamingContext', 'namingContexts'] });
    connectRuns.push(Math.round((performance.now() - started) * 10) / 10);
    await fresh.unbind();
  }
  return { medianMs: percentile(connectRuns, 50), runsMs: connectRuns };
}

/**
 * Floor GUID scan: the objectGUIDs of the whole scope, paged, on a bound connection of the read-only service
 * account. Every run enumerates them to find the users that left (docs/architecture.md).
 */
export async function floorGuidScan(
  connection: DirectoryConnection,
  base: string,
  users: number,
  runs: number,
): Promise<MedianOfRuns> {
  const scanner = ldapsClientFor(connection, { connectTimeout: 10_000, timeout: 60_000 });
  await scanner.bind(connection.serviceAccount.upn, connection.serviceAccount.password);
  const scanRuns: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const scan = await time(async () => {
      let guids = 0;
      for await (const page of scanner.searchPaginated(base, {
        scope: 'sub',
        filter: userFilter(),
        attributes: ['objectGUID'],
        explicitBufferAttributes: BINARY_ATTRIBUTES,
        paged: { pageSize: PAGE_SIZE },
      })) {
        guids += page.searchEntries.length;
      }
      return guids;
    });
    if (scan.result !== users) throw new Error(`the GUID scan read ${scan.result} of ${users} users`);
    scanRuns.push(scan.ms);
  }
  await scanner.unbind();
  return { medianMs: percentile(scanRuns, 50), runsMs: scanRuns };
}

/**
 * Floor write: `users` user-sized items with BatchWriteItem, 25 per request, 8 requests in flight, into a table
 * of their own; the requests and capacity `counter` (the client's) counted by the end.
 */
export async function floorWrite(
  client: DynamoDBClient,
  counter: Readonly<WriteCount>,
  base: string,
  users: number,
): Promise<Timed<{ requests: number; capacity: number }>> {
  const floorTable = `bench-floor-${randomUUID()}`;
  await ensureTable(client, floorTable);
  const documents = DynamoDBDocumentClient.from(client);
  const items = Array.from({ length: users }, (_, i) => {
    const objectGuid = randomUUID();
    return {
      ...userKey(`b${i}`),
      ...userIndexKeys(`b${i}`, objectGuid),
      userName: `b${i}`,
      fullName: `Bench User ${i}`,
      emailAddresses: [`b${i}@company.local`, `bench.${i}@company.local`],
      authentication: 'directoryServices',
      distinguishedName: `CN=Bench User ${i},${base}`,
      userPrincipalName: `b${i}@company.local`,
      objectGuid,
      privileges: ['login'],
      ownArchiveAccess: ['read'],
      createdAt: new Date().toISOString(),
      updatedAt: new Date().toISOString(),
      version: 1,
    };
  });
  return time(async () => {
    await batchWriteAll(documents, floorTable, items);
    return { requests: counter.requests, capacity: counter.capacity };
  });
}

/** Raw BatchWriteItem of the items, 25 a request, 8 requests at a time, unprocessed items again. */
export async function batchWriteAll(
  documents: DynamoDBDocumentClient,
  table: string,
  items: readonly Record<string, unknown>[],
): Promise<void> {
  const batches = Array.from({ length: Math.ceil(items.length / 25) }, (_, i) =>
    items.slice(i * 25, i * 25 + 25),
  );
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      let pending = (batches[next++] ?? []).map((Item) => ({ PutRequest: { Item } }));
      while (pending.length > 0) {
        const { UnprocessedItems } = await documents.send(
          new BatchWriteCommand({ RequestItems: { [table]: pending } }),
        );
        pending = (UnprocessedItems?.[table] ?? []) as typeof pending;
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

/** The create a first sync plans for the benchmark's user `i` under `base`, with the fields it maps. */
export function benchCreate(i: number, base: string): CreateChange {
  const n = String(i).padStart(7, '0');
  const target = {
    userName: `b${n}`,
    fullName: `Bench User ${n}`,
    emailAddresses: [`b${n}@company.local`, `bench.${n}@company.local`],
    distinguishedName: `CN=Bench User ${n},${base}`,
    userPrincipalName: `b${n}@company.local`,
    objectGuid: randomUUID(),
  };
  const { userName, fullName, emailAddresses } = target;
  return { action: 'create', target, userName, fullName, emailAddresses, changedFields: [] };
}

/** What a create is written with: a run, and the privileges it gives when the configuration names none. */
export const createContext = () => ({
  runId: randomUUID(),
  defaults: parseConfig({ connection: { domain: 'company.local' } }).defaultPrivileges,
  now: new Date().toISOString(),
});

/**
 * Floor conditional write: the writes a first sync of the benchmark's directory makes, alone, without the read:
 * a create for each user in scope (every 20th is disabled and excluded, as the sync excludes it), with the
 * fields the sync maps (npm run bench's users), through the sync's own store (`DynamoUserStore.applyChanges`:
 * a conditional put each, in TransactWriteItems of 100, 4 in flight), in apply batches of APPLY_BATCH one after
 * the other as the sync applies them, into a table of their own. The creates.
 */
export async function floorConditionalWrite(
  client: DynamoDBClient,
  base: string,
  users: number,
): Promise<Timed<number>> {
  const floorTable = `bench-floor-conditional-${randomUUID()}`;
  await ensureTable(client, floorTable);
  const store = new DynamoUserStore(client, floorTable);
  const changes: CreateChange[] = [];
  for (let i = 1; i <= users; i += 1) if (i % 20 !== 0) changes.push(benchCreate(i, base));
  const context = createContext();
  return time(async () => {
    let created = 0;
    for (let i = 0; i < changes.length; i += APPLY_BATCH) {
      const result = await store.applyChanges(changes.slice(i, i + APPLY_BATCH), context);
      created += result.applied.length;
    }
    if (created !== changes.length)
      throw new Error(`the floor created ${created} of ${changes.length} users`);
    return created;
  });
}
