/**
 * Explaining one user (GET /directory/users/{name}, docs/contract.md#explain-one-user) against the Samba DC
 * and DynamoDB Local, in an OU of this file's own: each filter's verdict and detail, the chain of nested
 * groups, lookups by every kind of name (and names that find nothing, or two users), and the action a sync
 * would plan against a real user database, through planOneUser (whose change a test then applies, as
 * `POST /sync/users/{name}` will) and through the directory function's HTTP handler.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { responses } from '../../../shared/api/schemas';
import type { ConfigInput } from '../../../shared/config/config-schema';
import { escapeRdnValue } from '../../../shared/domain/distinguished-name';
import type { DirectorySession } from '../../../shared/ports/directory-reader';
import { type OneUserPlan, planOneUser } from '../../../shared/use-cases/explain-user';
import { type LoadedHandlers, loadHandlers } from '../../support/lambda-handlers';
import { replace, UF_NORMAL_PASSWD_NOTREQD, userEntry } from '../../support/scratch-ou';
import { useScratchSync } from '../../support/scratch-sync';
import { fixtureConfig, servicePassword } from '../../support/sync-harness';

const directory = inject('directory');
const scratch = useScratchSync('Explain');
const { dn: ou, tag } = scratch;
const UF_ACCOUNTDISABLE = 0x2;
const DAY_MS = 24 * 60 * 60 * 1000;

const groupDn = (name: string) => `CN=${escapeRdnValue(name)},${ou}`;
const SELECTED = 'Selected Staff';
/** A group name with filter metacharacters, an RDN's escapes and Unicode: a selected group too. */
const ODD = 'Odd *(x) \\ back, comma Grüße ✓';
const LEVELS = ['Level 1', 'Level 2', 'Level 3'] as const;

const userDn = (name: string) => `CN=Explain ${name},${ou}`;
const account = (name: string) => `x-${name}-${tag}`;
const mailOf = (name: string) => `${account(name)}@${directory.domain}`;
/** The userPrincipalName of one user, and the sAMAccountName of another. */
const AMBIGUOUS = `${account('first')}@${directory.domain}`;

let session: DirectorySession;

/** A DN in a domain the DC does not hold: AD answers a search of it with a referral (LDAP 10). */
const OTHER_DOMAIN = 'DC=other,DC=com';
const OTHER_DOMAIN_USER = `CN=Someone,OU=Staff,${OTHER_DOMAIN}`;

const config = (options: ConfigInput['options'] = {}, filters: ConfigInput['filters'] = {}) =>
  fixtureConfig({
    connection: { baseDn: ou },
    filters: {
      exchangeUsersOnly: true,
      enabledUsersOnly: true,
      visibleInAddressListsOnly: true,
      groups: [groupDn(SELECTED), groupDn(ODD)],
      ...filters,
    },
    options,
  });

const plan = (
  name: string,
  {
    options,
    filters,
    now = new Date(),
  }: { options?: ConfigInput['options']; filters?: ConfigInput['filters']; now?: Date } = {},
): Promise<OneUserPlan> =>
  planOneUser({ session, config: config(options, filters), users: scratch.harness.store, now, name });

const explain = async (name: string, options?: Parameters<typeof plan>[1]) =>
  (await plan(name, options)).explanation;

const verdict = (
  explanation: { filters: readonly { filter: string; passed: boolean; state: string; detail: string }[] },
  filter: string,
) => explanation.filters.find((f) => f.filter === filter);

/** Applies the one change planOneUser returned, as a one-user sync does. */
async function apply(result: OneUserPlan, now = new Date()): Promise<void> {
  if (!result.change) throw new Error(`nothing to apply: ${result.explanation.reason}`);
  const applied = await scratch.harness.store.applyChanges([result.change], {
    runId: `explain-${tag}`,
    defaults: config().defaultPrivileges,
    now: now.toISOString(),
  });
  expect(applied.conflicts).toEqual([]);
}

