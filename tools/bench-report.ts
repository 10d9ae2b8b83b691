/**
 * What `npm run bench` measured (tools/bench.ts), as the figures --json prints and as a table for a person: each
 * floor and sync, its time and what it wrote, and the floors' ratios.
 */
import { HEAP_WRAPPER, lambdaNodeArguments, SYNC_MEMORY_MB } from '../cdk/lambda-runtime';
import { PROGRESS_INTERVAL_MS } from '../shared/use-cases/run-progress';
import type { MedianOfRuns, Timed } from './bench-floors';
import type { BenchSyncResult } from './bench-sync';
import { cores, cpuBoundMs } from './process-cpu';

/** How the benchmark ran: the directory's size, the no-change runs, whether syncs went through the heap wrapper. */
export interface BenchSettings {
  readonly users: number;
  readonly groups: number;
  readonly noChangeRuns: number;
  readonly wrapped: boolean;
}

/** Node's arguments for a sync: those Lambda's runtime gives the sync function. */
export const SYNC_NODE_ARGUMENTS = lambdaNodeArguments(SYNC_MEMORY_MB);

/** What a benchmark measured. */
export interface Measurements {
  readonly read: Timed<number>;
  readonly firstPage: MedianOfRuns;
  readonly connect: MedianOfRuns;
  readonly guidScan: MedianOfRuns;
  readonly write: Timed<{ requests: number; capacity: number }>;
  /** With --groups: the raw read of the groups and raw write of their items (else 0). */
  readonly groupRead: Timed<number>;
  readonly groupWrite: Timed<number>;
  readonly conditionalWrite: Timed<number>;
  /** CPU time of the floor read (this process and the DC) and the conditional write (this and DynamoDB Local). */
  readonly readCpuMs: number;
  readonly conditionalWriteCpuMs: number;
  readonly full: BenchSyncResult;
  /** CPU time the DC, DynamoDB Local and this process used during the full sync (its own is `full.cpuMs`). */
  readonly fullOthersCpuMs: number;
  readonly noChangeRuns: readonly BenchSyncResult[];
  /** The no-change run of median time. */
  readonly noChange: BenchSyncResult;
  readonly changed: BenchSyncResult;
  readonly changedUsers: number;
}

