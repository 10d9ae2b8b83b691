/**
 * `npm run bench -- --users N [--groups G] [--seed-only] [--json]`: the speed of a sync next to its floor,
 * measured in one run.
 *
 * Seeds a Samba DC with N users under OU=Bench once (kept in ~/.cache/ad-sync/bench-dc-N and reused), and
 * with --groups G groups of about 100 members on a copy of it (tools/bench-groups.ts: synchronized, `all`,
 * with one privilege rule on a nested group; floorGroupRead and floorGroupWrite are then added to the
 * floor), starts DynamoDB Local in memory, and measures:
 *   floorRead   a raw paged read of the same users and attributes the sync reads;
 *   floorWrite  raw BatchWriteItem of N user items of the same size;
 *   floorConditionalWrite  the conditional creates a first sync makes (the same transactions), without the read;
 *   floorCpuBound the CPU time the floor read and the conditional write used, every process's (this one, the DC,
 *               DynamoDB Local: tools/process-cpu.ts), over the machine's cores: where the three share few cores,
 *               the least a sync that overlaps reading and writing can take;
 *   floorFirstPage the first page of the sync's read (its size, on a bound connection; the median of
 *               FIRST_PAGE_RUNS): the DC answers it once it has evaluated the whole search;
 *   floorOverlap  the larger of floorCpuBound and floorFirstPage plus floorConditionalWrite (no write goes out
 *               before a user is read): the least a full sync of the users can take on this machine (with
 *               --groups, the groups' reads and writes come on top);
 *   floorConnect a fresh LDAPS connection and the rootDSE read (the DC's part of a run's connect step);
 *   floorGuidScan a paged read of the objectGUIDs of every user under the base DN, as the read-only service
 *               account (what a no-change run must do to find leavers; the median of NO_CHANGE_RUNS);
 *   fullSync    a sync into an empty table;   noChangeSync  the next sync, nothing changed in AD;
 *   changedSync a sync after changing 1% of the users in AD (displayName);
 * with the DynamoDB write requests, user items and write capacity each sync used. Each sync runs in a process
 * of its own started as Lambda starts the sync function (tools/bench-sync.ts: the deployed bundle, the
 * runtime's heap flags for the function's memory, the stack's NODE_OPTIONS), so `peakRssMb` is what the
 * function would use. Each sync records its progress as the deployed sync does (every PROGRESS_INTERVAL_MS
 * while it moves), on a client of its own: `progressWrites` (and their capacity) are counted apart from the
 * user writes, to show what watching a run costs. The floors are measured by tools/bench-floors.ts.
 */
import { spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { Attribute, Change } from 'ldapts';
import { HEAP_WRAPPER } from '../cdk/lambda-runtime';
import {
  countWrites,
  defaultCacheDir,
  localDynamoDbClient,
  startDynamoDbLocal,
} from '../local/dynamodb-local';
import { ensureTable } from '../shared/adapters/dynamodb/table';
import {
  connectionSettings,
  type DirectoryConnection,
  ldapsClientFor,
  provisionKeptDc,
  startSambaDc,
} from '../test/support/samba-dc';
import {
  floorConditionalWrite,
  floorConnect,
  floorFirstPage,
  floorGuidScan,
  floorRead,
  floorWrite,
} from './bench-floors';
import {
  benchGroupDn,
  benchGroupsLdif,
  floorGroupRead,
  floorGroupWrite,
  seedGroupsOnCopy,
} from './bench-groups';
import { benchMapping } from './bench-mapping';
import { type BenchSettings, figuresOf, printReport, SYNC_NODE_ARGUMENTS } from './bench-report';
import type { BenchSyncResult, BenchSyncTask } from './bench-sync';
import { DEPLOYED_BUILD } from './bundle-sizes';
import { withCpu } from './process-cpu';

const { values } = parseArgs({
  options: {
    users: { type: 'string', default: '10000' },
    // Groups of about 100 members under OU=Groups (tools/bench-groups.ts), synchronized with a privilege rule.
    groups: { type: 'string', default: '0' },
    json: { type: 'boolean', default: false },
    // Only provision and seed the kept directory (offline: no port, so beside another DC), then stop.
    'seed-only': { type: 'boolean', default: false },
    // Run the syncs with the runtime's own heap flags, without the sync function's wrapper (to compare).
    'without-wrapper': { type: 'boolean', default: false },
    // Attribute mapping's cost (SPEC 8.3): after a warming floor read, a full sync without a mapping and one
    // with BENCH_MAPPING (10 fields, one an expression), each into an empty table of its own, in this run.
    mapping: { type: 'boolean', default: false },
  },
  allowPositionals: true,
});
const USERS = Number(values.users);
if (!Number.isInteger(USERS) || USERS < 100)
  throw new Error('--users must be a whole number of at least 100');
const GROUPS = Number(values.groups);
if (!Number.isInteger(GROUPS) || GROUPS < 0 || (GROUPS > 0 && GROUPS < 10))
  throw new Error('--groups must be 0 or a whole number of at least 10');
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

/** Bundles tools/bench-sync.ts as the functions are bundled, where it finds node_modules' AWS SDK. */
async function bundleSyncProcess(): Promise<string> {
  const outfile = fileURLToPath(new URL('../node_modules/.cache/ad-sync/bench-sync.cjs', import.meta.url));
  await mkdir(join(outfile, '..'), { recursive: true });
  await build({
    ...DEPLOYED_BUILD,
    // Profiled, it is left readable: tools/cpu-profile-summary.ts attributes its time to the source files.
    ...(process.env.ADSYNC_BENCH_CPU_PROF ? { minify: false } : {}),
    entryPoints: [fileURLToPath(new URL('./bench-sync.ts', import.meta.url))],
    outfile,
  });
  return outfile;
}

/** The groups' LDIF of a small directory, hashed: a change to how groups are seeded seeds anew. */
const groupsFingerprint = (): string =>
  createHash('sha256')
    .update(benchGroupsLdif(BASE, 100, 20))
    .digest('hex')
    .slice(0, 8);

/** First pages of the read measured (their median is the floor's). */
const FIRST_PAGE_RUNS = 5;

/** No-change runs measured (their median is reported), and fresh connections for the connect floor. */
const NO_CHANGE_RUNS = 11;

const WRAPPED = !values['without-wrapper'];

/**
 * One sync in a process of its own, started as Lambda starts the sync function: its exec wrapper (unless
 * --without-wrapper) given node and the runtime's arguments, NODE_OPTIONS unset.
 */
async function runSync(bundle: string, task: BenchSyncTask): Promise<BenchSyncResult> {
  const { NODE_OPTIONS: _unset, ...environment } = process.env;
  // ADSYNC_BENCH_CPU_PROF=<folder>: each sync's V8 CPU profile there (tools/cpu-profile-summary.ts reads one).
  const profile = process.env.ADSYNC_BENCH_CPU_PROF;
  const profiling = profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : [];
  const command = [process.execPath, ...SYNC_NODE_ARGUMENTS, ...profiling, bundle];
  const child = WRAPPED
    ? spawn('bash', [HEAP_WRAPPER.file, ...command], {
        env: { ...environment, ADSYNC_SEMI_SPACE_MB: HEAP_WRAPPER.environment.ADSYNC_SEMI_SPACE_MB },
        stdio: ['pipe', 'pipe', 'inherit'],
      })
    : spawn(command[0] as string, command.slice(1), { env: environment, stdio: ['pipe', 'pipe', 'inherit'] });
  child.stdin.end(JSON.stringify(task));
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject).once('close', resolve);
  });
  if (code !== 0) throw new Error(`the sync process ended with ${code}`);
  return JSON.parse(output) as BenchSyncResult;
}

/** 1% of the users change their display name in AD (as Administrator); how many. */
async function changeOnePercent(connection: DirectoryConnection): Promise<number> {
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
  return changedUsers;
}

