/**
 * A first sync writes its creates while it reads (apply-writes.ts). Its read cut after the first page, with
 * deleteUsers on and no threshold to speak of: the creates written are each right, nobody is deleted, and
 * the next run completes from there, deleting then the user the directory does not have.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { User } from '../../../shared/domain/user';
import { testSettings } from '../../../shared/use-cases/sync-pipeline';
import { synchronizeNow } from '../../../shared/use-cases/synchronize-now';
import {
  createSyncHarness,
  fixtureConfig,
  type SyncHarness,
  servicePassword,
} from '../../support/sync-harness';
import { type FaultProxy, startFaultProxy } from '../../support/tcp-fault-proxy';

const dangerous = {
  options: { deleteUsers: true, deletionThreshold: { maxCount: 1_000_000, maxPercent: 100 } },
} as const;

/** A directory user of the database that the directory does not have: a complete read deletes it. */
const gone: User = {
  userName: 'gone-while-writing',
  fullName: 'Gone',
  emailAddresses: [],
  authentication: 'directoryServices',
  distinguishedName: 'CN=Gone,OU=Left,DC=company,DC=local',
  objectGuid: '0badc0de-0000-4000-8000-00000000cafe',
  privileges: ['login'],
  ownArchiveAccess: ['read'],
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
};

let harness: SyncHarness;
let proxy: FaultProxy | undefined;

beforeAll(async () => {
  harness = await createSyncHarness();
  await harness.store.createUser(gone);
});
afterAll(async () => {
  await proxy?.close();
  harness?.close();
});

describe('a read cut short while its creates are being written', () => {
  it('deletes nothing, keeps what it wrote, and the next run goes on from there', async () => {
    const { host } = inject('directory');
    // The bytes of a whole read (Test Settings reads as a sync does, and writes nothing).
    const measure = await startFaultProxy({ targetHost: host, targetPort: 636 });
    const preview = await testSettings(harness.deps, {
      config: fixtureConfig({ connection: { servers: [`127.0.0.1:${measure.port}`] } }),
      password: servicePassword(),
    });
    expect(preview.error).toBeUndefined();
    const bytes = measure.serverBytes();
    await measure.close();
    const inScope = preview.counts.inScope;
    // The first page is 1,000 of the fixture's users: cut in the second one.
    expect(preview.counts.directoryUsers).toBeGreaterThan(1000);
    proxy = await startFaultProxy({
      targetHost: host,
      targetPort: 636,
      fault: { kind: 'cut', afterServerBytes: Math.floor(bytes * 0.9) },
    });

    const cutConfig = fixtureConfig({ ...dangerous, connection: { servers: [`127.0.0.1:${proxy.port}`] } });
    await harness.configs.saveConfig(cutConfig);
    const failed = await synchronizeNow({ ...harness.exclusive(), applyBatchSize: 100 });
    expect(failed).toMatchObject({ status: 'failed', error: { code: 'PartialRead' } });
    expect(failed.steps.find((step) => !step.ok)?.name).toBe('search');
    expect(failed.counts.created).toBeGreaterThan(0);
    expect(failed.counts).toMatchObject({ deleted: 0, suspended: 0, updated: 0 });
    expect(failed.steps.find((step) => step.name === 'apply')?.message).toContain(
      'nothing deleted or suspended',
    );
    const afterCut = await harness.store.listUsers();
    expect(afterCut.map((user) => user.userName)).toContain(gone.userName);
    expect(afterCut).toHaveLength(failed.counts.created + 1);
    // Each create written is a user of the directory, with what the directory says (the preview lists them).
    const planned = new Map(preview.changes.map((change) => [change.userName, change]));
    for (const user of afterCut.filter((u) => u.userName !== gone.userName)) {
      expect(planned.get(user.userName)).toMatchObject({
        action: 'create',
        fullName: user.fullName,
        emailAddresses: user.emailAddresses,
      });
    }

    await harness.configs.saveConfig(fixtureConfig(dangerous));
    const next = await synchronizeNow(harness.exclusive());
    expect(next).toMatchObject({
      status: 'succeeded',
      counts: {
        created: inScope - failed.counts.created,
        unchanged: failed.counts.created,
        deleted: 1,
        conflicts: 0,
      },
    });
    const users = await harness.store.listUsers();
    expect(users).toHaveLength(inScope);
    expect(users.map((user) => user.userName)).not.toContain(gone.userName);
  });
});