/** The figures of a benchmark, as --json prints them (tools/cost.ts reads them). */
export function figuresOf(measured: Measurements, settings: BenchSettings) {
  const { users: USERS, groups: GROUPS, wrapped: WRAPPED } = settings;
  const { read, connect, guidScan, write, conditionalWrite, full, noChangeRuns, noChange, changed } =
    measured;
  const { changedUsers, groupRead, groupWrite, readCpuMs, conditionalWriteCpuMs, fullOthersCpuMs } = measured;
  const { firstPage } = measured;
  const cpuBound = cpuBoundMs(readCpuMs + conditionalWriteCpuMs, [read.ms, conditionalWrite.ms]);
  const stepsOf = (run: BenchSyncResult) => Object.fromEntries(run.steps.map((step) => [step.name, step.ms]));
  const peakRssMb = Math.max(full.peakRssMb, ...noChangeRuns.map((r) => r.peakRssMb), changed.peakRssMb);
  return {
    users: USERS,
    groups: GROUPS,
    floorGroupReadMs: groupRead.ms,
    floorGroupMembersRead: groupRead.result,
    floorGroupWriteMs: groupWrite.ms,
    floorGroupItemsWritten: groupWrite.result,
    floorReadMs: read.ms,
    floorWriteMs: write.ms,
    floorConditionalWriteMs: conditionalWrite.ms,
    // The CPU the floor read and the conditional write used (every process's), the machine's cores, and the
    // least time a sync doing both can take on them: their CPU over the cores, or the longer floor.
    floorReadCpuMs: readCpuMs,
    floorConditionalWriteCpuMs: conditionalWriteCpuMs,
    cores: cores(),
    floorCpuBoundMs: cpuBound,
    // The first page of the sync's read (the DC evaluates the whole search first), and the least a full sync
    // can take here: no write goes out before that page, and the CPU bound holds.
    floorFirstPageMs: firstPage.medianMs,
    floorFirstPageRunsMs: firstPage.runsMs,
    floorOverlapMs: Math.max(cpuBound, firstPage.medianMs + conditionalWrite.ms),
    floorConnectMs: connect.medianMs,
    floorConnectRunsMs: connect.runsMs,
    floorGuidScanMs: guidScan.medianMs,
    floorGuidScanRunsMs: guidScan.runsMs,
    fullSyncMs: full.ms,
    fullSyncUserWrites: full.writes.userRequests,
    fullSyncItemWrites: full.writes.userItems,
    fullSyncWcu: full.writes.capacity,
    fullSyncProgressWrites: full.progress.requests,
    fullSyncProgressWcu: full.progress.capacity,
    fullSyncSteps: stepsOf(full),
    // How long the full sync's writes went on while it still read the directory.
    fullSyncReadOverlapMs: full.steps.find((step) => step.name === 'apply')?.readOverlapMs ?? 0,
    fullSyncCpuMs: full.cpuMs,
    fullSyncMachineCpuMs: full.cpuMs + fullOthersCpuMs,
    noChangeSyncMs: noChange.ms,
    noChangeSyncRunsMs: noChangeRuns.map((run) => run.ms),
    noChangeLeavers: noChange.steps.find((step) => step.name === 'search')?.leavers,
    noChangeWrites: noChangeRuns.reduce((sum, run) => sum + run.writes.userRequests, 0),
    noChangeProgressWrites: noChange.progress.requests,
    noChangeSteps: stepsOf(noChange),
    changedSyncMs: changed.ms,
    changedUsers,
    changedUpdated: changed.counts.updated,
    changedWrites: changed.writes.userRequests,
    changedItemWrites: changed.writes.userItems,
    changedProgressWrites: changed.progress.requests,
    progressWrites: full.progress.requests + noChange.progress.requests + changed.progress.requests,
    progressIntervalMs: PROGRESS_INTERVAL_MS,
    peakRssMb,
    fullSyncPeakRssMb: full.peakRssMb,
    noChangePeakRssMb: noChange.peakRssMb,
    changedPeakRssMb: changed.peakRssMb,
    syncRuntime: {
      memoryMb: SYNC_MEMORY_MB,
      nodeArguments: SYNC_NODE_ARGUMENTS,
      semiSpaceMb: WRAPPED ? Number(HEAP_WRAPPER.environment.ADSYNC_SEMI_SPACE_MB) : undefined,
    },
  };
}