async function addUser(name: string, attributes: Record<string, string | string[]> = {}): Promise<void> {
  const all = {
    sAMAccountName: account(name),
    userPrincipalName: `${account(name)}@${directory.domain}`,
    displayName: `Explain ${name}`,
    mail: mailOf(name),
    ...attributes,
  };
  // An attribute given no values is left out (AD refuses an add with an empty one).
  await scratch.admin.add(
    userDn(name),
    userEntry(Object.fromEntries(Object.entries(all).filter(([, v]) => v.length > 0))),
  );
}

beforeAll(async () => {
  await addUser('ok');
  await addUser('nomail', { mail: [] });
  await addUser('proxy', { mail: [], proxyAddresses: [`SMTP:${mailOf('proxy')}`, 'X500:/o=Org/cn=proxy'] });
  await addUser('disabled', { userAccountControl: String(UF_NORMAL_PASSWD_NOTREQD | UF_ACCOUNTDISABLE) });
  await addUser('hidden', { msExchHideFromAddressLists: 'TRUE' });
  await addUser('outsider');
  await addUser('nested');
  await addUser('odd');
  await addUser('mover');
  await addUser('leaver');
  // A user whose sAMAccountName is another's userPrincipalName: that name designates both.
  await addUser('first');
  await addUser('second', { sAMAccountName: AMBIGUOUS });

  const group = (name: string, members: string[]) =>
    scratch.admin.add(groupDn(name), {
      objectClass: ['top', 'group'],
      sAMAccountName: `xg${[...LEVELS, SELECTED, ODD].indexOf(name)}-${tag}`,
      ...(members.length > 0 ? { member: members } : {}),
    });
  await group(LEVELS[0], [userDn('nested')]);
  await group(LEVELS[1], [groupDn(LEVELS[0])]);
  await group(LEVELS[2], [groupDn(LEVELS[1])]);
  await group(SELECTED, [
    groupDn(LEVELS[2]),
    ...['ok', 'nomail', 'proxy', 'disabled', 'hidden', 'mover', 'leaver', 'first', 'second'].map(userDn),
  ]);
  await group(ODD, [userDn('odd')]);

  const reader = scratch.harness.deps.directory;
  const settings = config();
  session = await reader.connect(await reader.resolveServers(settings.connection), settings.connection);
  await session.bind(settings.connection.username ?? '', servicePassword());
});

afterAll(async () => {
  await session?.close();
});

