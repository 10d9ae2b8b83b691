/**
 * The mapping the benchmarks measure (SPEC 8.3: 10 mapped fields, one of them an expression), over the
 * attributes every bench user has.
 */
import { randomUUID } from 'node:crypto';
import type { localDynamoDbClient } from '../local/dynamodb-local';
import { ensureTable } from '../shared/adapters/dynamodb/table';
import type { ConfigInput } from '../shared/config/config-schema';
import { connectionSettings, type DirectoryConnection } from '../test/support/samba-dc';
import type { BenchSyncResult, BenchSyncTask } from './bench-sync';

export const BENCH_MAPPING: NonNullable<ConfigInput['mapping']> = {
  attributes: {
    login: { from: 'sAMAccountName', transform: 'upper' },
    upn: { from: 'userPrincipalName', transform: 'lower' },
    display: { from: 'displayName' },
    common: { from: 'cn' },
    addresses: { from: 'proxyAddresses', transform: 'all' },
    flags: { from: 'userAccountControl', transform: 'int' },
    created: { from: 'whenCreated', transform: 'date' },
    sid: { from: 'objectSid', transform: 'sid' },
    guid: { from: 'objectGUID', transform: 'guid' },
    label: { expression: 'displayName & " <" & mail & ">"' },
  },
};

/** Two full syncs into empty tables, without and with the benchmark's mapping, and their ratio. */
export async function benchMapping(run: {
  readonly users: number;
  readonly base: string;
  readonly endpoint: string;
  readonly client: ReturnType<typeof localDynamoDbClient>;
  readonly connection: DirectoryConnection;
  readonly floorReadMs: number;
  /** A full sync in a process of its own, as Lambda starts the sync function (bench.ts). */
  readonly sync: (task: BenchSyncTask) => Promise<BenchSyncResult>;
  readonly log: (line: string) => void;
}): Promise<void> {
  const { users, base: BASE, endpoint, client, connection, floorReadMs, log } = run;
  const fullSync = async (mapping?: typeof BENCH_MAPPING) => {
    const table = `bench-sync-${randomUUID()}`;
    await ensureTable(client, table);
    const base = { connection: { ...connectionSettings(connection), baseDn: BASE } };
    return run.sync({
      endpoint,
      table,
      config: mapping ? { ...base, mapping } : base,
      password: connection.serviceAccount.password,
    });
  };
  const plain = await fullSync();
  log(`full sync without a mapping: ${plain.counts.created} created in ${plain.ms} ms`);
  const mapped = await fullSync(BENCH_MAPPING);
  log(`full sync with 10 mapped fields: ${mapped.counts.created} created in ${mapped.ms} ms`);
  const stepsOf = (run: BenchSyncResult) => Object.fromEntries(run.steps.map((step) => [step.name, step.ms]));
  const result = {
    users,
    floorReadMs,
    fullSyncMs: plain.ms,
    fullSyncSteps: stepsOf(plain),
    mappedFullSyncMs: mapped.ms,
    mappedFullSyncSteps: stepsOf(mapped),
    mappedCreated: mapped.counts.created,
    mappedExcluded: mapped.counts.excluded,
    mappedRatio: Number((mapped.ms / plain.ms).toFixed(3)),
    mappedPeakRssMb: mapped.peakRssMb,
    fullSyncPeakRssMb: plain.peakRssMb,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
