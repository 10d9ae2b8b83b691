/**
 * One sync of `npm run bench`, in a process of its own, started as Lambda starts the sync function: bundled
 * by esbuild with the deployed options and run by node with the runtime's heap flags for the function's
 * memory (cdk/lambda-runtime.ts), so that its peak RSS is the function's. Reads its task as JSON on stdin
 * and prints what it measured as JSON on stdout.
 */
import { readFileSync } from 'node:fs';
import { countWrites, localDynamoDbClient } from '../local/dynamodb-local';
import { DynamoGroupStore } from '../shared/adapters/dynamodb/dynamo-group-store';
import { DynamoRunStore } from '../shared/adapters/dynamodb/dynamo-run-store';
import { DynamoSyncCursorStore } from '../shared/adapters/dynamodb/dynamo-sync-cursor-store';
import { DynamoUserStore } from '../shared/adapters/dynamodb/dynamo-user-store';
import { LdapDirectoryReader } from '../shared/adapters/ldap/ldap-directory-reader';
import { parseConfig } from '../shared/config/config-schema';
import type { ReportCounts, ReportStep, RunStatus } from '../shared/domain/report';
import { synchronize } from '../shared/use-cases/sync-pipeline';

export interface BenchSyncTask {
  readonly endpoint: string;
  readonly table: string;
  readonly config: unknown;
  readonly password: string;
}

export interface BenchSyncResult {
  readonly ms: number;
  readonly status: RunStatus;
  readonly counts: ReportCounts;
  readonly steps: readonly ReportStep[];
  /** The sync's own write requests: all, those that touch user items, the user items, the capacity. */
  readonly writes: { requests: number; userRequests: number; userItems: number; capacity: number };
  /** The writes progress reporting added (the run record while it runs), on a client of their own. */
  readonly progress: { requests: number; capacity: number };
  readonly peakRssMb: number;
  /** CPU time the sync's process used (user and system): what it competes for with the DC and the store. */
  readonly cpuMs: number;
}

async function main(): Promise<void> {
  const task = JSON.parse(readFileSync(0, 'utf8')) as BenchSyncTask;
  const client = localDynamoDbClient(task.endpoint, { maxAttempts: 10 });
  const progressClient = localDynamoDbClient(task.endpoint, { maxAttempts: 10 });
  const writes = countWrites(client, { capacity: true });
  const progress = countWrites(progressClient, { capacity: true });
  const deps = {
    directory: new LdapDirectoryReader(),
    users: new DynamoUserStore(client, task.table),
    runs: new DynamoRunStore(client, task.table),
    cursors: new DynamoSyncCursorStore(client, task.table),
    groups: new DynamoGroupStore(client, task.table),
    // Its record brought up to date while it runs, at the deployed interval.
    progress: new DynamoRunStore(progressClient, task.table),
  };
  const started = performance.now();
  const report = await synchronize(deps, { config: parseConfig(task.config), password: task.password });
  const ms = Math.round(performance.now() - started);
  const result: BenchSyncResult = {
    ms,
    status: report.status,
    counts: report.counts,
    steps: report.steps,
    writes: { ...writes },
    progress: { requests: progress.requests, capacity: progress.capacity },
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    cpuMs: Math.round((process.cpuUsage().user + process.cpuUsage().system) / 1000),
  };
  client.destroy();
  progressClient.destroy();
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

void main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
