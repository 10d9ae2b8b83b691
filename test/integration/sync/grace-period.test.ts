/**
 * Deletion with a grace period (docs/contract.md#deletes) against the Samba DC and DynamoDB Local, with
 * incremental runs as deployed, in an OU of this file's own: users that leave the scope are suspended, come
 * back restored, and are deleted once suspended long enough (a clock moved forward), at the first run after
 * the grace period, whenever the next full reconciliation is; the threshold counts
 * suspensions; a suspended user cannot log on.
 */
import { Attribute, Change } from 'ldapts';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../../shared/config/config-schema';
import { credentialCheckOf } from '../../../shared/domain/logon';
import type { User } from '../../../shared/domain/user';
import { synchronize } from '../../../shared/use-cases/sync-pipeline';
import { systemClock } from '../../../shared/use-cases/system-clock';
import { addTeam, replace } from '../../support/scratch-ou';
import { useScratchSync } from '../../support/scratch-sync';
import { fixtureConfig, servicePassword } from '../../support/sync-harness';

const scratch = useScratchSync('Grace', { incremental: true });
const { dn: ou, tag } = scratch;
const groupDn = `CN=Grace Team,${ou}`;
const NAMES = ['g1', 'g2', 'g3', 'g4', 'g5', 'g6'] as const;
const userDn = (name: string) => `CN=Grace ${name},${ou}`;
const DAY_MS = 24 * 60 * 60 * 1000;

/** The runs' clock: moved forward to let a grace period pass. */
let now = new Date();

const options = (o: ConfigInput['options'] = {}): ConfigInput['options'] => ({
  deleteUsers: true,
  deletionGraceDays: 7,
  deletionThreshold: { maxCount: 10, maxPercent: 100 },
  ...o,
});
const config = (o: ConfigInput['options'] = {}) =>
  fixtureConfig({ connection: { baseDn: ou }, filters: { groups: [groupDn] }, options: options(o) });
const sync = (o: ConfigInput['options'] = {}, approvedDeletes?: number) =>
  synchronize(
    { ...scratch.harness.deps, clock: { ...systemClock, now: () => now } },
    {
      config: config(o),
      password: servicePassword(),
      ...(approvedDeletes !== undefined ? { approvedDeletes } : {}),
    },
  );
const users = async (): Promise<Map<string, User>> =>
  new Map((await scratch.harness.store.listUsers()).map((u) => [u.userName, u]));
const membership = (operation: 'add' | 'delete', ...names: string[]) =>
  scratch.admin.modify(groupDn, [
    new Change({ operation, modification: new Attribute({ type: 'member', values: names.map(userDn) }) }),
  ]);
const actions = (report: { changes: readonly { action: string; userName: string }[] }) =>
  report.changes.map((c) => `${c.action}:${c.userName}`).sort();

beforeAll(async () => {
  await addTeam(scratch.admin, { userDn, groupDn, label: 'Grace', prefix: 'grace', tag, names: NAMES });
});

