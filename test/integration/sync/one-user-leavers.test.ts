/**
 * Synchronize one user that left the scope, by its old name (`POST /sync/users/{name}`,
 * docs/contract.md#synchronize-one-user), through the real handlers against the Samba DC and DynamoDB Local, as
 * the read-only service account: a user deleted in AD and one moved out of the base DN are left as they are
 * (deleteUsers off, and the run says why), suspended (grace period) and deleted, as a full read would; one
 * renamed in AD is renamed, never duplicated; a local user's name and a name nobody has fail NotFound and
 * change nothing. Explain says the same of them.
 */
import type { Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ConfigInput } from '../../../shared/config/config-schema';
import type { JsonResponse } from '../../support/api-events';
import { type LoadedHandlers, loadHandlers } from '../../support/lambda-handlers';
import { administratorClient, replace, scratchOuName, userEntry } from '../../support/scratch-ou';
import { fixtureConfig, servicePassword } from '../../support/sync-harness';

const directory = inject('directory');
const { dn: ou, tag } = scratchOuName('OneLeft');
const inside = `OU=Inside,${ou}`;
const outside = `OU=Outside,${ou}`;
const userDn = (name: string, parent = inside) => `CN=Left ${name},${parent}`;
const userName = (name: string) => `left-${tag}-${name}`;
/** gone: deleted in AD; moved: moved out of the base DN; renamed: a new sAMAccountName; kept: left alone. */
const NAMES = ['gone', 'moved', 'renamed', 'kept'] as const;

let admin: Client;
let loaded: LoadedHandlers;

const call = (...args: Parameters<LoadedHandlers['call']>): Promise<JsonResponse> => loaded.call(...args);

async function saveConfig(options: ConfigInput['options'] = {}): Promise<void> {
  const threshold = { deletionThreshold: { maxCount: 10, maxPercent: 100 } };
  const saved = await call('config', 'PUT', '/config', {
    body: {
      config: fixtureConfig({ connection: { baseDn: inside }, options: { ...threshold, ...options } }),
      password: servicePassword(),
    },
  });
  expect(saved.statusCode).toBe(200);
}

/** Synchronizes one user, waiting for its end (it takes well under a second). */
const syncUser = (name: string) =>
  call('start', 'POST', `/sync/users/${encodeURIComponent(name)}`, { headers: { Prefer: 'wait=60' } });
const explain = (name: string) => call('directory', 'GET', `/directory/users/${encodeURIComponent(name)}`);
const user = (name: string) => call('users', 'GET', `/users/${encodeURIComponent(name)}`);
const actions = (report: JsonResponse['body']) =>
  (report.changes as { action: string; userName: string }[]).map((c) => `${c.action}:${c.userName}`);
const step = (report: JsonResponse['body'], name: string) =>
  (report.steps as { name: string; message?: string; leavers?: string }[]).find((s) => s.name === name);

beforeAll(async () => {
  admin = await administratorClient();
  for (const dn of [ou, inside, outside]) await admin.add(dn, { objectClass: ['top', 'organizationalUnit'] });
  for (const name of NAMES) {
    await admin.add(
      userDn(name),
      userEntry({
        sAMAccountName: userName(name),
        userPrincipalName: `${userName(name)}@${directory.domain}`,
        displayName: `Left ${name}`,
        mail: `${userName(name)}@${directory.domain}`,
      }),
    );
  }
  loaded = await loadHandlers();
  await saveConfig();
  for (const name of NAMES) expect((await syncUser(userName(name))).body.counts.created).toBe(1);
});

afterAll(async () => {
  if (!admin) return;
  const { searchEntries } = await admin.search(ou, { scope: 'sub', attributes: ['dn'] });
  // Deepest first: an OU goes once it is empty.
  for (const { dn } of searchEntries.sort((a, b) => b.dn.length - a.dn.length)) await admin.del(dn);
  await admin.unbind();
});

