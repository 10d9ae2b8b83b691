/**
 * Synchronize one user (`POST /sync/users/{name}`) through the real handlers (the start function hands the
 * run to the sync function in this process, as the local stack does), against the Samba DC and DynamoDB
 * Local, in an OU of this file's own: the user's plan applied at once under the sync's rules, recorded as a
 * run with trigger "user", and nothing else touched.
 */
import { Attribute, Change, type Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DynamoRunLock } from '../../../shared/adapters/dynamodb/dynamo-run-lock';
import type { ConfigInput } from '../../../shared/config/config-schema';
import type { JsonResponse } from '../../support/api-events';
import { dynamoDbClient } from '../../support/clients';
import { type LoadedHandlers, loadHandlers } from '../../support/lambda-handlers';
import { addTeam, createScratchOu, replace, scratchOuName } from '../../support/scratch-ou';
import { fixtureConfig, servicePassword } from '../../support/sync-harness';

const directory = inject('directory');
const { dn: ou, tag } = scratchOuName('One');
const groupDn = `CN=One Team,${ou}`;
const NAMES = ['o1', 'o2', 'o3'] as const;
const userDn = (name: string) => `CN=One ${name},${ou}`;

let admin: Client;
let scratch: Awaited<ReturnType<typeof createScratchOu>>;
let loaded: LoadedHandlers;

const call = (...args: Parameters<LoadedHandlers['call']>): Promise<JsonResponse> => loaded.call(...args);

async function saveConfig(options: ConfigInput['options'] = {}): Promise<void> {
  const saved = await call('config', 'PUT', '/config', {
    body: {
      config: fixtureConfig({ connection: { baseDn: ou }, filters: { groups: [groupDn] }, options }),
      password: servicePassword(),
    },
  });
  expect(saved.statusCode).toBe(200);
}

/** Synchronizes one user, waiting for its end (it takes well under a second). */
const syncUser = (name: string) =>
  call('start', 'POST', `/sync/users/${encodeURIComponent(name)}`, { headers: { Prefer: 'wait=60' } });
const user = (name: string) => call('users', 'GET', `/users/${encodeURIComponent(name)}`);
const actions = (report: JsonResponse['body']) =>
  (report.changes as { action: string; userName: string }[]).map((c) => `${c.action}:${c.userName}`);

beforeAll(async () => {
  scratch = await createScratchOu(ou);
  ({ admin } = scratch);
  await addTeam(admin, { userDn, groupDn, label: 'One', prefix: 'one', tag, names: NAMES });
  loaded = await loadHandlers();
  await saveConfig();
});

afterAll(async () => {
  await scratch.remove();
});

describe('synchronize one user', () => {
  it('creates that user only, and records a run with trigger user', async () => {
    const answer = await syncUser('one-o1');
    expect(answer.statusCode).toBe(200);
    expect(answer.body).toMatchObject({ status: 'succeeded', trigger: 'user', dryRun: false });
    expect(answer.body.counts).toMatchObject({ directoryUsers: 1, inScope: 1, created: 1 });
    expect(actions(answer.body)).toEqual(['create:one-o1']);
    expect((await user('one-o1')).statusCode).toBe(200);
    expect((await user('one-o2')).statusCode).toBe(404);

    const runs = await call('runs', 'GET', '/sync/runs');
    expect(runs.body.runs[0]).toMatchObject({ runId: answer.body.runId, trigger: 'user' });
  });

  it('finds the user by its UPN, its DN and its objectGUID too', async () => {
    const byUpn = await syncUser(`one-o2@${directory.domain}`);
    expect(actions(byUpn.body)).toEqual(['create:one-o2']);
    const byDn = await syncUser(userDn('o2'));
    expect(byDn.body.counts).toMatchObject({ unchanged: 1, created: 0 });
    const guid = (await user('one-o2')).body.objectGuid as string;
    const byGuid = await syncUser(guid);
    expect(byGuid.body.counts).toMatchObject({ unchanged: 1 });
  });

  it('updates the user with what changed in AD', async () => {
    await admin.modify(userDn('o1'), [replace('displayName', ['One Renamed'])]);
    const answer = await syncUser('one-o1');
    expect(answer.body.counts).toMatchObject({ updated: 1 });
    expect(answer.body.changes[0]).toMatchObject({ action: 'update', changedFields: ['fullName'] });
    expect((await user('one-o1')).body.fullName).toBe('One Renamed');
  });

  it('fails the run, changing nothing, for a name the directory does not have', async () => {
    const answer = await syncUser('nobody-*)(cn=*');
    expect(answer.statusCode).toBe(200);
    expect(answer.body.status).toBe('failed');
    expect(answer.body.error.code).toBe('NotFound');
    expect(answer.body.counts).toMatchObject({ created: 0, updated: 0, deleted: 0 });
  });

  describe('a user out of scope', () => {
    beforeAll(async () => {
      await admin.modify(groupDn, [
        new Change({
          operation: 'delete',
          modification: new Attribute({ type: 'member', values: [userDn('o1'), userDn('o2')] }),
        }),
      ]);
    });

    it('is left as it is while deleteUsers is off', async () => {
      const answer = await syncUser('one-o1');
      expect(answer.body.status).toBe('succeeded');
      expect(answer.body.counts).toMatchObject({ excluded: 1, deleted: 0 });
      expect(answer.body.excluded).toMatchObject([{ userName: 'one-o1', reasons: ['notInSelectedGroups'] }]);
      expect((await user('one-o1')).statusCode).toBe(200);
    });

    it('is suspended with a grace period, and deleted without one', async () => {
      await saveConfig({
        deleteUsers: true,
        deletionGraceDays: 7,
        deletionThreshold: { maxCount: 10, maxPercent: 100 },
      });
      const suspended = await syncUser('one-o1');
      expect(actions(suspended.body)).toEqual(['suspend:one-o1']);
      expect((await user('one-o1')).body.suspendedAt).toEqual(expect.any(String));

      await saveConfig({ deleteUsers: true, deletionThreshold: { maxCount: 10, maxPercent: 100 } });
      const deleted = await syncUser('one-o2');
      expect(actions(deleted.body)).toEqual(['delete:one-o2']);
      expect((await user('one-o2')).statusCode).toBe(404);
    });

    it('is held back by the deletion threshold, as a sync would', async () => {
      await saveConfig({ deleteUsers: true, deletionThreshold: { maxCount: 0, maxPercent: 100 } });
      const answer = await syncUser('one-o1');
      expect(answer.body.status).toBe('deletionThresholdExceeded');
      expect(answer.body.deletesWithheld).toBe(1);
      expect((await user('one-o1')).statusCode).toBe(200);
    });
  });

  it('is refused with 409 while a sync runs', async () => {
    const lock = new DynamoRunLock(dynamoDbClient(), process.env.TABLE_NAME as string);
    expect(await lock.acquire('a-running-sync', 600)).toBe(true);
    try {
      const answer = await syncUser('one-o3');
      expect(answer.statusCode).toBe(409);
      expect(answer.body.error).toMatchObject({ code: 'SyncRunning' });
    } finally {
      await lock.release('a-running-sync');
    }
  });
});
