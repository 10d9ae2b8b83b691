/**
 * Leavers are found by every run with the read-only service account (docs/contract.md#leavers): against the
 * Samba DC, which shows this account CN=Deleted Objects but none of the tombstones in it. A user deleted in
 * AD and one moved out of the base DN are deleted, suspended (grace period) or held back (threshold) by the
 * next incremental run, which publishes the same events a full read would.
 */
import { type Client, Control } from 'ldapts';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ChangeEvent } from '../../../shared/domain/change-event';
import type { Report } from '../../../shared/domain/report';
import { synchronize } from '../../../shared/use-cases/run-sync';
import { ldapsClient } from '../../support/clients';
import { administratorClient, scratchOuName, userEntry } from '../../support/scratch-ou';
import {
  createSyncHarness,
  fixtureConfig,
  type SyncHarness,
  servicePassword,
} from '../../support/sync-harness';
import { newChangeEvents, type TableStream, tableStream } from '../../support/table-stream';

const { dn: ou, tag } = scratchOuName('Leavers');
const inside = `OU=Inside,${ou}`;
const outside = `OU=Outside,${ou}`;
const userDn = (name: string, parent = inside) => `CN=Leaver ${name},${parent}`;
const NAMES = ['l1', 'l2', 'l3', 'l4', 'l5', 'l6', 'l7'];
const short = (userName: string) => userName.replace(`leaver-${tag}-`, '');

let admin: Client;
let harness: SyncHarness;
let stream: TableStream;

const config = (options: object = {}) =>
  fixtureConfig({
    connection: { baseDn: inside },
    options: { deleteUsers: true, deletionThreshold: { maxCount: 100, maxPercent: 100 }, ...options },
  });
const sync = (options: object = {}): Promise<Report> =>
  synchronize(harness.deps, { config: config(options), password: servicePassword() });
const searchStep = (report: Report) => report.steps.find((s) => s.name === 'search');
const actionsOf = (report: Report) => report.changes.map((c) => `${c.action}:${short(c.userName)}`).sort();
const eventsOf = (events: readonly ChangeEvent[]) =>
  events.map((e) => `${e.type}:${short(e.userName)}`).sort();
const databaseNames = async () => (await harness.store.listUsers()).map((u) => short(u.userName)).sort();
const moveOut = (name: string) => admin.modifyDN(userDn(name), userDn(name, outside));

beforeAll(async () => {
  admin = await administratorClient();
  for (const dn of [ou, inside, outside]) await admin.add(dn, { objectClass: ['top', 'organizationalUnit'] });
  for (const name of NAMES) {
    await admin.add(
      userDn(name),
      userEntry({
        sAMAccountName: `leaver-${tag}-${name}`,
        displayName: `Leaver ${name}`,
        mail: `leaver-${tag}-${name}@${inject('directory').domain}`,
      }),
    );
  }
  harness = await createSyncHarness({ incremental: true, stream: true });
  stream = await tableStream(harness.tableName);
});

afterAll(async () => {
  stream?.close();
  harness?.close();
  if (!admin) return;
  const { searchEntries } = await admin.search(ou, { scope: 'sub', attributes: ['dn'] });
  // Deepest first: an OU goes once it is empty.
  for (const { dn } of searchEntries.sort((a, b) => b.dn.length - a.dn.length)) await admin.del(dn);
  await admin.unbind();
});