async function main(): Promise<void> {
  const ldifFile = join(tmpdir(), `ad-sync-bench-${USERS}.ldif`);
  const fingerprint = createHash('sha256')
    .update(benchLdif(Math.min(USERS, 10)))
    .digest('hex')
    .slice(0, 8);
  const usersFolder = join(defaultCacheDir(), `bench-dc-${USERS}-mdb-${fingerprint}`);
  log(`seeding or reusing a directory of ${USERS} users in ${usersFolder} (${fingerprint})`);
  await writeFile(ldifFile, benchLdif(USERS));
  // LMDB: like AD, and unlike Samba's default TDB, it reads (uSNChanged>=N) from an index.
  const seed = { extraLdif: [ldifFile], backendStore: 'mdb' } as const;
  await provisionKeptDc(usersFolder, seed, log);
  // With groups: a copy of the users' directory, the groups added (the users' seed is the long part).
  const folder = GROUPS === 0 ? usersFolder : `${usersFolder}-g${GROUPS}-${groupsFingerprint()}`;
  if (GROUPS > 0) await seedGroupsOnCopy(usersFolder, folder, benchGroupsLdif(BASE, USERS, GROUPS), log);
  if (values['seed-only']) return;
  const dc = await startSambaDc(log, { folder, ...seed });
  const dynamodb = await startDynamoDbLocal();
  const client = localDynamoDbClient(dynamodb.endpoint, { maxAttempts: 10 });
  // The floor's write requests, and the capacity they consumed (asked for on each request).
  const counter = countWrites(client, { capacity: true });
  const bundle = await bundleSyncProcess();

  try {
    const { connection } = dc;
    // Each floor's CPU, the DC's and DynamoDB Local's included: on a machine of few cores the full sync, which
    // overlaps the two, needs their sum (tools/process-cpu.ts).
    const { result: read, cpuMs: readCpuMs } = await withCpu([dc.pid], () => floorRead(connection, BASE));
    log(`floor read: ${read.result} entries in ${read.ms} ms`);
    if (values.mapping) {
      const sync = (task: BenchSyncTask) => runSync(bundle, task);
      const run = { users: USERS, base: BASE, endpoint: dynamodb.endpoint, client, connection, sync, log };
      await benchMapping({ ...run, floorReadMs: read.ms });
      return;
    }
    const firstPage = await floorFirstPage(connection, BASE, FIRST_PAGE_RUNS);
    log(`floor first page: ${firstPage.medianMs} ms, the median of ${firstPage.runsMs.join(', ')}`);
    const connect = await floorConnect(connection, NO_CHANGE_RUNS);
    log(`floor connect: ${connect.medianMs} ms, the median of ${connect.runsMs.join(', ')}`);
    const guidScan = await floorGuidScan(connection, BASE, USERS, NO_CHANGE_RUNS);
    log(`floor GUID scan: ${guidScan.medianMs} ms, the median of ${guidScan.runsMs.join(', ')}`);
    const write = await floorWrite(client, counter, BASE, USERS);
    log(`floor write: ${USERS} items in ${write.ms} ms (${write.result.requests} requests)`);
    const none = { ms: 0, result: 0 };
    const groupRead = GROUPS > 0 ? await floorGroupRead(connection, BASE) : none;
    const groupWrite = GROUPS > 0 ? await floorGroupWrite(client, GROUPS) : none;
    if (GROUPS > 0)
      log(
        `floor groups: read ${groupRead.result} memberships in ${groupRead.ms} ms, wrote ${groupWrite.result} items in ${groupWrite.ms} ms`,
      );
    const { result: conditionalWrite, cpuMs: conditionalWriteCpuMs } = await withCpu([dynamodb.pid], () =>
      floorConditionalWrite(client, BASE, USERS),
    );
    log(`floor conditional write: ${conditionalWrite.result} creates in ${conditionalWrite.ms} ms`);

    const table = `bench-sync-${randomUUID()}`;
    await ensureTable(client, table);
    const sync = () =>
      runSync(bundle, {
        endpoint: dynamodb.endpoint,
        table,
        config: {
          connection: { ...connectionSettings(connection), baseDn: BASE },
          // Every group synchronized, and a rule on a nested group (its members' and group 9's, by the cycle).
          ...(GROUPS > 0
            ? {
                groups: { sync: 'all' },
                privilegeRules: [
                  { group: benchGroupDn(BASE, 10), privileges: ['exportEmail'], ownArchiveAccess: [] },
                ],
              }
            : {}),
        },
        password: connection.serviceAccount.password,
      });

    const { result: full, cpuMs: fullOthersCpuMs } = await withCpu([dynamodb.pid, dc.pid], sync);
    log(
      `full sync: ${full.counts.created} created in ${full.ms} ms (${full.writes.requests} write requests, ${full.progress.requests} progress writes) ${full.status}`,
    );
    // A no-change run takes about a tenth of a second, so one run says little: several, and their median.
    const noChangeRuns: BenchSyncResult[] = [];
    for (let i = 0; i < NO_CHANGE_RUNS; i += 1) noChangeRuns.push(await sync());
    const noChange = [...noChangeRuns].sort((a, b) => a.ms - b.ms)[
      Math.floor(NO_CHANGE_RUNS / 2)
    ] as BenchSyncResult;
    log(
      `no-change sync: ${noChange.ms} ms, the median of ${noChangeRuns.map((r) => r.ms).join(', ')} (${noChange.writes.requests} write requests, run record included; ${noChange.progress.requests} progress writes)`,
    );
    const changedUsers = await changeOnePercent(connection);
    const changed = await sync();
    log(
      `1% changed sync: ${changed.counts.updated} updated in ${changed.ms} ms (${changed.writes.requests} write requests, ${changed.progress.requests} progress writes)`,
    );

    const measured = {
      ...{ read, connect, guidScan, write, conditionalWrite, groupRead, groupWrite },
      ...{ full, noChangeRuns, noChange, changed, changedUsers },
      ...{ firstPage, readCpuMs, conditionalWriteCpuMs, fullOthersCpuMs },
    };
    const settings: BenchSettings = {
      users: USERS,
      groups: GROUPS,
      noChangeRuns: NO_CHANGE_RUNS,
      wrapped: WRAPPED,
    };
    const result = figuresOf(measured, settings);
    if (values.json) {
      process.stdout.write(`${JSON.stringify(result)}\n`);
    } else {
      printReport(measured, result, settings);
    }
  } finally {
    client.destroy();
    await dynamodb.stop();
    await dc.stop();
  }
}

await main();
