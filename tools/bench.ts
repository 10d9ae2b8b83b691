/**
 * `npm run bench -- --users N [--json]`: the speed of a sync next to its floor, measured in one run.
 *
 * Seeds a Samba DC with N users under OU=Bench once (kept in ~/.cache/ad-sync/bench-dc-N and reused),
 * starts DynamoDB Local in memory, and measures:
 *   floorRead   a raw paged read of the same users and attributes the sync reads;
 *   floorWrite  raw BatchWriteItem of N user items of the same size;
 *   fullSync    a sync into an empty table;   noChangeSync  the next sync, nothing changed in AD;
 *   changedSync a sync after changing 1% of the users in AD (displayName);
 * with the DynamoDB write requests and write capacity each sync used, and the peak RSS of this process.
 * Each sync records its progress as the deployed sync does (every PROGRESS_INTERVAL_MS while it moves), on a
 * client of its own: `progressWrites` (and their capacity) are counted apart from the user writes, to show
 * what watching a run costs.
 */
import { createHash, randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Attribute, Change } from 'ldapts';
import {
  countWrites,
  defaultCacheDir,
  localDynamoDbClient,
  startDynamoDbLocal,
} from '../local/dynamodb-local';
import { DynamoRunStore } from '../shared/adapters/dynamodb/dynamo-run-store';
import { DynamoSyncCursorStore } from '../shared/adapters/dynamodb/dynamo-sync-cursor-store';
import { DynamoUserStore } from '../shared/adapters/dynamodb/dynamo-user-store';
import { userIndexKeys, userKey } from '../shared/adapters/dynamodb/keys';
import { ensureTable } from '../shared/adapters/dynamodb/table';
import {
  BINARY_ATTRIBUTES,
  LdapDirectoryReader,
  PAGE_SIZE,
  USER_ATTRIBUTES,
  userFilter,
} from '../shared/adapters/ldap/ldap-directory-reader';
import { parseConfig } from '../shared/config/config-schema';
import { PROGRESS_INTERVAL_MS } from '../shared/use-cases/run-progress';
import { synchronize } from '../shared/use-cases/run-sync';
import { connectionSettings, ldapsClientFor, startSambaDc } from '../test/support/samba-dc';

const { values } = parseArgs({
  options: { users: { type: 'string', default: '10000' }, json: { type: 'boolean', default: false } },
  allowPositionals: true,
});
const USERS = Number(values.users);
if (!Number.isInteger(USERS) || USERS < 100)
  throw new Error('--users must be a whole number of at least 100');
const BASE = 'OU=Bench,DC=company,DC=local';
const log = (line: string): void => {
  if (!values.json) process.stderr.write(`${line}\n`);
};

function benchLdif(count: number): string {
  const blocks = [
    'dn: OU=Bench,DC=company,DC=local\nobjectClass: top\nobjectClass: organizationalUnit\nou: Bench',
  ];
  for (let i = 1; i <= count; i += 1) {
    const n = String(i).padStart(7, '0');
    blocks.push(
      [
        `dn: CN=Bench User ${n},${BASE}`,
        'objectClass: top',
        'objectClass: person',
        'objectClass: organizationalPerson',
        'objectClass: user',
        `cn: Bench User ${n}`,
        `sAMAccountName: b${n}`,
        `userPrincipalName: b${n}@company.local`,
        `displayName: Bench User ${n}`,
        `mail: b${n}@company.local`,
        `proxyAddresses: SMTP:b${n}@company.local`,
        `proxyAddresses: smtp:bench.${n}@company.local`,
        `userAccountControl: ${i % 20 === 0 ? 514 : 512}`,
      ].join('\n'),
    );
  }
  return `${blocks.join('\n\n')}\n`;
}

const time = async <T>(work: () => Promise<T>): Promise<{ ms: number; result: T }> => {
  const started = performance.now();
  const result = await work();
  return { ms: Math.round(performance.now() - started), result };
};

