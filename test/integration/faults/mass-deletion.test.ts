/**
 * The failure that hurt users of other sync products: a directory that suddenly returns nobody. With
 * deleteUsers on, the deletion threshold stops the deletes; allowMassDeletion applies them once, on record.
 */
import { beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { ConfigInput } from '../../../shared/config/config-schema';
import type { Report } from '../../../shared/domain/report';
import { ApprovalMismatchError } from '../../../shared/errors';
import { synchronize } from '../../../shared/use-cases/sync-pipeline';
import { synchronizeNow } from '../../../shared/use-cases/synchronize-now';
import { FixtureDirectory } from '../../support/fixture-directory';
import { useScratchSync } from '../../support/scratch-sync';
import { createSyncHarness, fixtureConfig, servicePassword } from '../../support/sync-harness';

const fixture = new FixtureDirectory();
/** An OU that holds no users, and a sync harness. */
const scratch = useScratchSync('Empty');
const { dn: emptyOu } = scratch;
let inDatabase: number;

const configWith = (overrides: Omit<ConfigInput, 'connection'> & { connection?: object } = {}) =>
  fixtureConfig({ ...overrides, options: { deleteUsers: true } });

const run = (
  overrides: Omit<ConfigInput, 'connection'> & { connection?: object } = {},
  approvedDeletes?: number,
): Promise<Report> =>
  synchronize(scratch.harness.deps, {
    config: configWith(overrides),
    password: servicePassword(),
    ...(approvedDeletes === undefined ? {} : { approvedDeletes }),
  });

beforeAll(async () => {
  expect((await run()).status).toBe('succeeded');
  inDatabase = (await scratch.harness.store.listUsers()).length;
});

describe('a directory that suddenly returns nobody, with deleteUsers on', () => {
  it('deletes no one when the base DN holds no users, and says why', async () => {
    const report = await run({ connection: { baseDn: emptyOu } });
    expect(report.status).toBe('deletionThresholdExceeded');
    expect(report.counts).toMatchObject({ directoryUsers: 0, deleted: 0 });
    expect(report.changes.filter((c) => c.action === 'delete')).toHaveLength(inDatabase);
    expect(report.changes.every((c) => c.reason?.includes('withheld'))).toBe(true);
    expect(report.changes.every((c) => c.withheld === true)).toBe(true);
    expect((await scratch.harness.store.listUsers()).length).toBe(inDatabase);
  });

  it('deletes no one when the filters exclude everyone', async () => {
    const report = await run({ filters: { groups: [fixture.group('Empty Group').dn] } });
    expect(report.status).toBe('deletionThresholdExceeded');
    expect(report.counts.excluded).toBe(report.counts.directoryUsers);
    expect((await scratch.harness.store.listUsers()).length).toBe(inDatabase);
  });

  it('holds the deletes back again when the approval was for another count', async () => {
    const report = await run({ connection: { baseDn: emptyOu } }, inDatabase + 1);
    expect(report).toMatchObject({ status: 'deletionThresholdExceeded', deletesWithheld: inDatabase });
    expect(report.steps.find((s) => s.name === 'plan')?.message).toContain(
      `allowMassDeletion approved ${inDatabase + 1} deletes; this run found ${inDatabase}`,
    );
    expect((await scratch.harness.store.listUsers()).length).toBe(inDatabase);
  });

  it('applies the deletes once when approved for exactly their count, and the plan step says so', async () => {
    const report = await run({ connection: { baseDn: emptyOu } }, inDatabase);
    expect(report.status).toBe('succeeded');
    expect(report.counts.deleted).toBe(inDatabase);
    expect(report.steps.find((s) => s.name === 'plan')?.message).toMatch(
      /allowMassDeletion applies deletes above the threshold this once/,
    );
    expect(await scratch.harness.store.listUsers()).toEqual([]);
    const next = await run({ connection: { baseDn: emptyOu } });
    expect(next).toMatchObject({ status: 'succeeded', counts: { deleted: 0 } });
  });
});

describe('approving the withheld deletes (POST /sync with allowMassDeletion)', () => {
  it('applies only what the last run withheld, on the configuration version it ran on', async () => {
    const approvals = await createSyncHarness();
    onTestFinished(() => approvals.close());
    const deps = approvals.exclusive();
    await deps.configs.saveConfig(configWith());
    expect((await synchronizeNow(deps)).status).toBe('succeeded');
    const population = (await approvals.store.listUsers()).length;
    await expect(synchronizeNow(deps, { allowMassDeletion: true })).rejects.toThrow(/withheld none/);

    const empty = await deps.configs.saveConfig(configWith({ connection: { baseDn: emptyOu } }));
    const stopped = await synchronizeNow(deps);
    expect(stopped).toMatchObject({
      status: 'deletionThresholdExceeded',
      deletesWithheld: population,
      configVersion: empty.version,
    });
    for (const approval of [
      { runId: stopped.runId, deletes: population - 1 },
      { runId: 'an-earlier-run', deletes: population },
    ]) {
      await expect(synchronizeNow(deps, { allowMassDeletion: approval })).rejects.toBeInstanceOf(
        ApprovalMismatchError,
      );
    }
    // Saved again (even unchanged): what the next run deletes has not been shown to anyone.
    await deps.configs.saveConfig(configWith({ connection: { baseDn: emptyOu } }));
    await expect(synchronizeNow(deps, { allowMassDeletion: true })).rejects.toThrow(
      /configuration changed since run/,
    );
    expect((await approvals.store.listUsers()).length).toBe(population);
    // The lock was released by each refusal.
    const shown = await synchronizeNow(deps);
    expect(shown.deletesWithheld).toBe(population);

    const approved = await synchronizeNow(deps, {
      allowMassDeletion: { runId: shown.runId, deletes: population },
    });
    expect(approved).toMatchObject({ status: 'succeeded', counts: { deleted: population } });
    expect(await approvals.store.listUsers()).toEqual([]);
    // Used once: nothing is withheld any more.
    await expect(synchronizeNow(deps, { allowMassDeletion: true })).rejects.toBeInstanceOf(
      ApprovalMismatchError,
    );
  });
});
