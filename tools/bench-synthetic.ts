/**
 * `npm run bench:synthetic -- --users N [--store discard|dynamodb] [--json]`: how time and memory of a sync
 * grow with the directory, past what a test DC can hold. A synthetic directory of N users (pages of 1,000,
 * made as they are read; 5% disabled) goes through the real pipeline: the scope policy, the mapping, the
 * planner, the write queue, the apply batches and the run record.
 *
 *   --store discard   (default) a user store that takes every write and keeps nothing: the memory and time
 *                     of the sync itself, for a first sync (every user created);
 *   --store dynamodb  DynamoDB Local (in memory, started here): a first sync, then a no-change sync.
 *   --groups G        (with --store dynamodb) G synchronized groups of 100 users laid out as
 *                     tools/bench-groups.ts lays them (every tenth holding the one before, 9 and 10 a cycle)
 *                     and a privilege rule on group 10: the group pass without a DC.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { localDynamoDbClient, startDynamoDbLocal } from '../local/dynamodb-local';
import { DynamoGroupStore } from '../shared/adapters/dynamodb/dynamo-group-store';
import { DynamoRunStore } from '../shared/adapters/dynamodb/dynamo-run-store';
import { DynamoUserStore } from '../shared/adapters/dynamodb/dynamo-user-store';
import { ensureTable } from '../shared/adapters/dynamodb/table';
import { parseConfig } from '../shared/config/config-schema';
import type { DirectoryGroupEntry } from '../shared/domain/group';
import type { PlannedChange } from '../shared/domain/plan-sync';
import type { Report } from '../shared/domain/report';
import type { DirectoryEntry } from '../shared/domain/user';
import type { DirectoryReader, DirectorySession } from '../shared/ports/directory-reader';
import type { RunStore } from '../shared/ports/run-store';
import type { ApplyResult, UserStore } from '../shared/ports/user-store';
import { synchronize } from '../shared/use-cases/sync-pipeline';
import { BENCH_MAPPING } from './bench-mapping';

const { values } = parseArgs({
  options: {
    users: { type: 'string', default: '100000' },
    store: { type: 'string', default: 'discard' },
    json: { type: 'boolean', default: false },
    // With --store discard: a first sync without a mapping, then one with BENCH_MAPPING (10 fields, one an
    // expression), in this process, and their ratio.
    mapping: { type: 'boolean', default: false },
    groups: { type: 'string', default: '0' },
    // With --store dynamodb: the first sync only (its peak RSS alone), and --trace-memory: the process's
    // memory every 500 ms on stderr (where in the run it peaks).
    'first-only': { type: 'boolean', default: false },
    'trace-memory': { type: 'boolean', default: false },
  },
});
const USERS = Number(values.users);
if (!Number.isInteger(USERS) || USERS < 1) throw new Error('--users must be a positive whole number');
if (values.store !== 'discard' && values.store !== 'dynamodb')
  throw new Error('--store is discard or dynamodb');
const GROUPS = Number(values.groups);
if (!Number.isInteger(GROUPS) || GROUPS < 0 || (GROUPS > 0 && values.store !== 'dynamodb'))
  throw new Error('--groups is a whole number, with --store dynamodb');
const PAGE = 1000;
const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

/** A domain user's SID: S-1-5-21-1-2-3-<i>. */
const sid = (i: number): Uint8Array => {
  const bytes = Buffer.alloc(8 + 4 * 5);
  bytes.writeUInt8(1, 0);
  bytes.writeUInt8(5, 1);
  bytes.writeUIntBE(5, 2, 6);
  [21, 1, 2, 3, i].forEach((sub, k) => {
    bytes.writeUInt32LE(sub, 8 + 4 * k);
  });
  return bytes;
};
const guid = (i: number): string => `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
const entry = (i: number): DirectoryEntry => ({
  objectGuid: guid(i),
  distinguishedName: `CN=User ${i},OU=Staff,DC=company,DC=local`,
  sAMAccountName: `u${i}`,
  userPrincipalName: `u${i}@company.local`,
  displayName: `User ${i}`,
  mail: `u${i}@company.local`,
  proxyAddresses: [`SMTP:u${i}@company.local`, `smtp:user.${i}@company.local`],
  userAccountControl: i % 20 === 0 ? 514 : 512,
  hiddenFromAddressLists: false,
  // What the attribute mapping reads (lower-cased names, as the LDAP reader gives them).
  attributes: {
    samaccountname: [`u${i}`],
    userprincipalname: [`u${i}@company.local`],
    displayname: [`User ${i}`],
    cn: [`User ${i}`],
    mail: [`u${i}@company.local`],
    proxyaddresses: [`SMTP:u${i}@company.local`, `smtp:user.${i}@company.local`],
    useraccountcontrol: [i % 20 === 0 ? '514' : '512'],
    whencreated: ['20261201120000.0Z'],
    objectguid: [Buffer.from(guid(i).replaceAll('-', ''), 'hex')],
    objectsid: [sid(i)],
  },
});

const groupDn = (g: number): string => `CN=Group ${g},OU=Groups,DC=company,DC=local`;
const groupGuid = (g: number): string => `00000000-0000-4000-9000-${g.toString(16).padStart(12, '0')}`;
/** Group g (1 to GROUPS): 100 users, group g - 1 when g is a tenth, and 9 holds 10 (tools/bench-groups.ts). */
const groupEntry = (g: number): DirectoryGroupEntry => {
  const members = Array.from(
    { length: Math.min(100, USERS) },
    (_, k) => entry(((g - 1) * 100 + k) % USERS).distinguishedName,
  );
  if (g % 10 === 0) members.push(groupDn(g - 1));
  if (g === 9 && GROUPS >= 10) members.push(groupDn(10));
  return {
    objectGuid: groupGuid(g),
    distinguishedName: groupDn(g),
    sAMAccountName: `g${g}`,
    cn: `Group ${g}`,
    description: `Group ${g}`,
    proxyAddresses: [],
    groupType: 0x80000002 | 0,
    members,
  };
};
const GROUP_PAGE = 100;

/** A directory of USERS users, made page by page as the sync reads them. */
const syntheticDirectory: DirectoryReader = {
  resolveServers: async () => [{ host: 'synthetic', port: 636 }],
  connect: async (): Promise<DirectorySession> => ({
    server: 'synthetic:636',
    rootDse: { defaultNamingContext: 'DC=company,DC=local', namingContexts: ['DC=company,DC=local'] },
    bind: async () => {},
    assertExists: async () => {},
    async *userPages() {
      for (let start = 0; start < USERS; start += PAGE) {
        yield Array.from({ length: Math.min(PAGE, USERS - start) }, (_, i) => entry(start + i));
      }
    },
    alsoRead: () => {},
    readAccountNames: async () => [],
    readUsersByGuid: async () => [],
    changedContainers: async () => [],
    untrackedAttributes: async () => [],
    usersReferencing: async () => [],
    usersChangedSince: async () => [],
    findUserEntries: async () => [],
    isGroupMember: async () => false,
    readPrimaryGroup: async () => undefined,
    readMemberOf: async () => [],
    readSyncState: async () => ({
      dsServiceName: 'synthetic',
      invocationId: 'synthetic',
      highestCommittedUsn: 1,
    }),
    async *scopeGuidPages() {
      for (let start = 0; start < USERS; start += PAGE) {
        yield Array.from({ length: Math.min(PAGE, USERS - start) }, (_, i) => entry(start + i).objectGuid);
      }
    },
    readAccountStanding: async () => undefined,
    readPdcEmulator: async () => 'synthetic',
    probeDirSync: async () => 'unsupported',
    readGroupMemberGuids: async () => new Set(),
    searchGroups: async () => [],
    async *groupPages(_base: string, roots?: readonly string[]) {
      if (roots) return;
      for (let start = 1; start <= GROUPS; start += GROUP_PAGE)
        yield Array.from({ length: Math.min(GROUP_PAGE, GROUPS - start + 1) }, (_, i) =>
          groupEntry(start + i),
        );
    },
    // The synthetic groups have no objectSid: no user's primary group is among them.
    async *primaryGroupPages() {},
    async *groupGuidPages() {
      yield Array.from({ length: GROUPS }, (_, i) => groupGuid(i + 1));
    },
    watchChanges: () => ({ ended: new Promise<void>(() => {}) }),
    close: async () => {},
  }),
};

/** Takes every write and keeps nothing: what is measured is the sync, not a database. */
class DiscardingStore implements Pick<UserStore, 'userPages' | 'findUsers' | 'applyChanges'>, RunStore {
  writes = 0;
  async *userPages() {}
  async findUsers() {
    return [];
  }
  async applyChanges(changes: readonly PlannedChange[]): Promise<ApplyResult> {
    const applied = changes.filter(
      (c) => c.action === 'create' || c.action === 'update' || c.action === 'delete',
    );
    this.writes += applied.length;
    return { applied, conflicts: [], alreadyApplied: 0 };
  }
  async recordRun() {}
  async recordProgress() {}
  async getRun() {
    return undefined;
  }
  async listRuns() {
    return [];
  }
  async lastSuccess() {
    return undefined;
  }
  async oldestRun() {
    return undefined;
  }
}

const config = parseConfig({
  connection: { domain: 'company.local', username: 'svc-sync@company.local' },
  options: { deleteUsers: true },
});
const mappedConfig = parseConfig({ ...config, mapping: BENCH_MAPPING });
const groupsConfig = parseConfig({
  ...config,
  groups: { sync: 'all' },
  privilegeRules: [{ group: groupDn(10), privileges: ['exportEmail'], ownArchiveAccess: [] }],
});
const peakRssMb = (): number => Math.round(process.resourceUsage().maxRSS / 1024);

/** The process's memory (MB) every 500 ms on stderr, from now until stopped. */
function traceMemory(): { stop: () => void } {
  const started = performance.now();
  const mb = (bytes: number): number => Math.round(bytes / 1048576);
  const timer = setInterval(() => {
    const { rss, heapUsed, heapTotal, external, arrayBuffers } = process.memoryUsage();
    log(
      `memory ${Math.round(performance.now() - started)} ms: rss ${mb(rss)}, heap ${mb(heapUsed)}/${mb(heapTotal)}, ` +
        `external ${mb(external)} (array buffers ${mb(arrayBuffers)}), peak ${peakRssMb()}`,
    );
  }, 500);
  return { stop: () => clearInterval(timer) };
}

async function timed(label: string, run: () => Promise<Report>): Promise<{ ms: number; report: Report }> {
  const started = performance.now();
  const report = await run();
  if (report.status !== 'succeeded')
    throw new Error(`${label}: ${report.status} ${report.error?.message ?? ''}`);
  return { ms: Math.round(performance.now() - started), report };
}

const result: Record<string, number | string> = { users: USERS, groups: GROUPS, store: values.store };
if (values.store === 'discard') {
  const store = new DiscardingStore();
  const deps = { directory: syntheticDirectory, users: store as unknown as UserStore, runs: store };
  const { ms, report } = await timed('first sync', () =>
    synchronize(deps, { config, password: 'synthetic' }),
  );
  Object.assign(result, {
    firstSyncMs: ms,
    created: report.counts.created,
    excluded: report.counts.excluded,
  });
  if (values.mapping) {
    const mapped = await timed('mapped sync', () =>
      synchronize(deps, { config: mappedConfig, password: 'synthetic' }),
    );
    Object.assign(result, {
      mappedSyncMs: mapped.ms,
      mappedCreated: mapped.report.counts.created,
      mappedExcluded: mapped.report.counts.excluded,
      mappedRatio: (mapped.ms / ms).toFixed(3),
    });
  }
} else {
  const dynamo = await startDynamoDbLocal();
  const client = localDynamoDbClient(dynamo.endpoint);
  try {
    const tableName = `bench-${randomUUID()}`;
    await ensureTable(client, tableName);
    const deps = {
      directory: syntheticDirectory,
      users: new DynamoUserStore(client, tableName),
      runs: new DynamoRunStore(client, tableName),
      ...(GROUPS > 0 ? { groups: new DynamoGroupStore(client, tableName) } : {}),
    };
    const request = { config: GROUPS > 0 ? groupsConfig : config, password: 'synthetic' };
    const trace = values['trace-memory'] ? traceMemory() : undefined;
    const first = await timed('first sync', () => synchronize(deps, request));
    result.firstPeakRssMb = peakRssMb();
    const again = values['first-only']
      ? undefined
      : await timed('no-change sync', () => synchronize(deps, request));
    trace?.stop();
    Object.assign(result, {
      firstSyncMs: first.ms,
      created: first.report.counts.created,
      ...(again ? { noChangeSyncMs: again.ms, unchanged: again.report.counts.unchanged } : {}),
    });
    if (!values.json) {
      for (const [label, { report }] of [
        ['first sync', first],
        ...(again ? [['no-change sync', again] as const] : []),
      ] as const) {
        log(`${label} steps (ms): ${report.steps.map((step) => `${step.name} ${step.ms}`).join(', ')}`);
        const groupsStep = report.steps.find((step) => step.name === 'groups');
        if (groupsStep) log(`${label} groups: ${groupsStep.message ?? ''}`);
      }
    }
  } finally {
    client.destroy();
    await dynamo.stop();
  }
}
result.usersPerSecond = Math.round((USERS * 1000) / Number(result.firstSyncMs));
result.peakRssMb = peakRssMb();
process.stdout.write(
  values.json
    ? `${JSON.stringify(result)}\n`
    : `${Object.entries(result)
        .map(([k, v]) => `${k.padEnd(16)} ${v}`)
        .join('\n')}\n`,
);