describe('deletion with a grace period', () => {
  it('creates the users of the group', async () => {
    const report = await sync();
    expect(report.counts).toMatchObject({ created: NAMES.length, suspended: 0, restored: 0 });
  });

  it('suspends users who leave the scope instead of deleting them: privileges and archive kept, logon refused', async () => {
    await scratch.harness.archiveMessages('grace-g1', 12);
    const before = (await users()).get('grace-g1') as User;
    await membership('delete', 'g1', 'g2');
    const report = await sync();
    expect(report.status).toBe('succeeded');
    expect(report.counts).toMatchObject({ suspended: 2, deleted: 0 });
    expect(actions(report)).toEqual(['suspend:grace-g1', 'suspend:grace-g2']);
    expect(report.changes[0]?.reason).toBe('out of scope: notInSelectedGroups');

    const g1 = (await users()).get('grace-g1') as User;
    expect(g1.suspendedAt).toBe(now.toISOString());
    expect(g1).toMatchObject({ privileges: before.privileges, createdAt: before.createdAt });
    expect(await scratch.harness.store.getArchiveFolder('grace-g1')).toMatchObject({ messageCount: 12 });
    expect(credentialCheckOf(g1, 'any password')).toEqual({ by: 'nothing', reason: 'suspended' });
    expect(credentialCheckOf((await users()).get('grace-g3'), 'any password')).toMatchObject({
      by: 'directoryBind',
    });
  });

  it('leaves them suspended while the grace period runs, and writes nothing', async () => {
    const writes = scratch.harness.userItemWrites();
    now = new Date(now.getTime() + 6 * DAY_MS);
    const report = await sync();
    expect(report.counts).toMatchObject({ suspended: 0, deleted: 0, restored: 0 });
    expect(scratch.harness.userItemWrites()).toBe(writes);
    expect((await users()).get('grace-g2')?.suspendedAt).toBeDefined();
  });

  it('restores a suspended user back in scope: the same user, the suspension ended', async () => {
    const suspended = (await users()).get('grace-g1') as User;
    await membership('add', 'g1');
    const report = await sync();
    expect(report.counts).toMatchObject({ restored: 1, created: 0, suspended: 0 });
    expect(actions(report)).toEqual(['restore:grace-g1']);
    const g1 = (await users()).get('grace-g1') as User;
    expect(g1.suspendedAt).toBeUndefined();
    expect(g1).toMatchObject({ objectGuid: suspended.objectGuid, createdAt: suspended.createdAt });
    expect(credentialCheckOf(g1, 'any password')).toMatchObject({ by: 'directoryBind' });
  });

  it('deletes a user once suspended for deletionGraceDays, under the usual rules', async () => {
    now = new Date(now.getTime() + 1 * DAY_MS);
    const report = await sync();
    expect(report.counts).toMatchObject({ deleted: 1, suspended: 0 });
    expect(actions(report)).toEqual(['delete:grace-g2']);
    expect((await users()).has('grace-g2')).toBe(false);
  });

  it('counts suspensions against the deletion threshold, and applies them once approved', async () => {
    await membership('delete', 'g3', 'g4', 'g5');
    const stopped = await sync({ deletionThreshold: { maxCount: 2, maxPercent: 100 } });
    expect(stopped.status).toBe('deletionThresholdExceeded');
    expect(stopped.deletesWithheld).toBe(3);
    expect(stopped.changes.filter((c) => c.withheld).map((c) => c.action)).toEqual([
      'suspend',
      'suspend',
      'suspend',
    ]);
    expect(stopped.counts).toMatchObject({ suspended: 0, deleted: 0 });
    expect([...(await users()).values()].filter((u) => u.suspendedAt)).toEqual([]);

    const approved = await sync({ deletionThreshold: { maxCount: 2, maxPercent: 100 } }, 3);
    expect(approved.status).toBe('succeeded');
    expect(approved.counts).toMatchObject({ suspended: 3 });
    expect(
      [...(await users()).values()]
        .filter((u) => u.suspendedAt)
        .map((u) => u.userName)
        .sort(),
    ).toEqual(['grace-g3', 'grace-g4', 'grace-g5']);
  });

  it('follows a rename of a suspended user in AD, and restores it under its new name when it comes back', async () => {
    await scratch.admin.modify(userDn('g3'), [replace('sAMAccountName', ['grace-g3-renamed'])]);
    await membership('add', 'g3');
    const report = await sync();
    expect(actions(report)).toEqual(['restore:grace-g3-renamed']);
    const all = await users();
    expect(all.has('grace-g3')).toBe(false);
    expect(all.get('grace-g3-renamed')?.suspendedAt).toBeUndefined();
  });

  it('deletes suspended users at once when the grace period is set back to 0', async () => {
    const report = await sync({ deletionGraceDays: 0 });
    expect(actions(report)).toEqual(['delete:grace-g4', 'delete:grace-g5']);
  });

  it('deletes a suspended user at the first run after its grace period ends, the reconciliation not due', async () => {
    // Reconciliation once a year: only the grace period can make these runs read everything.
    const yearly = () =>
      synchronize(
        { ...scratch.harness.deps, clock: { ...systemClock, now: () => now }, fullReadEveryHours: 24 * 365 },
        { config: config(), password: servicePassword() },
      );
    const search = (report: Awaited<ReturnType<typeof sync>>) =>
      report.steps.find((step) => step.name === 'search')?.message ?? '';
    // Back from 0 to 7 days: the settings changed.
    expect(search(await yearly())).toContain('full read: the settings changed');
    await membership('delete', 'g6');
    const suspended = await yearly();
    expect(actions(suspended)).toEqual(['suspend:grace-g6']);
    expect(search(suspended)).toMatch(/changed since USN/);

    now = new Date(now.getTime() + 7 * DAY_MS - 60_000);
    const early = await yearly();
    expect(search(early)).toMatch(/changed since USN/);
    expect(actions(early)).toEqual([]);
    expect((await users()).get('grace-g6')?.suspendedAt).toBeDefined();

    now = new Date(now.getTime() + 60_000);
    const due = await yearly();
    expect(search(due)).toContain("full read: a suspended user's grace period has ended");
    expect(actions(due)).toEqual(['delete:grace-g6']);
    expect((await users()).has('grace-g6')).toBe(false);
    expect(search(await yearly())).toMatch(/changed since USN/);
  });
});
