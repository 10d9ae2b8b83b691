/**
 * The cost model of docs/cost.md: what the stack costs per month idle, per sync, and per month at a schedule,
 * from AWS's prices (each with its source and the date it was read) and the benchmark's measured durations.
 *
 *   npx tsx tools/cost.ts [--bench file.json ...]
 *
 * A bench file holds the JSON lines `npm run bench -- --json` prints (users, floorReadMs, fullSyncMs,
 * noChangeSyncMs, changedSyncMs, changedUsers, fullSyncWcu, ...); the last line per user count wins. Without
 * one, the 10,000-user figures of docs/performance.md are used, and the 100,000-user ones are an estimate
 * (labelled so in every table). Prints the markdown tables docs/cost.md holds.
 *
 * The prices are in cost-prices.ts, the formulas and assumptions in cost-model.ts, the benchmark's figures in
 * cost-figures.ts, the tables in cost-tables.ts.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { figuresFor, parseBenchLines } from './cost-figures';
import { costTables } from './cost-tables';

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values } = parseArgs({ options: { bench: { type: 'string', multiple: true, default: [] } } });
  const measured = (
    await Promise.all(values.bench.map(async (file) => parseBenchLines(await readFile(file, 'utf8'), file)))
  ).flat();
  process.stdout.write(costTables(figuresFor(measured)));
}
