/**
 * Incremental runs after an OU was renamed or moved inside the base DN, or moved into it from outside
 * (SPEC 8.1: the result is the same as a full read's). On Windows AD only the OU's own uSNChanged moves: the
 * users under it get new DNs and keep theirs, so a read by uSNChanged alone would miss them. The run sees the
 * changed OU and reads everything, and says so.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Report } from '../../../shared/domain/report';
import type { User } from '../../../shared/domain/user';
import { synchronize } from '../../../shared/use-cases/sync-pipeline';
import { userEntry } from '../../support/scratch-ou';
import { useScratchSync } from '../../support/scratch-sync';
import { fixtureConfig, servicePassword } from '../../support/sync-harness';

const scratch = useScratchSync('OuMoves', { incremental: true });
const { dn: base, tag } = scratch;
// Outside the base DN: a sibling of the scratch OU, moved into it by a test.
const outside = `OU=OuMoves outside ${tag},${inject('directory').baseDn}`;
const account = (name: string) => `ou${tag}-${name}`;

const config = () =>
  fixtureConfig({
    connection: { baseDn: base },
    filters: { exchangeUsersOnly: false },
    options: { deleteUsers: true, deletionThreshold: { maxCount: 100, maxPercent: 100 } },
  });
const sync = (): Promise<Report> =>
  synchronize(scratch.harness.deps, { config: config(), password: servicePassword() });
const searchMessage = (report: Report) => report.steps.find((s) => s.name === 'search')?.message ?? '';
const stored = async (name: string): Promise<User | undefined> =>
  (await scratch.harness.store.listUsers()).find((u) => u.userName === account(name));
const addUser = (name: string, under: string) =>
  scratch.admin.add(`CN=Ou ${name},${under}`, userEntry({ sAMAccountName: account(name) }));

beforeAll(async () => {
  const { admin } = scratch;
  await admin.add(`OU=Team,${base}`, { objectClass: ['top', 'organizationalUnit'] });
  await addUser('ann', `OU=Team,${base}`);
  await admin.add(outside, { objectClass: ['top', 'organizationalUnit'] });
  await addUser('ben', outside);
});

afterAll(async () => {
  // The scratch OU removes only what it holds directly: the nested OUs' users go first.
  const { admin } = scratch;
  for (const dn of [
    `CN=Ou ann,OU=Team,${base}`,
    `CN=Ou ann,OU=Renamed,${base}`,
    `CN=Ou ben,${outside}`,
    `CN=Ou ben,OU=Moved in,${base}`,
    `OU=Team,${base}`,
    `OU=Renamed,${base}`,
    `OU=Moved in,${base}`,
    outside,
  ]) {
    await admin.del(dn).catch(() => {});
  }
});

describe('incremental runs after an OU moved', () => {
  it('reads only the changes while no OU changed', async () => {
    expect((await sync()).counts.created).toBe(1);
    const report = await sync();
    expect(searchMessage(report)).toMatch(/^0 users changed since USN \d+/);
  });

  it('follows an OU renamed inside the base DN: the user under it gets its new DN', async () => {
    await scratch.admin.modifyDN(`OU=Team,${base}`, `OU=Renamed,${base}`);
    const report = await sync();
    expect(report.error).toBeUndefined();
    expect(searchMessage(report)).toContain(
      'full read: an OU or container under the base DN changed since the last run',
    );
    expect(report.changes).toEqual([
      expect.objectContaining({
        action: 'update',
        userName: account('ann'),
        changedFields: ['distinguishedName'],
      }),
    ]);
    expect((await stored('ann'))?.distinguishedName).toBe(`CN=Ou ann,OU=Renamed,${base}`);
  });

  it('creates the users of an OU moved into the base DN', async () => {
    await scratch.admin.modifyDN(outside, `OU=Moved in,${base}`);
    const report = await sync();
    expect(searchMessage(report)).toContain('full read: an OU or container under the base DN changed');
    expect(report.changes.map((c) => `${c.action}:${c.userName}`)).toEqual([`create:${account('ben')}`]);
    expect((await stored('ben'))?.distinguishedName).toBe(`CN=Ou ben,OU=Moved in,${base}`);
  });

  it('reads only the changes again at the next run', async () => {
    const report = await sync();
    expect(searchMessage(report)).toMatch(/^0 users changed since USN \d+/);
    expect(report.changes).toEqual([]);
  });
});
