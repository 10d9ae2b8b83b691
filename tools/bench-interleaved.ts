/**
 * `npx tsx tools/bench-interleaved.ts --before <git revision> [--runs 8] [--users 10000] [--groups G]
 * [--timeline]` (under the DC lock:
 * `flock /tmp/adsync-dc.lock ...`): a full sync of this working tree and one of an earlier revision, turn about,
 * on one DC and one DynamoDB Local, each right after a conditional write floor of its own. On a machine shared
 * with other work the floors swing from run to run (4 s to 14 s at 10,000 users); runs side by side compare a
 * change with what was there before under the same load, which `npm run bench` run before and after cannot.
 *
 * Each sync runs as `npm run bench` runs it (tools/bench-sync.ts bundled as deployed, the heap wrapper and the
 * runtime's flags); the DC is the one `npm run bench -- --users N` seeded and kept. Printed per run: the floor,
 * the sync and its steps, the CPU of the sync's process, and the CPU DynamoDB Local and Samba used meanwhile
 * (from /proc: what the sync competes with on the machine's cores). With --groups, the DC `npm run bench --
 * --users N --groups G` kept, synchronized as that benchmark's full sync is (every group, one privilege rule),
 * and the groups step's message. --timeline: each second of the sync, the cores (percent of one) the sync,
 * DynamoDB Local and Samba used in it, to see which phase waits on whom. Development only.
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, realpathSync, symlinkSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { HEAP_WRAPPER, lambdaNodeArguments, SYNC_MEMORY_MB } from '../cdk/lambda-runtime';
import { defaultCacheDir, localDynamoDbClient, startDynamoDbLocal } from '../local/dynamodb-local';
import { ensureTable } from '../shared/adapters/dynamodb/table';
import { connectionSettings, startSambaDc } from '../test/support/samba-dc';
import { floorConditionalWrite, floorRead } from './bench-floors';
import { benchGroupDn } from './bench-groups';
import type { BenchSyncResult, BenchSyncTask } from './bench-sync';
import { DEPLOYED_BUILD } from './bundle-sizes';
import { cpuMsOf } from './process-cpu';

const { values } = parseArgs({
  options: {
    before: { type: 'string' },
    runs: { type: 'string', default: '8' },
    users: { type: 'string', default: '10000' },
    groups: { type: 'string', default: '0' },
    timeline: { type: 'boolean', default: false },
  },
});
if (!values.before) throw new Error('--before <git revision> is required');
const USERS = Number(values.users);
const GROUPS = Number(values.groups);
const BASE = 'OU=Bench,DC=company,DC=local';
const log = (line: string) => process.stderr.write(`${line}\n`);
const root = fileURLToPath(new URL('..', import.meta.url));

/** tools/bench-sync.ts of a source tree, bundled as deployed next to node_modules (for the external SDK). */
async function bundle(tree: string, name: string): Promise<string> {
  const outfile = join(root, 'node_modules/.cache/ad-sync', `bench-interleaved-${name}.cjs`);
  await build({ ...DEPLOYED_BUILD, entryPoints: [join(tree, 'tools/bench-sync.ts')], outfile });
  return outfile;
}

/** The earlier revision's files in a folder of their own, with this tree's node_modules. */
function checkout(revision: string): string {
  const folder = mkdtempSync(join(tmpdir(), 'ad-sync-before-'));
  const archive = execFileSync('git', ['archive', revision], { cwd: root, maxBuffer: 1 << 30 });
  execFileSync('tar', ['-x', '-C', folder], { input: archive });
  symlinkSync(realpathSync(join(root, 'node_modules')), join(folder, 'node_modules'));
  return folder;
}

