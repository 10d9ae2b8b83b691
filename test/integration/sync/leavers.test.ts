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
import { synchronize } from '../../../shared/use-cases/sync-pipeline';
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
  events.map((e) => `${e.type}:${short('userName' in e ? e.userName : e.name)}`).sort();
const databaseNames = async () => (await harness.store.listUsers()).map((u) => short(u.userName)).sort();
const moveOut = (name: string) => admin.modifyDN(userDn(name), userDn(name, outside));
const deletedObjects = () => `CN=Deleted Objects,${inject('directory').baseDn}`;
/** LDAP_SERVER_SHOW_DELETED_OID: tombstones are returned to an account that may read them. */
const showDeleted = () => new Control('1.2.840.113556.1.4.417', { critical: true });
/** The tombstones of a user of this file that a client can read. */
const tombstonesOf = async (client: Client, name: string) =>
  (
    await client.search(
      deletedObjects(),
      { scope: 'one', filter: `(&(isDeleted=TRUE)(cn=Leaver ${name}*))`, attributes: ['cn'] },
      showDeleted(),
    )
  ).searchEntries;

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

  it('an incremental run deletes a user deleted in AD and one moved out of the base DN, and publishes both', async () => {
    await admin.del(userDn('l1'));
    await moveOut('l2');

    // The case the enumeration is for, checked rather than assumed: Administrator sees l1's tombstone, the
    // service account sees the container and not the tombstone.
    const reader = ldapsClient();
    await reader.bind(inject('directory').serviceAccount.upn, servicePassword());
    expect(await tombstonesOf(admin, 'l1')).toHaveLength(1);
    expect(await tombstonesOf(reader, 'l1')).toHaveLength(0);
    const { searchEntries: container } = await reader.search(
      deletedObjects(),
      { scope: 'base' },
      showDeleted(),
    );
    expect(container).toHaveLength(1);
    await reader.unbind();

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
