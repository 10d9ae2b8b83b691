/**
 * The failure that hurt users of other sync products: a directory that suddenly returns nobody. With
 * deleteUsers on, the deletion threshold stops the deletes; allowMassDeletion applies them once, on record.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../../shared/config/config-schema';
import type { Report } from '../../../shared/domain/report';
import { synchronize } from '../../../shared/use-cases/run-sync';
import { FixtureDirectory } from '../../support/fixture-directory';
import { createScratchOu, scratchOuName } from '../../support/scratch-ou';
import {
  createSyncHarness,
  fixtureConfig,
  type SyncHarness,
  servicePassword,
} from '../../support/sync-harness';

const fixture = new FixtureDirectory();
const { dn: emptyOu } = scratchOuName('Empty');
let scratch: Awaited<ReturnType<typeof createScratchOu>>;
let harness: SyncHarness;
let inDatabase: number;

const run = (
  overrides: Omit<ConfigInput, 'connection'> & { connection?: object } = {},
  allowMassDeletion = false,
): Promise<Report> =>
  synchronize(harness.deps, {
    config: fixtureConfig({ ...overrides, options: { deleteUsers: true } }),
    password: servicePassword(),
    allowMassDeletion,
  });

beforeAll(async () => {
  scratch = await createScratchOu(emptyOu);
  harness = await createSyncHarness();
  expect((await run()).status).toBe('succeeded');
  inDatabase = (await harness.store.listUsers()).length;
});
afterAll(async () => {
  harness.close();
  await scratch.remove();
});

describe('a directory that suddenly returns nobody, with deleteUsers on', () => {
  it('deletes no one when the base DN holds no users, and says why', async () => {
    const report = await run({ connection: { baseDn: emptyOu } });
    expect(report.status).toBe('deletionThresholdExceeded');
    expect(report.counts).toMatchObject({ directoryUsers: 0, deleted: 0 });
    expect(report.changes.filter((c) => c.action === 'delete')).toHaveLength(inDatabase);
    expect(report.changes.every((c) => c.reason?.includes('withheld'))).toBe(true);
    expect((await harness.store.listUsers()).length).toBe(inDatabase);
  });

  it('deletes no one when the filters exclude everyone', async () => {
    const report = await run({ filters: { groups: [fixture.group('Empty Group').dn] } });
    expect(report.status).toBe('deletionThresholdExceeded');
    expect(report.counts.excluded).toBe(report.counts.directoryUsers);
    expect((await harness.store.listUsers()).length).toBe(inDatabase);
  });

  it('applies the deletes once with allowMassDeletion, and the plan step says so', async () => {
    const report = await run({ connection: { baseDn: emptyOu } }, true);
    expect(report.status).toBe('succeeded');
    expect(report.counts.deleted).toBe(inDatabase);
    expect(report.steps.find((s) => s.name === 'plan')?.message).toMatch(
      /allowMassDeletion applies deletes above the threshold this once/,
    );
    expect(await harness.store.listUsers()).toEqual([]);
    const next = await run({ connection: { baseDn: emptyOu } });
    expect(next).toMatchObject({ status: 'succeeded', counts: { deleted: 0 } });
  });
});