/** The benchmark as a table for a person: each floor and sync, its time and what it wrote. */
export function printReport(
  measured: Measurements,
  result: ReturnType<typeof figuresOf>,
  settings: BenchSettings,
): void {
  const { users: USERS, groups: GROUPS, wrapped: WRAPPED, noChangeRuns: NO_CHANGE_RUNS } = settings;
  const { read, connect, guidScan, write, conditionalWrite, full, noChange, changed, changedUsers } =
    measured;
  const { groupRead, groupWrite } = measured;
  const { peakRssMb } = result;
  // The floor of the same reads and writes: the users' and, with --groups, the groups'.
  const floor = read.ms + write.ms + groupRead.ms + groupWrite.ms;
  const slower = Math.max(read.ms, conditionalWrite.ms);
  const rows: [string, string, string][] = [
    ['floor read (raw paged LDAPS read)', `${read.ms} ms`, ''],
    ...(GROUPS > 0
      ? ([
          ['floor group read (raw, with members)', `${groupRead.ms} ms`, `${groupRead.result} memberships`],
          ['floor group write (raw BatchWriteItem)', `${groupWrite.ms} ms`, `${groupWrite.result} items`],
        ] as [string, string, string][])
      : []),
    [
      'floor connect (fresh LDAPS, rootDSE)',
      `${connect.medianMs} ms`,
      `median of ${NO_CHANGE_RUNS}; the DC's part of every run's connect step`,
    ],
    [
      'floor GUID scan (objectGUIDs, paged)',
      `${guidScan.medianMs} ms`,
      `median of ${NO_CHANGE_RUNS}; the read-only account's enumeration of the scope`,
    ],
    [
      'floor write (raw BatchWriteItem)',
      `${write.ms} ms`,
      `${write.result.requests} requests, ${write.result.capacity} WCU`,
    ],
    [
      'floor conditional write (the creates)',
      `${conditionalWrite.ms} ms`,
      `${conditionalWrite.result} conditional puts, the sync's transactions and batches, without the read`,
    ],
    [
      `floor CPU bound (${result.cores} cores)`,
      `${result.floorCpuBoundMs} ms`,
      `the CPU of the floor read (${result.floorReadCpuMs} ms) and the conditional write (${result.floorConditionalWriteCpuMs} ms), every process's, over the cores`,
    ],
    [
      'floor of an overlapping sync',
      `${result.floorOverlapMs} ms`,
      `max(CPU bound, first page of the read (${result.floorFirstPageMs} ms) + floor conditional write): the least a full sync can take here${GROUPS > 0 ? ' (the users only: the groups come on top)' : ''}`,
    ],
    [
      'full sync into an empty table',
      `${full.ms} ms`,
      `${(full.ms / slower).toFixed(2)} x max(floor read, floor conditional write), ${(full.ms / floor).toFixed(2)} x (floor read + floor write), ${(full.ms / result.floorOverlapMs).toFixed(2)} x the floor of an overlapping sync (it used ${result.fullSyncMachineCpuMs} ms of CPU); read and writes overlapped ${result.fullSyncReadOverlapMs} ms; ${full.writes.requests} requests (${full.writes.userRequests} user writes, ${full.writes.userItems} items), ${full.writes.capacity} WCU; ${full.progress.requests} progress writes, ${full.progress.capacity} WCU`,
    ],
    [
      `no-change sync (median of ${NO_CHANGE_RUNS})`,
      `${noChange.ms} ms`,
      `${(noChange.ms / guidScan.medianMs).toFixed(2)} x floor GUID scan (leavers: ${result.noChangeLeavers}); ${result.noChangeWrites} user writes, ${noChange.progress.requests} progress writes`,
    ],
    [
      `sync after changing ${changedUsers} users (1%)`,
      `${changed.ms} ms`,
      `${((changed.ms / full.ms) * 100).toFixed(0)}% of full sync; ${result.changedWrites} user writes of ${result.changedItemWrites} items (${changed.counts.updated} updated), ${changed.progress.requests} progress writes`,
    ],
    [
      'peak RSS of a sync',
      `${peakRssMb} MB`,
      `full ${full.peakRssMb}, no change ${noChange.peakRssMb}, changed ${changed.peakRssMb}; node ${SYNC_NODE_ARGUMENTS.join(' ')}${WRAPPED ? `, then --max-semi-space-size=${HEAP_WRAPPER.environment.ADSYNC_SEMI_SPACE_MB} (the wrapper)` : ''} (${SYNC_MEMORY_MB} MB function)`,
    ],
  ];
  process.stdout.write(`\nad-sync benchmark: ${USERS} users${GROUPS > 0 ? `, ${GROUPS} groups` : ''}\n`);
  for (const [what, value, note] of rows)
    process.stdout.write(`${what.padEnd(40)} ${value.padStart(10)}  ${note}\n`);
  process.stdout.write(`${(USERS / (full.ms / 1000)).toFixed(0)} users/s on a full sync\n`);
  const steps = (run: BenchSyncResult) => run.steps.map((step) => `${step.name} ${step.ms}`).join(', ');
  process.stdout.write(`full sync steps (ms): ${steps(full)}\n`);
  process.stdout.write(`no-change sync steps (ms): ${steps(noChange)}\n`);
  process.stdout.write(`changed sync steps (ms): ${steps(changed)}\n`);
  // The same figures as --json prints, for tools/cost.ts and docs/performance.md.
  process.stdout.write(`JSON: ${JSON.stringify(result)}\n`);
}