async function main(): Promise<void> {
  const ldifFile = join(tmpdir(), `ad-sync-bench-${USERS}.ldif`);
  const fingerprint = createHash('sha256')
    .update(benchLdif(Math.min(USERS, 10)))
    .digest('hex')
    .slice(0, 8);
  const folder = join(defaultCacheDir(), `bench-dc-${USERS}-${fingerprint}`);
  log(`seeding or reusing a directory of ${USERS} users in ${folder} (${fingerprint})`);
  await writeFile(ldifFile, benchLdif(USERS));
  const dc = await startSambaDc(log, { folder, extraLdif: [ldifFile] });
  const dynamodb = await startDynamoDbLocal();
  const client = localDynamoDbClient(dynamodb.endpoint, { maxAttempts: 10 });
  // Every write request, and the capacity it consumed (asked for on each request).
  const counter = countWrites(client, { capacity: true });
  // The progress writes, on a client of their own so that the figures above stay the sync's own.
  const progressClient = localDynamoDbClient(dynamodb.endpoint, { maxAttempts: 10 });
  const progressCounter = countWrites(progressClient, { capacity: true });
  const measureWrites = async <T>(work: () => Promise<T>) => {
    const before = { ...counter };
    const progressBefore = { ...progressCounter };
    const timed = await time(work);
    return {
      ...timed,
      writes: counter.requests - before.requests,
      userWrites: counter.userRequests - before.userRequests,
      capacity: counter.capacity - before.capacity,
      progressWrites: progressCounter.requests - progressBefore.requests,
      progressCapacity: progressCounter.capacity - progressBefore.capacity,
    };
  };

  try {
    const { connection } = dc;
    const config = parseConfig({
      connection: {
        ...connectionSettings(connection),
        baseDn: BASE,
      },
    });

    // Floor read: the same search, attributes and page size as the sync, nothing else.
    const reader = ldapsClientFor(connection, { connectTimeout: 10_000, timeout: 60_000 });
    const floorRead = await time(async () => {
      await reader.bind(connection.serviceAccount.upn, connection.serviceAccount.password);
      let entries = 0;
      for await (const page of reader.searchPaginated(BASE, {
        scope: 'sub',
        filter: userFilter(),
        attributes: [...USER_ATTRIBUTES],
        explicitBufferAttributes: BINARY_ATTRIBUTES,
        paged: { pageSize: PAGE_SIZE },
      })) {
        entries += page.searchEntries.length;
      }
      return entries;
    });
    await reader.unbind();
    log(`floor read: ${floorRead.result} entries in ${floorRead.ms} ms`);

    // Floor write: N user-sized items with BatchWriteItem, 25 per request, 8 requests in flight.
    const floorTable = `bench-floor-${randomUUID()}`;
    await ensureTable(client, floorTable);
    const documents = DynamoDBDocumentClient.from(client);
    const items = Array.from({ length: USERS }, (_, i) => {
      const objectGuid = randomUUID();
      return {
        ...userKey(`b${i}`),
        ...userIndexKeys(`b${i}`, objectGuid),
        userName: `b${i}`,
        fullName: `Bench User ${i}`,
        emailAddresses: [`b${i}@company.local`, `bench.${i}@company.local`],
        authentication: 'directoryServices',
        distinguishedName: `CN=Bench User ${i},${BASE}`,
        userPrincipalName: `b${i}@company.local`,
        objectGuid,
        privileges: ['login'],
        ownArchiveAccess: ['read'],
        createdAt: new Date().toISOString(),
        updatedAt: new Date().toISOString(),
        version: 1,
      };
    });
    const floorWrite = await measureWrites(async () => {
      const batches = Array.from({ length: Math.ceil(items.length / 25) }, (_, i) =>
        items.slice(i * 25, i * 25 + 25),
      );
      let next = 0;
      const worker = async () => {
        while (next < batches.length) {
          let pending = (batches[next++] ?? []).map((Item) => ({ PutRequest: { Item } }));
          while (pending.length > 0) {
            const { UnprocessedItems } = await documents.send(
              new BatchWriteCommand({ RequestItems: { [floorTable]: pending } }),
            );
            pending = (UnprocessedItems?.[floorTable] ?? []) as typeof pending;
          }
        }
      };
      await Promise.all(Array.from({ length: 8 }, worker));
    });
    log(`floor write: ${USERS} items in ${floorWrite.ms} ms (${floorWrite.writes} requests)`);

    const table = `bench-sync-${randomUUID()}`;
    await ensureTable(client, table);
    const deps = {
      directory: new LdapDirectoryReader(),
      users: new DynamoUserStore(client, table),
      runs: new DynamoRunStore(client, table),
      cursors: new DynamoSyncCursorStore(client, table),
      // Its record brought up to date while it runs, at the deployed interval.
      progress: new DynamoRunStore(progressClient, table),
    };
    const sync = () => synchronize(deps, { config, password: connection.serviceAccount.password });

    const full = await measureWrites(sync);
    log(
      `full sync: ${full.result.counts.created} created in ${full.ms} ms (${full.writes} write requests, ${full.progressWrites} progress writes) ${full.result.status}`,
    );
    const noChange = await measureWrites(sync);
    log(
      `no-change sync: ${noChange.ms} ms (${noChange.writes} write requests, run record included; ${noChange.progressWrites} progress writes)`,
    );

    // 1% of the users change their display name in AD.
    const admin = ldapsClientFor(connection, { connectTimeout: 10_000, timeout: 60_000 });
    await admin.bind(connection.administrator.upn, connection.administrator.password);
    const changedUsers = Math.max(1, Math.floor(USERS / 100));
    const stamp = Date.now().toString(36);
    for (let i = 1; i <= changedUsers; i += 1) {
      // Every 100th user, skipping the disabled ones (every 20th), so each change is in scope.
      const n = String(i * 100 - 1).padStart(7, '0');
      await admin.modify(`CN=Bench User ${n},${BASE}`, [
        new Change({
          operation: 'replace',
          modification: new Attribute({ type: 'displayName', values: [`Bench User ${n} ${stamp}`] }),
        }),
      ]);
    }
    await admin.unbind();
    const changed = await measureWrites(sync);
    log(
      `1% changed sync: ${changed.result.counts.updated} updated in ${changed.ms} ms (${changed.writes} write requests, ${changed.progressWrites} progress writes)`,
    );

    const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
    const result = {
      users: USERS,
      floorReadMs: floorRead.ms,
      floorWriteMs: floorWrite.ms,
      fullSyncMs: full.ms,
      fullSyncUserWrites: full.userWrites,
      fullSyncWcu: full.capacity,
      fullSyncProgressWrites: full.progressWrites,
      fullSyncProgressWcu: full.progressCapacity,
      noChangeSyncMs: noChange.ms,
      noChangeWrites: noChange.userWrites,
      noChangeProgressWrites: noChange.progressWrites,
      changedSyncMs: changed.ms,
      changedUsers,
      changedWrites: changed.userWrites,
      changedProgressWrites: changed.progressWrites,
      progressIntervalMs: PROGRESS_INTERVAL_MS,
      peakRssMb,
    };
    if (values.json) {
      process.stdout.write(`${JSON.stringify(result)}\n`);
    } else {
      const floor = floorRead.ms + floorWrite.ms;
      const rows: [string, string, string][] = [
        ['floor read (raw paged LDAPS read)', `${floorRead.ms} ms`, ''],
        [
          'floor write (raw BatchWriteItem)',
          `${floorWrite.ms} ms`,
          `${floorWrite.writes} requests, ${floorWrite.capacity} WCU`,
        ],
        [
          'full sync into an empty table',
          `${full.ms} ms`,
          `${(full.ms / floor).toFixed(2)} x floor; ${full.writes} requests (${full.userWrites} user writes), ${full.capacity} WCU; ${full.progressWrites} progress writes, ${full.progressCapacity} WCU`,
        ],
        [
          'no-change sync',
          `${noChange.ms} ms`,
          `${((noChange.ms / floorRead.ms) * 100).toFixed(0)}% of floor read; ${result.noChangeWrites} user writes, ${noChange.progressWrites} progress writes`,
        ],
        [
          `sync after changing ${changedUsers} users (1%)`,
          `${changed.ms} ms`,
          `${((changed.ms / full.ms) * 100).toFixed(0)}% of full sync; ${result.changedWrites} user writes, ${changed.progressWrites} progress writes`,
        ],
        ['peak RSS', `${peakRssMb} MB`, ''],
      ];
      process.stdout.write(`\nad-sync benchmark: ${USERS} users\n`);
      for (const [what, value, note] of rows)
        process.stdout.write(`${what.padEnd(40)} ${value.padStart(10)}  ${note}\n`);
      process.stdout.write(`${(USERS / (full.ms / 1000)).toFixed(0)} users/s on a full sync\n`);
      const steps = (report: { steps: readonly { name: string; ms: number }[] }) =>
        report.steps.map((step) => `${step.name} ${step.ms}`).join(', ');
      process.stdout.write(`full sync steps (ms): ${steps(full.result)}\n`);
      process.stdout.write(`no-change sync steps (ms): ${steps(noChange.result)}\n`);
    }
  } finally {
    client.destroy();
    progressClient.destroy();
    await dynamodb.stop();
    await dc.stop();
  }
}

await main();
