/** The markdown tables docs/cost.md holds, made from the cost model. */
import type { BenchFigures } from './cost-figures';
import {
  idleCost,
  monthCost,
  STACK,
  type SyncKind,
  secretReadsPerMonth,
  syncCost,
  WATCHER,
  watcherCost,
} from './cost-model';
import { PRICES } from './cost-prices';

/** Dollars: cents above $1, two significant digits below a cent (a run costs millionths). */
const usd = (value: number): string => {
  if (value === 0) return '$0';
  if (value >= 100) return `$${value.toFixed(0)}`;
  if (value >= 0.01) return `$${value.toFixed(2)}`;
  return `$${value.toFixed(1 - Math.floor(Math.log10(value)))}`;
};
const count = (value: number): string => Math.round(value).toLocaleString('en-US');

const KIND_NAMES: Record<SyncKind, string> = {
  first: 'first sync (every user created)',
  reconciliation: 'daily reconciliation (full read, no change)',
  noChange: 'no-change incremental run',
  changed: 'incremental run, 1 % changed',
};

/** The markdown of docs/cost.md's tables. */
export function costTables(figures: readonly BenchFigures[]): string {
  const out: string[] = [];
  out.push('### Prices (US East, N. Virginia; read 2026-12-05)', '');
  out.push('| item | price | source |', '|---|---|---|');
  for (const price of Object.values(PRICES)) {
    out.push(`| ${price.unit} | $${price.usd.toFixed(10).replace(/\.?0+$/, '')} | ${price.source} |`);
  }
  out.push('', '### Idle: a month without a run', '');
  for (const users of figures.map((f) => f.users)) {
    out.push(`${users.toLocaleString('en-US')} users:`, '');
    out.push('| line | 2 AZs (default) | 1 AZ (`-c endpointAzs=1`) |', '|---|---|---|');
    const two = idleCost(users, 2);
    const one = idleCost(users, 1);
    two.forEach((line, i) => {
      out.push(`| ${line.line.replace(/, 2 AZs$/, '')} | ${usd(line.usd)} | ${usd(one[i]?.usd ?? 0)} |`);
    });
    const total = (lines: { usd: number }[]) => lines.reduce((sum, line) => sum + line.usd, 0);
    out.push(`| **total** | **${usd(total(two))}** | **${usd(total(one))}** |`, '');
  }
  out.push('### Per sync', '');
  out.push(
    '| users | run | figures | duration | GB-s | user writes | write units | Lambda | DynamoDB | other | total |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  );
  for (const bench of figures) {
    for (const kind of ['first', 'reconciliation', 'noChange', 'changed'] as const) {
      const cost = syncCost(kind, bench);
      out.push(
        `| ${count(bench.users)} | ${KIND_NAMES[kind]} | ${bench.origin} | ${(cost.ms / 1000).toFixed(2)} s | ${cost.gbSeconds.toFixed(2)} | ${count(cost.changes)} | ${count(cost.writeUnits)} | ${usd(cost.lambdaUsd)} | ${usd(cost.dynamoUsd)} | ${usd(cost.otherUsd)} | ${usd(cost.usd)} |`,
      );
    }
  }
  const wcu = figures.filter((f) => f.fullSyncWcu !== undefined);
  if (wcu.length > 0) {
    out.push('', 'Write capacity of the first sync: DynamoDB Local reported against the AWS rules:', '');
    out.push('| users | DynamoDB Local (bench `fullSyncWcu`) | AWS rules (this model) |', '|---|---|---|');
    for (const bench of wcu) {
      out.push(
        `| ${count(bench.users)} | ${count(bench.fullSyncWcu ?? 0)} | ${count(syncCost('first', bench).writeUnits)} |`,
      );
    }
  }
  out.push('', '### A month at a schedule', '');
  out.push(
    '| users | figures | schedule | runs | idle (2 AZs) | runs | Secrets Manager reads | **total, 2 AZs** | **total, 1 AZ** |',
    '|---|---|---|---|---|---|---|---|---|',
  );
  for (const bench of figures) {
    for (const interval of [60, 1]) {
      const two = monthCost(bench, interval, 2);
      const one = monthCost(bench, interval, 1);
      const runs = (STACK.hoursPerMonth * 60) / interval;
      out.push(
        `| ${count(bench.users)} | ${bench.origin} | every ${interval} min | ${count(runs)} | ${usd(two.idleUsd)} | ${usd(two.runsUsd)} | ${count(secretReadsPerMonth(interval))}: ${usd(two.secretsUsd)} | **${usd(two.usd)}** | **${usd(one.usd)}** |`,
      );
    }
  }
  out.push('', '### The watcher: changes in seconds (`schedule.changeNotifications`)', '');
  out.push('| line | a month |', '|---|---|');
  const watcher = watcherCost();
  for (const line of watcher) out.push(`| ${line.line} | ${usd(line.usd)} |`);
  const watcherTotal = watcher.reduce((sum, line) => sum + line.usd, 0);
  out.push(
    `| **total** (started every ${WATCHER.periodMinutes} min, whatever the directory's size) | **${usd(watcherTotal)}** |`,
  );
  return `${out.join('\n')}\n`;
}