describe('one user that left the scope, synchronized by its old name', () => {
  it.each([
    ['deleted in AD', 'gone', () => admin.del(userDn('gone'))],
    ['moved out of the base DN', 'moved', () => admin.modifyDN(userDn('moved'), userDn('moved', outside))],
  ] as const)('%s: left while deleteUsers is off, then suspended, then deleted', async (_, name, leave) => {
    const before = (await user(userName(name))).body;
    await leave();

    await saveConfig({ deleteUsers: false });
    const left = await syncUser(userName(name));
    expect(left.body).toMatchObject({ status: 'succeeded', trigger: 'user', changes: [] });
    expect(left.body.counts).toMatchObject({ directoryUsers: 0, excluded: 0, deleted: 0 });
    expect(step(left.body, 'plan')?.message).toContain('deleteUsers is off');
    // No `leavers`: the run looked for no leaver but this one.
    expect(step(left.body, 'search')).not.toHaveProperty('leavers');
    expect((await user(userName(name))).body).toEqual(before);

    await saveConfig({ deleteUsers: true, deletionGraceDays: 7 });
    const suspended = await syncUser(userName(name));
    expect(suspended.body.status).toBe('succeeded');
    expect(actions(suspended.body)).toEqual([`suspend:${userName(name)}`]);
    expect(suspended.body.changes[0].reason).toMatch(/^no longer returned by the directory: /);
    expect((await user(userName(name))).body.suspendedAt).toEqual(expect.any(String));

    await saveConfig({ deleteUsers: true });
    const deleted = await syncUser(userName(name));
    expect(actions(deleted.body)).toEqual([`delete:${userName(name)}`]);
    expect(deleted.body.counts).toMatchObject({ deleted: 1, directoryUsers: 0 });
    expect((await user(userName(name))).statusCode).toBe(404);
    // Gone from the database too now: the name is nobody's.
    expect((await syncUser(userName(name))).body.error.code).toBe('NotFound');
  });

  it('renamed in AD: the same user renamed, not a second one', async () => {
    const before = (await user(userName('renamed'))).body;
    const newName = `${userName('renamed')}-new`;
    await admin.modify(userDn('renamed'), [replace('sAMAccountName', [newName])]);
    const answer = await syncUser(userName('renamed'));
    expect(answer.body).toMatchObject({
      status: 'succeeded',
      counts: { updated: 1, created: 0, deleted: 0 },
    });
    expect(answer.body.changes).toMatchObject([{ action: 'update', userName: newName }]);
    expect(answer.body.changes[0].changedFields).toContain('userName');
    expect((await user(userName('renamed'))).statusCode).toBe(404);
    expect((await user(newName)).body.objectGuid).toBe(before.objectGuid);
    const users = (await call('users', 'GET', '/users')).body.users as { objectGuid?: string }[];
    expect(users.filter((u) => u.objectGuid === before.objectGuid)).toHaveLength(1);
  });

  it("a local user's name fails NotFound and leaves the local user as it is", async () => {
    const local = `left-local-${tag}`;
    expect((await call('users', 'POST', '/users', { body: { userName: local } })).statusCode).toBe(201);
    const before = (await user(local)).body;
    const answer = await syncUser(local);
    expect(answer.body).toMatchObject({ status: 'failed', error: { code: 'NotFound' } });
    expect((await user(local)).body).toEqual(before);
  });

  it('a name nobody has fails NotFound, changing nothing', async () => {
    const kept = (await user(userName('kept'))).body;
    const answer = await syncUser(`left-nobody-${tag}`);
    expect(answer.body).toMatchObject({ status: 'failed', error: { code: 'NotFound' } });
    expect(answer.body.counts).toMatchObject({ created: 0, updated: 0, deleted: 0 });
    expect((await user(userName('kept'))).body).toEqual(kept);
  });
});

describe('explain, of a user that left the scope', () => {
  const name = 'kept';
  beforeAll(async () => {
    await saveConfig({ deleteUsers: true });
  });

  it('moved out of the base DN: its entry where it is now, and the delete a one-user sync applies', async () => {
    await admin.modifyDN(userDn(name), userDn(name, outside));
    const answer = await explain(userName(name));
    expect(answer.statusCode).toBe(200);
    expect(answer.body).toMatchObject({
      distinguishedName: userDn(name, outside),
      inScope: false,
      plannedAction: 'delete',
      current: { userName: userName(name) },
    });
    expect(answer.body.reason).toContain('moved out of the base DN');
  });

  it('deleted in AD: 404 NotFound, saying what a one-user sync would do', async () => {
    await admin.del(userDn(name, outside));
    const answer = await explain(userName(name));
    expect(answer.statusCode).toBe(404);
    expect(answer.body.error.code).toBe('NotFound');
    expect(answer.body.error.message).toContain('a one-user sync plans to delete it');
    expect((await user(userName(name))).statusCode).toBe(200);
  });
});