describe('explaining one user: the filters', () => {
  it('shows a user in scope with every filter passed, the attributes read and the mapped user', async () => {
    const explanation = await explain(account('ok'));
    expect(explanation).toMatchObject({
      distinguishedName: userDn('ok'),
      inScope: true,
      attributes: {
        sAMAccountName: account('ok'),
        userPrincipalName: `${account('ok')}@${directory.domain}`,
        displayName: 'Explain ok',
        cn: 'Explain ok',
        mail: mailOf('ok'),
        proxyAddresses: [],
        userAccountControl: UF_NORMAL_PASSWD_NOTREQD,
        msExchHideFromAddressLists: false,
      },
      mapped: { userName: account('ok'), fullName: 'Explain ok', emailAddresses: [mailOf('ok')] },
      plannedAction: 'create',
      changedFields: [],
    });
    expect(explanation.objectGuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(explanation.current).toBeUndefined();
    expect(explanation.filters).toEqual([
      { filter: 'exchangeUsersOnly', passed: true, state: 'passed', detail: `mail: ${mailOf('ok')}` },
      {
        filter: 'enabledUsersOnly',
        passed: true,
        state: 'passed',
        detail: 'userAccountControl 544 (0x220): ACCOUNTDISABLE is not set (the account is enabled)',
      },
      {
        filter: 'visibleInAddressListsOnly',
        passed: true,
        state: 'passed',
        detail: 'msExchHideFromAddressLists is not TRUE: visible in address lists',
      },
      { filter: 'groups', passed: true, state: 'passed', detail: `member through ${SELECTED}` },
    ]);
  });

  it('says why a user without an e-mail address is excluded, and finds an address in proxyAddresses', async () => {
    const nomail = await explain(account('nomail'));
    expect(nomail).toMatchObject({ inScope: false, plannedAction: 'none', changedFields: [] });
    expect(nomail.mapped).toBeUndefined();
    expect(verdict(nomail, 'exchangeUsersOnly')).toEqual({
      filter: 'exchangeUsersOnly',
      passed: false,
      state: 'failed',
      detail: 'no e-mail address: mail is empty and proxyAddresses is empty',
    });
    expect(nomail.reason).toBe('out of scope (noEmailAddress) and not in the user database: nothing to do');

    const proxy = await explain(account('proxy'));
    expect(proxy.inScope).toBe(true);
    expect(verdict(proxy, 'exchangeUsersOnly')).toMatchObject({
      passed: true,
      state: 'passed',
      detail: `SMTP proxy address: ${mailOf('proxy').toLowerCase()} (mail is empty or not an address)`,
    });
  });

  it('says a disabled user has ACCOUNTDISABLE set', async () => {
    const explanation = await explain(account('disabled'));
    expect(explanation.inScope).toBe(false);
    expect(verdict(explanation, 'enabledUsersOnly')).toEqual({
      filter: 'enabledUsersOnly',
      passed: false,
      state: 'failed',
      detail: 'userAccountControl 546 (0x222): ACCOUNTDISABLE is set (the account is disabled)',
    });
    expect(verdict(explanation, 'exchangeUsersOnly')?.passed).toBe(true);
  });

  it('says a hidden user is hidden from address lists', async () => {
    const explanation = await explain(account('hidden'));
    expect(explanation.inScope).toBe(false);
    expect(explanation.attributes.msExchHideFromAddressLists).toBe(true);
    expect(verdict(explanation, 'visibleInAddressListsOnly')).toEqual({
      filter: 'visibleInAddressListsOnly',
      passed: false,
      state: 'failed',
      detail: 'msExchHideFromAddressLists is TRUE: hidden from address lists',
    });
  });

  it('names the selected groups a user is a member of none of', async () => {
    const explanation = await explain(account('outsider'));
    expect(explanation.inScope).toBe(false);
    expect(verdict(explanation, 'groups')).toEqual({
      filter: 'groups',
      passed: false,
      state: 'failed',
      detail: `member of none of: ${SELECTED}, ${ODD}`,
    });
  });

  it('shows the chain of three nested groups that makes a user a member', async () => {
    const explanation = await explain(account('nested'));
    expect(explanation.inScope).toBe(true);
    expect(verdict(explanation, 'groups')).toEqual({
      filter: 'groups',
      passed: true,
      state: 'passed',
      detail: `member through ${LEVELS.join(' → ')} → ${SELECTED}`,
    });
  });

  it('finds the membership of a group named with *, (, \\, , and Unicode, and names it', async () => {
    const explanation = await explain(account('odd'));
    expect(explanation.inScope).toBe(true);
    expect(verdict(explanation, 'groups')).toEqual({
      filter: 'groups',
      passed: true,
      state: 'passed',
      detail: `member through ${ODD}`,
    });
  });

  it('says "off" for the filters that are off', async () => {
    const explanation = await explain(account('outsider'), {
      filters: {
        exchangeUsersOnly: false,
        enabledUsersOnly: false,
        visibleInAddressListsOnly: false,
        groups: [],
      },
    });
    expect(explanation.inScope).toBe(true);
    expect(explanation.filters.map((f) => [f.filter, f.passed, f.state, f.detail])).toEqual([
      ['exchangeUsersOnly', true, 'off', 'off'],
      ['enabledUsersOnly', true, 'off', 'off'],
      ['visibleInAddressListsOnly', true, 'off', 'off'],
      ['groups', true, 'off', 'off'],
    ]);
  });
});

describe('explaining one user: the name', () => {
  it('finds the same user by sAMAccountName, userPrincipalName, DN (in any case) and objectGUID', async () => {
    const bySam = await explain(account('ok'));
    const names = [
      `${account('ok')}@${directory.domain}`,
      userDn('ok'),
      userDn('ok').toLowerCase(),
      bySam.objectGuid,
      bySam.objectGuid.toUpperCase(),
    ];
    for (const name of names) {
      const found = await explain(name);
      expect(found.distinguishedName, name).toBe(userDn('ok'));
      expect(found.objectGuid, name).toBe(bySam.objectGuid);
    }
  });

  it('finds nothing (NotFound) for a name no user has, a DN outside the base DN or the domain, a group DN and an unknown objectGUID', async () => {
    for (const name of [
      `nobody-${tag}`,
      `CN=Alice Archer,OU=Sales,${directory.baseDn}`,
      OTHER_DOMAIN_USER,
      `CN=Nobody,${ou}`,
      groupDn(SELECTED),
      '00000000-0000-4000-8000-000000000000',
    ]) {
      await expect(plan(name), name).rejects.toMatchObject({ code: 'NotFound' });
    }
  });

  it('refuses a base DN in a domain the DC does not hold, naming it (AD: a referral, never followed)', async () => {
    // Samba answers noSuchObject (32) here; AD answers a referral (10), mapped to OutsideDomainError, a
    // NoSuchObject too (test/unit/adapters/outside-domain.test.ts).
    await expect(session.assertExists(OTHER_DOMAIN, 'the base DN')).rejects.toMatchObject({
      code: 'NoSuchObject',
      message: expect.stringMatching(/^the base DN DC=other,DC=com does not exist/),
    });
    await expect(session.readMemberOf(OTHER_DOMAIN_USER)).rejects.toMatchObject({ code: 'NoSuchObject' });
  });

  it('escapes filter metacharacters in a name: they match themselves, so nothing is found', async () => {
    for (const name of ['*', `${account('ok')})(sAMAccountName=*`, `*)(|(objectClass=*`, 'x-ok-*', '\\2a']) {
      await expect(plan(name), name).rejects.toMatchObject({ code: 'NotFound' });
    }
  });

  it('refuses a name that designates two users (AmbiguousName), listing both DNs', async () => {
    const refused = await plan(AMBIGUOUS).catch((error: unknown) => error);
    expect(refused).toMatchObject({
      code: 'AmbiguousName',
      details: expect.arrayContaining([
        { path: 'distinguishedName', message: userDn('first') },
        { path: 'distinguishedName', message: userDn('second') },
      ]),
    });
    // Each is found by its DN.
    expect((await explain(userDn('second'))).attributes.sAMAccountName).toBe(AMBIGUOUS);
    expect((await explain(account('first'))).distinguishedName).toBe(userDn('first'));
  });
});

describe('explaining one user: the planned action against the user database', () => {
  it('plans a create, then (applied) unchanged, then an update with the changed fields', async () => {
    const created = await plan(account('mover'));
    expect(created.explanation).toMatchObject({ plannedAction: 'create', changedFields: [] });
    await apply(created);

    const unchanged = await explain(account('mover'));
    expect(unchanged).toMatchObject({
      plannedAction: 'unchanged',
      changedFields: [],
      current: { userName: account('mover'), fullName: 'Explain mover', authentication: 'directoryServices' },
    });
    expect(unchanged.current?.objectGuid).toBe(unchanged.objectGuid);

    await scratch.admin.modify(userDn('mover'), [replace('displayName', ['Explain Mover Renamed'])]);
    const updated = await explain(account('mover'));
    expect(updated).toMatchObject({
      plannedAction: 'update',
      changedFields: ['fullName'],
      mapped: { fullName: 'Explain Mover Renamed' },
      current: { fullName: 'Explain mover' },
    });
  });

  it('plans a delete with deleteUsers, none without, a suspension with a grace period, and a restore', async () => {
    await apply(await plan(account('leaver')));
    await scratch.admin.modify(userDn('leaver'), [replace('msExchHideFromAddressLists', ['TRUE'])]);

    const off = await explain(account('leaver'));
    expect(off).toMatchObject({
      inScope: false,
      plannedAction: 'none',
      current: { userName: account('leaver') },
    });
    expect(off.reason).toContain('deleteUsers is off');

    const deleted = await explain(account('leaver'), { options: { deleteUsers: true } });
    expect(deleted).toMatchObject({
      plannedAction: 'delete',
      reason: 'out of scope: hiddenFromAddressLists',
      current: { userName: account('leaver') },
    });

    // The threshold bounds a run's deletes; the one user's is not held back by it.
    const strict = { deleteUsers: true, deletionThreshold: { maxCount: 0, maxPercent: 0 } };
    expect((await explain(account('leaver'), { options: strict })).plannedAction).toBe('delete');

    const graceful = { deleteUsers: true, deletionGraceDays: 7 };
    const now = new Date();
    const suspension = await plan(account('leaver'), { options: graceful, now });
    expect(suspension.explanation).toMatchObject({
      plannedAction: 'suspend',
      reason: 'out of scope: hiddenFromAddressLists',
    });
    await apply(suspension, now);

    const waiting = await explain(account('leaver'), {
      options: graceful,
      now: new Date(now.getTime() + DAY_MS),
    });
    expect(waiting).toMatchObject({ plannedAction: 'none', current: { suspendedAt: now.toISOString() } });
    expect(waiting.reason).toContain(`suspended since ${now.toISOString()}`);
    const later = new Date(now.getTime() + 8 * DAY_MS);
    expect((await explain(account('leaver'), { options: graceful, now: later })).plannedAction).toBe(
      'delete',
    );

    await scratch.admin.modify(userDn('leaver'), [replace('msExchHideFromAddressLists', ['FALSE'])]);
    expect(await explain(account('leaver'), { options: graceful })).toMatchObject({
      inScope: true,
      plannedAction: 'restore',
      current: { suspendedAt: now.toISOString() },
    });
  });
});

describe('GET /directory/users/{name} (the directory function)', () => {
  let loaded: LoadedHandlers;
  const get = (name: string) =>
    loaded.call('directory', 'GET', `/directory/users/${encodeURIComponent(name)}`);

  beforeAll(async () => {
    loaded = await loadHandlers();
    const saved = await loaded.call('config', 'PUT', '/config', {
      body: { config: config(), password: servicePassword() },
    });
    expect(saved.statusCode).toBe(200);
  });

  it('answers the explanation (200) as the schema says, by name and by DN', async () => {
    const answer = await get(account('nested'));
    expect(answer.statusCode).toBe(200);
    expect(responses.userExplanation.parse(answer.body)).toEqual(answer.body);
    expect(answer.body).toMatchObject({
      inScope: true,
      plannedAction: 'create',
      distinguishedName: userDn('nested'),
    });
    expect((await get(userDn('odd'))).body.filters[3].detail).toBe(`member through ${ODD}`);
    const excluded = await get(account('disabled'));
    expect(excluded.statusCode).toBe(200);
    expect(excluded.body).toMatchObject({ inScope: false, plannedAction: 'none' });
  });

  it('answers 404 NotFound for no such user (a metacharacter name included), 409 AmbiguousName with the DNs, 400 for a control character', async () => {
    for (const name of [`nobody-${tag}`, '*', `CN=Nobody,${ou}`, OTHER_DOMAIN_USER]) {
      const answer = await get(name);
      expect(answer.statusCode, name).toBe(404);
      expect(answer.body.error.code).toBe('NotFound');
    }
    const ambiguous = await get(AMBIGUOUS);
    expect(ambiguous.statusCode).toBe(409);
    expect(ambiguous.body.error.code).toBe('AmbiguousName');
    expect(ambiguous.body.error.details.map((d: { message: string }) => d.message).sort()).toEqual(
      [userDn('first'), userDn('second')].sort(),
    );
    expect((await get('bad\u0001name')).statusCode).toBe(400);
  });
});
