/**
 * Synchronize one user (`POST /sync/users/{name}`) through the real handlers (the start function hands the
 * run to the sync function in this process, as the local stack does), against the Samba DC and DynamoDB
 * Local, in an OU of this file's own: the user's plan applied at once under the sync's rules, with its groups
 * and privileges by group, recorded as a run with trigger "user", and nothing else touched.
 */
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { Attribute, Change, type Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DynamoGroupStore } from '../../../shared/adapters/dynamodb/dynamo-group-store';
import { DynamoRunLock } from '../../../shared/adapters/dynamodb/dynamo-run-lock';
import { userKey } from '../../../shared/adapters/dynamodb/keys';
import type { ConfigInput } from '../../../shared/config/config-schema';
import type { JsonResponse } from '../../support/api-events';
import { dynamoDbClient } from '../../support/clients';
import { type LoadedHandlers, loadHandlers } from '../../support/lambda-handlers';
import { addTeam, createScratchOu, replace, scratchOuName, userEntry } from '../../support/scratch-ou';
import { fixtureConfig, servicePassword } from '../../support/sync-harness';

const directory = inject('directory');
const { dn: ou, tag } = scratchOuName('One');
const groupDn = `CN=One Team,${ou}`;
const NAMES = ['o1', 'o2', 'o3'] as const;
const userDn = (name: string) => `CN=One ${name},${ou}`;

const client = dynamoDbClient();
const documents = DynamoDBDocumentClient.from(client);
let admin: Client;
let scratch: Awaited<ReturnType<typeof createScratchOu>>;
let loaded: LoadedHandlers;

const call = (...args: Parameters<LoadedHandlers['call']>): Promise<JsonResponse> => loaded.call(...args);