/** One sync in a process of its own, as tools/bench.ts starts it. */
let syncPid: number | undefined;
async function runSync(file: string, task: BenchSyncTask): Promise<BenchSyncResult> {
  const { NODE_OPTIONS: _unset, ...environment } = process.env;
  const child = spawn(
    'bash',
    [HEAP_WRAPPER.file, process.execPath, ...lambdaNodeArguments(SYNC_MEMORY_MB), file],
    {
      env: { ...environment, ADSYNC_SEMI_SPACE_MB: HEAP_WRAPPER.environment.ADSYNC_SEMI_SPACE_MB },
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  syncPid = child.pid;
  child.stdin.end(JSON.stringify(task));
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  if (code !== 0) throw new Error(`the sync process ended with ${code}`);
  return JSON.parse(output) as BenchSyncResult;
}

const bundles = {
  before: await bundle(checkout(values.before), 'before'),
  after: await bundle(root, 'after'),
};
const keptName =
  GROUPS > 0 ? `^bench-dc-${USERS}-mdb-[0-9a-f]+-g${GROUPS}-[0-9a-f]+$` : `^bench-dc-${USERS}-mdb-[0-9a-f]+$`;
const kept = readdirSync(defaultCacheDir()).find((name) => new RegExp(keptName).test(name));
if (!kept)
  throw new Error(
    `no kept DC of ${USERS} users (${GROUPS} groups): run npm run bench -- --users ${USERS} --groups ${GROUPS} --seed-only`,
  );
/** The benchmark's group settings (tools/bench.ts): every group, a rule on a nested group. */
const groupSettings =
  GROUPS > 0
    ? {
        groups: { sync: 'all' },
        privilegeRules: [
          { group: benchGroupDn(BASE, 10), privileges: ['exportEmail'], ownArchiveAccess: [] },
        ],
      }
    : {};

/** Samples the three processes' CPU each second until stopped: one line per second, percent of one core. */
function sampleCpu(pids: { sync: () => number | undefined; dynamodb: number; samba: number }) {
  const lines: string[] = [];
  let last = { at: performance.now(), sync: 0, dynamodb: cpuMsOf(pids.dynamodb), samba: cpuMsOf(pids.samba) };
  const started = last.at;
  const timer = setInterval(() => {
    const syncPid = pids.sync();
    const now = {
      at: performance.now(),
      sync: syncPid === undefined ? 0 : cpuMsOf(syncPid),
      dynamodb: cpuMsOf(pids.dynamodb),
      samba: cpuMsOf(pids.samba),
    };
    const span = now.at - last.at;
    const pct = (a: number, b: number) => String(Math.round(((a - b) / span) * 100)).padStart(4);
    lines.push(
      `${String(Math.round((now.at - started) / 1000)).padStart(4)} s  sync ${pct(now.sync, last.sync)}  dynamodb ${pct(now.dynamodb, last.dynamodb)}  samba ${pct(now.samba, last.samba)}`,
    );
    last = now;
  }, 1000);
  return () => {
    clearInterval(timer);
    return lines;
  };
}
const dc = await startSambaDc(log, { folder: join(defaultCacheDir(), kept), backendStore: 'mdb' });
const dynamodb = await startDynamoDbLocal();
const client = localDynamoDbClient(dynamodb.endpoint, { maxAttempts: 10 });
try {
  const read = await floorRead(dc.connection, BASE);
  log(`floor read: ${read.ms} ms`);
  for (let i = 0; i < Number(values.runs); i += 1) {
    const variant = i % 2 === 0 ? 'before' : 'after';
    const floorStart = cpuMsOf(dynamodb.pid);
    const floor = await floorConditionalWrite(client, BASE, USERS);
    const syncStart = { dynamodb: cpuMsOf(dynamodb.pid), samba: cpuMsOf(dc.pid) };
    const table = `bench-interleaved-${randomUUID()}`;
    await ensureTable(client, table);
    const stopSampling = values.timeline
      ? sampleCpu({ sync: () => syncPid, dynamodb: dynamodb.pid, samba: dc.pid })
      : undefined;
    const sync = await runSync(bundles[variant], {
      endpoint: dynamodb.endpoint,
      table,
      config: { connection: { ...connectionSettings(dc.connection), baseDn: BASE }, ...groupSettings },
      password: dc.connection.serviceAccount.password,
    });
    for (const line of stopSampling?.() ?? []) log(line);
    const syncEnd = { dynamodb: cpuMsOf(dynamodb.pid), samba: cpuMsOf(dc.pid) };
    const steps = Object.fromEntries(sync.steps.map((step) => [step.name, step.ms]));
    const apply = sync.steps.find((step) => step.name === 'apply');
    const figures = {
      run: i + 1,
      variant,
      load: Number(loadavg()[0]?.toFixed(2)),
      floorReadMs: read.ms,
      floorConditionalWriteMs: floor.ms,
      floorDynamoDbCpuMs: syncStart.dynamodb - floorStart,
      fullSyncMs: sync.ms,
      ratio: Number((sync.ms / Math.max(read.ms, floor.ms)).toFixed(2)),
      applyRatio: Number(((apply?.ms ?? 0) / floor.ms).toFixed(2)),
      restMs: sync.ms - (apply?.ms ?? 0),
      fullSyncSteps: steps,
      fullSyncReadOverlapMs: apply?.readOverlapMs ?? 0,
      fullSyncCpuMs: sync.cpuMs,
      syncDynamoDbCpuMs: syncEnd.dynamodb - syncStart.dynamodb,
      syncSambaCpuMs: syncEnd.samba - syncStart.samba,
      status: sync.status,
      ...(GROUPS > 0
        ? {
            groupsSteps: sync.steps
              .filter((step) => step.name === 'groups')
              .map((step) => `${step.ms} ms: ${step.message}`),
          }
        : {}),
      created: sync.counts.created,
      peakRssMb: sync.peakRssMb,
    };
    process.stdout.write(`${JSON.stringify(figures)}\n`);
  }
} finally {
  client.destroy();
  await dynamodb.stop();
  await dc.stop();
}