describe('leavers, with the read-only service account', () => {
  it('a first run reads everything, and says so', async () => {
    const report = await sync();
    expect(report.error).toBeUndefined();
    expect(searchStep(report)).toMatchObject({ ok: true, leavers: 'fullRead' });
    expect(report.counts.created).toBe(NAMES.length);
    await newChangeEvents(stream);
  });

  it('cannot read a tombstone on this DC: the case the enumeration is for', async () => {
    // The precondition of the tests below, checked rather than assumed: as the service account, the
    // container answers and its contents stay hidden.
    const { serviceAccount, baseDn } = inject('directory');
    const reader = ldapsClient();
    await reader.bind(serviceAccount.upn, serviceAccount.password);
    const showDeleted = new Control('1.2.840.113556.1.4.417', { critical: true });
    const probe = await admin.search(
      `CN=Deleted Objects,${baseDn}`,
      { scope: 'one', filter: '(isDeleted=TRUE)', attributes: ['cn'] },
      showDeleted,
    );
    const hidden = await reader.search(
      `CN=Deleted Objects,${baseDn}`,
      { scope: 'one', filter: '(isDeleted=TRUE)', attributes: ['cn'] },
      showDeleted,
    );
    const container = await reader.search(
      `CN=Deleted Objects,${baseDn}`,
      { scope: 'base', attributes: ['cn'] },
      showDeleted,
    );
    await reader.unbind();
    expect(container.searchEntries).toHaveLength(1);
    expect(probe.searchEntries.length).toBeGreaterThan(0);
    expect(hidden.searchEntries).toHaveLength(0);
  });

  it('an incremental run deletes a user deleted in AD and one moved out of the base DN, and publishes both', async () => {
    await admin.del(userDn('l1'));
    await moveOut('l2');

    const report = await sync();
    expect(report.error).toBeUndefined();
    expect(searchStep(report)).toMatchObject({ leavers: 'enumeration' });
    expect(searchStep(report)?.message).toMatch(/^\d+ users changed since USN \d+ /);
    expect(actionsOf(report)).toEqual(['delete:l1', 'delete:l2']);
    expect(report.counts).toMatchObject({ deleted: 2, created: 0, updated: 0 });
    expect(await databaseNames()).toEqual(['l3', 'l4', 'l5', 'l6', 'l7']);
    const events = await newChangeEvents(stream);
    expect(eventsOf(events)).toEqual(['user.deleted:l1', 'user.deleted:l2']);
    expect(events.every((e) => e.runId === report.runId)).toBe(true);
  });

  it('the run after it finds the same users as the last run: it lists no database and changes nothing', async () => {
    const writes = harness.userWrites();
    const report = await sync();
    expect(searchStep(report)).toMatchObject({ leavers: 'enumeration' });
    expect(searchStep(report)?.message).toContain('5 users there, the same as at the last run (no leavers)');
    expect(report.changes).toEqual([]);
    expect(harness.userWrites()).toBe(writes);
  });

  it('with a grace period, an incremental run suspends them, and publishes the suspensions', async () => {
    const full = await sync({ deletionGraceDays: 30 });
    expect(searchStep(full)).toMatchObject({ leavers: 'fullRead' });
    await admin.del(userDn('l3'));
    await moveOut('l4');

    const report = await sync({ deletionGraceDays: 30 });
    expect(searchStep(report)).toMatchObject({ leavers: 'enumeration' });
    expect(actionsOf(report)).toEqual(['suspend:l3', 'suspend:l4']);
    const users = await harness.store.listUsers();
    expect(
      users
        .filter((u) => u.suspendedAt)
        .map((u) => short(u.userName))
        .sort(),
    ).toEqual(['l3', 'l4']);
    expect(eventsOf(await newChangeEvents(stream))).toEqual(['user.suspended:l3', 'user.suspended:l4']);
  });

  it('above the deletion threshold, an incremental run holds them back and publishes nothing', async () => {
    await admin.del(userDn('l5'));
    await moveOut('l6');

    const report = await sync({ deletionGraceDays: 30, deletionThreshold: { maxCount: 1, maxPercent: 100 } });
    expect(searchStep(report)).toMatchObject({ leavers: 'enumeration' });
    expect(report.status).toBe('deletionThresholdExceeded');
    expect(report.deletesWithheld).toBe(2);
    expect(report.counts).toMatchObject({ deleted: 0, suspended: 0 });
    expect(await databaseNames()).toEqual(['l3', 'l4', 'l5', 'l6', 'l7']);
    expect(await newChangeEvents(stream)).toEqual([]);

    // Nothing held back is forgotten: the next run reads everything and holds them back again.
    const again = await sync({ deletionGraceDays: 30, deletionThreshold: { maxCount: 1, maxPercent: 100 } });
    expect(searchStep(again)).toMatchObject({ leavers: 'fullRead' });
    expect(again.deletesWithheld).toBe(2);
  });
});