async function saveConfig(
  options: ConfigInput['options'] = {},
  more: Omit<ConfigInput, 'connection' | 'filters' | 'options'> = {},
): Promise<void> {
  const saved = await call('config', 'PUT', '/config', {
    body: {
      config: fixtureConfig({ connection: { baseDn: ou }, filters: { groups: [groupDn] }, options, ...more }),
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
  client.destroy();
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

  describe("the user's groups and privileges by group (SPEC 8.2)", () => {
    // alice: in One Team directly and through Inner (nested in One Team, so synchronized); Inner is nested in
    // Exporters, whose rule gives login; Exporters is not in One Team, so it gives without being listed.
    const alice = { name: `one-alice-${tag}`, password: `Pw-${tag}-aA1!`, dn: `CN=One Alice,${ou}` };
    const innerDn = `CN=One Inner,${ou}`;
    const exportersDn = `CN=One Exporters,${ou}`;
    const teamName = `one-team-${tag}`;
    const innerName = `one-inner-${tag}`;
    const own = { privileges: ['archiveEmail' as const], ownArchiveAccess: ['read' as const] };
    const membership = (operation: 'add' | 'delete', group: string, member: string) =>
      admin.modify(group, [
        new Change({ operation, modification: new Attribute({ type: 'member', values: [member] }) }),
      ]);
    const logon = (password: string) =>
      call('logon', 'POST', '/logon', { body: { userName: alice.name, password } });
    /** The mark of the last change on the user's item: what its change event names. */
    const lastChangeOf = async (name: string) => {
      const { Item } = await documents.send(
        new GetCommand({ TableName: loaded.tableName, Key: userKey(name), ConsistentRead: true }),
      );
      return Item?.lastChange as { kind: string; changedFields: string[] } | undefined;
    };

    beforeAll(async () => {
      await admin.add(
        alice.dn,
        userEntry({
          sAMAccountName: alice.name,
          userPrincipalName: `${alice.name}@${directory.domain}`,
          mail: `${alice.name}@${directory.domain}`,
          unicodePwd: Buffer.from(`"${alice.password}"`, 'utf16le') as unknown as string,
          userAccountControl: '512',
        }),
      );
      await admin.add(innerDn, {
        objectClass: ['top', 'group'],
        sAMAccountName: innerName,
        member: [alice.dn],
      });
      await admin.add(exportersDn, {
        objectClass: ['top', 'group'],
        sAMAccountName: `one-exporters-${tag}`,
        member: [innerDn],
      });
      await membership('add', groupDn, innerDn);
      await membership('add', groupDn, alice.dn);
      await saveConfig(
        {},
        {
          defaultPrivileges: own,
          groups: { sync: 'selected' },
          privilegeRules: [{ group: exportersDn, privileges: ['login'], ownArchiveAccess: ['write'] }],
        },
      );
    });

    afterAll(async () => {
      await saveConfig();
    });

    it('creates a user with its groups, nested included, and what a rule gives; /logon lets it in', async () => {
      const groupData = () => new DynamoGroupStore(client, loaded.tableName).hasGroupData();
      expect(await groupData()).toBe(false);
      const answer = await syncUser(alice.name);
      // The mark by which a full read with groups off knows to clear what was written.
      expect(await groupData()).toBe(true);
      expect(answer.body).toMatchObject({ status: 'succeeded', counts: { created: 1 } });
      const created = await user(alice.name);
      expect(created.body).toMatchObject({
        ...own,
        groups: [innerName, teamName],
        groupPrivileges: ['login'],
        groupArchiveAccess: ['write'],
      });
      expect(created.body.effectivePrivileges).toContain('login');
      expect((await lastChangeOf(alice.name))?.changedFields).toEqual(
        expect.arrayContaining(['groups', 'groupPrivileges', 'groupArchiveAccess']),
      );
      expect((await logon(alice.password)).statusCode).toBe(200);
    });

    it('updates a user who joined a rule group, naming the fields, its privileges as they were', async () => {
      const before = (await user('one-o1')).body;
      await membership('add', exportersDn, userDn('o1'));
      const answer = await syncUser('one-o1');
      expect(answer.body.counts).toMatchObject({ updated: 1, unchanged: 0 });
      const fields = ['groups', 'groupPrivileges', 'groupArchiveAccess'];
      expect(answer.body.changes).toMatchObject([{ action: 'update', changedFields: fields }]);
      expect(await lastChangeOf('one-o1')).toMatchObject({ kind: 'update', changedFields: fields });
      expect((await user('one-o1')).body).toMatchObject({
        privileges: before.privileges,
        ownArchiveAccess: before.ownArchiveAccess,
        groups: [teamName],
        groupPrivileges: ['login'],
        groupArchiveAccess: ['write'],
      });
      // Synchronized again: nothing to change.
      expect((await syncUser('one-o1')).body.counts).toMatchObject({ unchanged: 1, updated: 0 });
    });

    it('takes from a user who left the group what its rule gave, and /logon refuses it then', async () => {
      await membership('delete', innerDn, alice.dn);
      const answer = await syncUser(alice.name);
      expect(answer.body.changes).toMatchObject([
        { action: 'update', changedFields: ['groups', 'groupPrivileges', 'groupArchiveAccess'] },
      ]);
      expect((await user(alice.name)).body).toMatchObject({
        ...own,
        groups: [teamName],
        groupPrivileges: [],
        groupArchiveAccess: [],
      });
      expect((await logon(alice.password)).statusCode).toBe(401);
    });

    it("clears with groups off what an earlier configuration's groups gave, as explain plans it", async () => {
      await membership('add', innerDn, alice.dn);
      await syncUser(alice.name);
      expect((await logon(alice.password)).statusCode).toBe(200);
      await saveConfig({}, { defaultPrivileges: own });
      const fields = ['groups', 'groupPrivileges', 'groupArchiveAccess'];

      const explained = await call('directory', 'GET', `/directory/users/${encodeURIComponent(alice.name)}`);
      expect(explained.body).toMatchObject({ inScope: true, plannedAction: 'update', changedFields: fields });
      expect(explained.body).not.toHaveProperty('membership');
      expect((await user(alice.name)).body.groupPrivileges).toEqual(['login']);

      const answer = await syncUser(alice.name);
      expect(answer.body.counts).toMatchObject({ updated: 1, unchanged: 0 });
      expect(answer.body.changes).toMatchObject([{ action: 'update', changedFields: fields }]);
      expect(await lastChangeOf(alice.name)).toMatchObject({ kind: 'update', changedFields: fields });
      const cleared = (await user(alice.name)).body;
      expect(cleared).toMatchObject({ ...own, groups: [], groupPrivileges: [], groupArchiveAccess: [] });
      expect(cleared.effectivePrivileges).toEqual(own.privileges);
      expect((await logon(alice.password)).statusCode).toBe(401);

      // Nothing left to clear, and a user that never held group fields: no write.
      const o2 = (await user('one-o2')).body;
      for (const name of [alice.name, 'one-o2']) {
        const again = await syncUser(name);
        expect(again.body.counts).toMatchObject({ unchanged: 1, updated: 0 });
      }
      expect((await user(alice.name)).body.updatedAt).toBe(cleared.updatedAt);
      expect((await user('one-o2')).body.updatedAt).toBe(o2.updatedAt);
    });
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
