/**
 * The rules of POST /logon (docs/contract.md#logon) with the in-memory fakes: who is accepted, that every
 * refusal is the same 401 at the cost of one password-hash check, the lockout on a test clock, and a
 * directory that cannot check. The same paths run against Samba and DynamoDB Local in test/integration/logon/.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { toHttpError } from '../../../shared/api/http-errors';
import type { BindRefusal } from '../../../shared/domain/logon';
import { toPublicUser, type User } from '../../../shared/domain/user';
import { DirectoryUnavailableError, LockedOutError, LogonRefusedError } from '../../../shared/errors';
import {
  type LogonDependencies,
  type LogonRefused,
  type LogonRequest,
  logon,
} from '../../../shared/use-cases/logon';
import { systemClock } from '../../../shared/use-cases/system-clock';
import { InMemorySettings, InMemoryUserStore } from '../../support/in-memory';
import { inMemoryConfig } from '../../support/in-memory-app';
import {
  directoryUser,
  FakePasswordHasher,
  InMemoryAccountGuard,
  InMemoryDirectoryAuthenticator,
  InMemoryLogonAttempts,
  InMemoryPasswordHashes,
  localUser,
} from '../../support/in-memory-logon';

const MAX_FAILURES = 3;
const LOCKOUT_MINUTES = 15;
const LOCKOUT_SECONDS = LOCKOUT_MINUTES * 60;
const REFUSED = 'The user name or password is wrong, or the user may not log on';
const UNAVAILABLE = 'The directory could not check the password; try again later';

const config = inMemoryConfig({ logon: { maxFailures: MAX_FAILURES, lockoutMinutes: LOCKOUT_MINUTES } });

const alice = directoryUser();
const auditor = localUser();
const ALICE_PASSWORD = 'alice: correct horse';
const AUDITOR_PASSWORD = 'auditor: battery staple';

let now: number;
const clock = () => new Date(now);
const advanceSeconds = (seconds: number): void => {
  now += seconds * 1000;
};

let users: InMemoryUserStore;
let hashes: InMemoryPasswordHashes;
let hasher: FakePasswordHasher;
let attempts: InMemoryLogonAttempts;
let directory: InMemoryDirectoryAuthenticator;
let guard: InMemoryAccountGuard;
let refused: LogonRefused[];
let lockedOut: { userName: string; retryAfterSeconds: number; by: string }[];
let unavailable: { userName: string; error: DirectoryUnavailableError }[];
let deps: LogonDependencies;

beforeEach(async () => {
  now = Date.parse('2026-11-25T12:00:00.250Z');
  const settings = new InMemorySettings({ ...systemClock, now: clock });
  await settings.saveConfig(config);
  users = new InMemoryUserStore().seed(alice, auditor);
  hasher = new FakePasswordHasher();
  hashes = new InMemoryPasswordHashes().set(auditor.userName, await hasher.hash(AUDITOR_PASSWORD));
  attempts = new InMemoryLogonAttempts(clock);
  directory = new InMemoryDirectoryAuthenticator().account('alice@company.local', {
    password: ALICE_PASSWORD,
  });
  guard = new InMemoryAccountGuard(clock).account({
    objectGuid: alice.objectGuid as string,
    distinguishedName: alice.distinguishedName as string,
    userPrincipalName: alice.userPrincipalName as string,
  });
  refused = [];
  lockedOut = [];
  unavailable = [];
  deps = {
    configs: settings,
    users,
    passwordHashes: hashes,
    hasher,
    attempts,
    directory,
    guard,
    onRefused: (r) => refused.push(r),
    onLockedOut: (l) => lockedOut.push(l),
    onUnavailable: (u) => unavailable.push(u),
  };
});

/** The error a logon is refused with; fails the test when it is accepted. */
async function refusal(request: LogonRequest): Promise<unknown> {
  return logon(deps, request).then(
    (user) => expect.fail(`accepted as ${user.userName}`),
    (error: unknown) => error,
  );
}

const wrongPasswordOf = (userName: string): LogonRequest => ({ userName, password: 'wrong' });

/** Fails logons of `userName` until it has `MAX_FAILURES` in a row. */
async function failUntilLockedOut(userName = alice.userName): Promise<void> {
  for (let i = 0; i < MAX_FAILURES; i += 1) {
    await expect(logon(deps, wrongPasswordOf(userName))).rejects.toBeInstanceOf(LogonRefusedError);
  }
}

describe('logon', () => {
  describe('accepts', () => {
    it('a directory user whose bind as the user succeeds, over the saved connection, by userPrincipalName', async () => {
      expect(await logon(deps, { userName: 'alice', password: ALICE_PASSWORD })).toEqual(toPublicUser(alice));
      expect(directory.binds).toEqual([
        {
          connection: config.connection,
          bindName: 'alice@company.local',
          server: 'dc1.company.local:636',
          password: ALICE_PASSWORD,
        },
      ]);
      expect(guard.requests).toEqual([
        { connection: config.connection, configVersion: 1, objectGuid: alice.objectGuid },
      ]);
      // The hash check of nobody's runs beside the bind: a directory logon costs what a local one does.
      expect({ verifications: hasher.verifications, nobody: hasher.nobodyVerifications }).toEqual({
        verifications: 0,
        nobody: 1,
      });
      expect(refused).toEqual([]);
    });

    it('a directory user without a userPrincipalName, bound as by distinguished name', async () => {
      const { userPrincipalName: _, ...withoutUpn } = alice;
      users.seed(withoutUpn);
      guard.account({
        objectGuid: alice.objectGuid as string,
        distinguishedName: alice.distinguishedName as string,
      });
      directory.account(alice.distinguishedName ?? '', { password: ALICE_PASSWORD });
      expect(await logon(deps, { userName: 'alice', password: ALICE_PASSWORD })).toEqual(
        toPublicUser(withoutUpn),
      );
      expect(directory.binds.map((b) => b.bindName)).toEqual([alice.distinguishedName]);
    });

    it('a local user whose password matches the stored hash, without asking the directory', async () => {
      expect(await logon(deps, { userName: 'auditor', password: AUDITOR_PASSWORD })).toEqual(
        toPublicUser(auditor),
      );
      expect(directory.binds).toEqual([]);
      expect({ verifications: hasher.verifications, nobody: hasher.nobodyVerifications }).toEqual({
        verifications: 1,
        nobody: 0,
      });
    });

    it('a local user even while the directory is down', async () => {
      directory.goDown();
      expect(await logon(deps, { userName: 'auditor', password: AUDITOR_PASSWORD })).toEqual(
        toPublicUser(auditor),
      );
    });

    it('a user name in another case, as the user it names', async () => {
      expect(await logon(deps, { userName: 'AUDITOR', password: AUDITOR_PASSWORD })).toEqual(
        toPublicUser(auditor),
      );
    });

    it('a password as it is typed: a leading space is part of it', async () => {
      hashes.set('auditor', await hasher.hash(` ${AUDITOR_PASSWORD}`));
      await expect(logon(deps, { userName: 'auditor', password: AUDITOR_PASSWORD })).rejects.toBeInstanceOf(
        LogonRefusedError,
      );
      expect(await logon(deps, { userName: 'auditor', password: ` ${AUDITOR_PASSWORD}` })).toEqual(
        toPublicUser(auditor),
      );
    });
  });

  describe('refuses with the same 401 InvalidCredentials, one hash check, and the reason for the log only', () => {
    const noLogin = (user: User): User => ({ ...user, privileges: ['archiveEmail'] });
    const suspended = (user: User): User => ({ ...user, suspendedAt: '2026-11-20T00:00:00.000Z' });
    /** A directory account whose right password AD refuses for `refusal`. */
    const refusedByAd = (refusal: BindRefusal) => () => {
      directory.account('alice@company.local', { password: ALICE_PASSWORD, refusal });
    };

    const cases: {
      name: string;
      request: LogonRequest;
      reason: LogonRefused['reason'];
      arrange?: () => void;
      /** Whether the password reaches the directory. */
      bound: boolean;
    }[] = [
      {
        name: 'an unknown user',
        request: { userName: 'mallory', password: 'x' },
        reason: 'unknownUser',
        bound: false,
      },
      {
        name: 'a wrong directory password',
        request: wrongPasswordOf('alice'),
        reason: 'wrongPassword',
        bound: true,
      },
      {
        name: 'a wrong local password',
        request: wrongPasswordOf('auditor'),
        reason: 'wrongPassword',
        bound: false,
      },
      {
        name: 'a local user without a password',
        request: { userName: 'auditor', password: AUDITOR_PASSWORD },
        reason: 'noPasswordSet',
        arrange: () => {
          hashes = new InMemoryPasswordHashes();
          deps = { ...deps, passwordHashes: hashes };
        },
        bound: false,
      },
      {
        name: 'a disabled directory account, with its right password',
        request: { userName: 'alice', password: ALICE_PASSWORD },
        reason: 'accountDisabled',
        arrange: refusedByAd('accountDisabled'),
        bound: true,
      },
      {
        name: 'an expired directory account, with its right password',
        request: { userName: 'alice', password: ALICE_PASSWORD },
        reason: 'accountExpired',
        arrange: refusedByAd('accountExpired'),
        bound: true,
      },
      {
        name: 'a directory user the domain no longer has (deleted since the last sync), without a bind',
        request: { userName: 'alice', password: ALICE_PASSWORD },
        reason: 'notInDirectory',
        arrange: () => {
          guard = new InMemoryAccountGuard(clock);
          deps = { ...deps, guard };
        },
        bound: false,
      },
      {
        name: 'a directory user whose name another account has taken since the sync, with that password',
        request: { userName: 'alice', password: 'the new account: its password' },
        reason: 'anotherAccount',
        arrange: () => {
          directory.account('alice@company.local', {
            password: 'the new account: its password',
            objectGuid: '00000000-0000-4000-8000-0000000000ff',
          });
        },
        bound: true,
      },
      {
        name: 'a directory user without the login privilege, with the right password',
        request: { userName: 'alice', password: ALICE_PASSWORD },
        reason: 'noLoginPrivilege',
        arrange: () => users.seed(noLogin(alice)),
        bound: false,
      },
      {
        name: 'a local user without the login privilege, with the right password',
        request: { userName: 'auditor', password: AUDITOR_PASSWORD },
        reason: 'noLoginPrivilege',
        arrange: () => users.seed(noLogin(auditor)),
        bound: false,
      },
      {
        name: 'a suspended directory user, with the right password',
        request: { userName: 'alice', password: ALICE_PASSWORD },
        reason: 'suspended',
        arrange: () => users.seed(suspended(alice)),
        bound: false,
      },
      {
        name: 'an empty password (an anonymous bind)',
        request: { userName: 'alice', password: '' },
        reason: 'emptyPassword',
        bound: false,
      },
    ];

    it.each(cases)('$name', async ({ request, reason, arrange, bound }) => {
      arrange?.();
      const error = await refusal(request);
      expect(error).toBeInstanceOf(LogonRefusedError);
      expect(toHttpError(error)).toEqual({
        statusCode: 401,
        body: { error: { code: 'InvalidCredentials', message: REFUSED } },
        headers: {},
        known: true,
      });
      expect(hasher.checks).toBe(1);
      expect(directory.binds).toHaveLength(bound ? 1 : 0);
      expect(refused).toEqual([
        {
          userName: request.userName,
          reason,
          failures: 1,
          maxFailures: MAX_FAILURES,
          ...(bound ? { server: directory.server } : {}),
        },
      ]);
      // The refusal keeps its count: it was counted when it was admitted.
      expect(attempts.failuresOf(request.userName)).toBe(1);
    });

    it('never tells the log the password', async () => {
      await refusal({ userName: 'alice', password: 'a secret typo' });
      await refusal({ userName: 'auditor', password: 'a secret typo' });
      expect(refused).toHaveLength(2);
      expect(JSON.stringify(refused)).not.toContain('secret typo');
    });
  });

  describe('locks a user name out after maxFailures failures in a row', () => {
    it('answers 429 with Retry-After, even to the right password, without a bind or a hash check', async () => {
      await failUntilLockedOut();
      expect(refused.map((r) => r.failures)).toEqual([1, 2, 3]);
      const [binds, checks] = [directory.binds.length, hasher.checks];

      const error = await refusal({ userName: 'alice', password: ALICE_PASSWORD });
      expect(error).toBeInstanceOf(LockedOutError);
      expect(error).toMatchObject({ retryAfterSeconds: LOCKOUT_SECONDS });
      expect(toHttpError(error)).toMatchObject({
        statusCode: 429,
        body: { error: { code: 'LockedOut' } },
        headers: { 'retry-after': String(LOCKOUT_SECONDS) },
      });
      expect(directory.binds).toHaveLength(binds);
      expect(hasher.checks).toBe(checks);
      expect(lockedOut).toEqual([{ userName: 'alice', retryAfterSeconds: LOCKOUT_SECONDS, by: 'failures' }]);
      // A locked-out attempt is no refusal of a password: it is not reported as one, nor counted.
      expect(refused).toHaveLength(MAX_FAILURES);
      expect(attempts.failuresOf('alice')).toBe(MAX_FAILURES);
    });

    it('one failure short of maxFailures, still checks the password', async () => {
      for (let i = 0; i < MAX_FAILURES - 1; i += 1) await refusal(wrongPasswordOf('alice'));
      expect(await logon(deps, { userName: 'alice', password: ALICE_PASSWORD })).toEqual(toPublicUser(alice));
    });

    it('counts Retry-After down on the clock, and admits again when lockoutMinutes have passed', async () => {
      await failUntilLockedOut();
      advanceSeconds(60);
      expect(await refusal(wrongPasswordOf('alice'))).toMatchObject({
        retryAfterSeconds: LOCKOUT_SECONDS - 60,
      });
      advanceSeconds(LOCKOUT_SECONDS - 60 - 1);
      expect(await refusal({ userName: 'alice', password: ALICE_PASSWORD })).toMatchObject({
        retryAfterSeconds: 1,
      });
      advanceSeconds(1);
      expect(await logon(deps, { userName: 'alice', password: ALICE_PASSWORD })).toEqual(toPublicUser(alice));
      expect(directory.binds.at(-1)?.password).toBe(ALICE_PASSWORD);
    });

    it('starts a new count after an expired one: the next failure is the first', async () => {
      await failUntilLockedOut();
      advanceSeconds(LOCKOUT_SECONDS);
      expect(await refusal(wrongPasswordOf('alice'))).toBeInstanceOf(LogonRefusedError);
      expect(refused.at(-1)).toMatchObject({ failures: 1 });
    });

    it('keeps a count running for lockoutMinutes after its last failure, not its first', async () => {
      await refusal(wrongPasswordOf('alice'));
      advanceSeconds(LOCKOUT_SECONDS - 1);
      await refusal(wrongPasswordOf('alice'));
      advanceSeconds(LOCKOUT_SECONDS - 1);
      await refusal(wrongPasswordOf('alice'));
      expect(refused.map((r) => r.failures)).toEqual([1, 2, 3]);
      expect(await refusal({ userName: 'alice', password: ALICE_PASSWORD })).toBeInstanceOf(LockedOutError);
    });

    it('is cleared by a success: the failures before it no longer count', async () => {
      for (let i = 0; i < MAX_FAILURES - 1; i += 1) await refusal(wrongPasswordOf('alice'));
      await logon(deps, { userName: 'alice', password: ALICE_PASSWORD });
      expect(attempts.failuresOf('alice')).toBe(0);
      for (let i = 0; i < MAX_FAILURES - 1; i += 1) await refusal(wrongPasswordOf('alice'));
      expect(refused.map((r) => r.failures)).toEqual([1, 2, 1, 2]);
      expect(await logon(deps, { userName: 'alice', password: ALICE_PASSWORD })).toEqual(toPublicUser(alice));
    });

    it('counts a user name without regard to case', async () => {
      await refusal(wrongPasswordOf('alice'));
      await refusal(wrongPasswordOf('Alice'));
      await refusal(wrongPasswordOf('ALICE'));
      expect(await refusal({ userName: 'aLiCe', password: ALICE_PASSWORD })).toBeInstanceOf(LockedOutError);
    });

    it('counts names nobody has, and locks them out too', async () => {
      await failUntilLockedOut('mallory');
      expect(await refusal(wrongPasswordOf('mallory'))).toBeInstanceOf(LockedOutError);
      expect(hasher.checks).toBe(MAX_FAILURES);
    });

    it('locks out one name only', async () => {
      await failUntilLockedOut('alice');
      expect(await logon(deps, { userName: 'auditor', password: AUDITOR_PASSWORD })).toEqual(
        toPublicUser(auditor),
      );
    });
  });

  describe('when the directory cannot check the password', () => {
    it('answers 503 DirectoryUnavailable, tells the log why, and counts no failure', async () => {
      directory.goDown();
      const error = await refusal({ userName: 'alice', password: ALICE_PASSWORD });
      expect(error).toBeInstanceOf(DirectoryUnavailableError);
      expect(toHttpError(error)).toMatchObject({
        statusCode: 503,
        body: { error: { code: 'DirectoryUnavailable', message: UNAVAILABLE } },
      });
      expect(error).toMatchObject({ cause: directory.unavailable });
      expect(unavailable).toEqual([{ userName: 'alice', error: directory.unavailable }]);
      expect(refused).toEqual([]);
      expect(attempts.failuresOf('alice')).toBe(0);
    });

    it('never locks a name out, however often it is tried', async () => {
      directory.goDown();
      for (let i = 0; i <= MAX_FAILURES; i += 1) {
        expect(await refusal({ userName: 'alice', password: ALICE_PASSWORD })).toBeInstanceOf(
          DirectoryUnavailableError,
        );
      }
      expect(directory.binds).toHaveLength(MAX_FAILURES + 1);
      expect(lockedOut).toEqual([]);
    });

    it('takes back only its own attempt: earlier failures still count', async () => {
      await refusal(wrongPasswordOf('alice'));
      await refusal(wrongPasswordOf('alice'));
      directory.goDown();
      await refusal({ userName: 'alice', password: ALICE_PASSWORD });
      expect(attempts.failuresOf('alice')).toBe(2);
    });

    it('counts the attempt when a DC received the password before it failed (AD may have counted it)', async () => {
      directory.goDown(true);
      const error = await refusal({ userName: 'alice', password: ALICE_PASSWORD });
      expect(error).toMatchObject({ passwordSent: true });
      expect(toHttpError(error).statusCode).toBe(503);
      expect(attempts.failuresOf('alice')).toBe(1);
    });
  });

  describe("never makes the bind that could lock the user's AD account", () => {
    const WINDOW_SECONDS = 30 * 60;
    const aliceGuid = alice.objectGuid as string;

    /** The DC counts each wrong password of a bind, as AD does; the local counter is set out of the way. */
    async function withDomainThreshold(threshold: number): Promise<void> {
      guard.policy = { threshold, observationWindowSeconds: WINDOW_SECONDS };
      const settings = new InMemorySettings({ ...systemClock, now: clock });
      await settings.saveConfig(inMemoryConfig({ logon: { maxFailures: 100, lockoutMinutes: 1 } }));
      deps = {
        ...deps,
        configs: settings,
        directory: {
          authenticate: async (connection, account, password) => {
            const verdict = await directory.authenticate(connection, account, password);
            if (!verdict.accepted && verdict.reason === 'wrongPassword')
              guard.badPassword(account.objectGuid, clock());
            return verdict;
          },
        },
      };
    }

    it('threshold 4, 8 wrong passwords: 3 binds, then 429 until AD forgets; never locked; then the right password binds', async () => {
      await withDomainThreshold(4);
      const answers: string[] = [];
      for (let i = 0; i < 8; i += 1) {
        const error = await refusal(wrongPasswordOf('alice'));
        answers.push(toHttpError(error).statusCode === 429 ? '429' : '401');
        advanceSeconds(10);
      }
      expect(answers).toEqual(['401', '401', '401', '429', '429', '429', '429', '429']);
      expect(directory.binds).toHaveLength(3);
      expect(guard.standingOf(aliceGuid)).toMatchObject({ badPwdCount: 3, lockedOut: false });
      // The right password too may not be tried while one more bad password would lock the account.
      const error = await refusal({ userName: 'alice', password: ALICE_PASSWORD });
      expect(error).toBeInstanceOf(LockedOutError);
      // AD forgets the count 30 minutes after the last bad password (at 20 s): 80 s have passed.
      expect(error).toMatchObject({ retryAfterSeconds: WINDOW_SECONDS - 60 });
      expect(lockedOut.at(-1)).toEqual({
        userName: 'alice',
        retryAfterSeconds: WINDOW_SECONDS - 60,
        by: 'directory',
      });
      expect(directory.binds).toHaveLength(3);
      // Refused before any check: the attempts are not counted as failures here either.
      expect(attempts.failuresOf('alice')).toBe(3);
      advanceSeconds(WINDOW_SECONDS - 60);
      expect(await logon(deps, { userName: 'alice', password: ALICE_PASSWORD })).toEqual(toPublicUser(alice));
      expect(directory.binds).toHaveLength(4);
    });

    it('refuses at threshold - 1 counted bad passwords, binds at threshold - 2', async () => {
      await withDomainThreshold(5);
      guard.account({
        objectGuid: aliceGuid,
        distinguishedName: 'CN=a',
        userPrincipalName: 'alice@company.local',
        badPwdCount: 3,
        badPasswordTime: clock(),
      });
      expect(await logon(deps, { userName: 'alice', password: ALICE_PASSWORD })).toEqual(toPublicUser(alice));
      guard.account({
        objectGuid: aliceGuid,
        distinguishedName: 'CN=a',
        userPrincipalName: 'alice@company.local',
        badPwdCount: 4,
        badPasswordTime: clock(),
      });
      expect(await refusal({ userName: 'alice', password: ALICE_PASSWORD })).toBeInstanceOf(LockedOutError);
      expect(directory.binds).toHaveLength(1);
    });

    it('does not count bad passwords older than the observation window', async () => {
      await withDomainThreshold(3);
      guard.account({
        objectGuid: aliceGuid,
        distinguishedName: 'CN=a',
        userPrincipalName: 'alice@company.local',
        badPwdCount: 2,
        badPasswordTime: new Date(now - WINDOW_SECONDS * 1000),
      });
      expect(await logon(deps, { userName: 'alice', password: ALICE_PASSWORD })).toEqual(toPublicUser(alice));
    });

    it('binds whatever the count when the domain never locks accounts (threshold 0)', async () => {
      await withDomainThreshold(0);
      for (let i = 0; i < 10; i += 1) await refusal(wrongPasswordOf('alice'));
      expect(directory.binds).toHaveLength(10);
      expect(lockedOut).toEqual([]);
    });

    it('does not bind as an account AD has locked out', async () => {
      guard.account({ objectGuid: aliceGuid, distinguishedName: 'CN=a', lockedOut: true });
      expect(await refusal({ userName: 'alice', password: ALICE_PASSWORD })).toBeInstanceOf(LockedOutError);
      expect(directory.binds).toEqual([]);
    });

    it("binds as the account's current name, on the DC the guard read", async () => {
      guard.account({
        objectGuid: aliceGuid,
        distinguishedName: 'CN=Alice,OU=Moved,DC=company,DC=local',
        userPrincipalName: 'alice.archer@company.local',
      });
      directory.account('alice.archer@company.local', { password: ALICE_PASSWORD });
      expect(await logon(deps, { userName: 'alice', password: ALICE_PASSWORD })).toEqual(toPublicUser(alice));
      expect(directory.binds.map(({ bindName, server }) => ({ bindName, server }))).toEqual([
        { bindName: 'alice.archer@company.local', server: 'dc1.company.local:636' },
      ]);
    });

    it('binds one logon of a name at a time: a second at the same moment gets 429, without a bind', async () => {
      let release: () => void = () => {};
      const reading = new Promise<void>((resolve) => {
        release = resolve;
      });
      const standing = guard.standing.bind(guard);
      const slowGuard = {
        standing: async (request: Parameters<typeof standing>[0]) => {
          await reading;
          return standing(request);
        },
      };
      deps = { ...deps, guard: slowGuard };
      const first = logon(deps, { userName: 'alice', password: ALICE_PASSWORD });
      await new Promise((resolve) => setImmediate(resolve));
      const second = await refusal({ userName: 'alice', password: ALICE_PASSWORD });
      expect(second).toBeInstanceOf(LockedOutError);
      expect(lockedOut).toEqual([{ userName: 'alice', retryAfterSeconds: 1, by: 'concurrent' }]);
      release();
      expect(await first).toEqual(toPublicUser(alice));
      expect(directory.binds).toHaveLength(1);
      expect(attempts.bindHeld('alice')).toBe(false);
      // The hold ends with the logon: the next one binds.
      await refusal(wrongPasswordOf('alice'));
      expect(directory.binds).toHaveLength(2);
    });

    it('holds any name, a user or nobody, the same: a second attempt at the same moment gets 429 either way', async () => {
      let release: () => void = () => {};
      let looking = Promise.resolve();
      const getUser = users.getUser.bind(users);
      deps = {
        ...deps,
        users: {
          getUser: async (name: string) => {
            await looking;
            return getUser(name);
          },
        },
      };
      const answers: number[] = [];
      for (const name of ['alice', 'mallory']) {
        looking = new Promise<void>((resolve) => {
          release = resolve;
        });
        const first = refusal(wrongPasswordOf(name));
        await new Promise((resolve) => setImmediate(resolve));
        answers.push(toHttpError(await refusal(wrongPasswordOf(name))).statusCode);
        release();
        answers.push(toHttpError(await first).statusCode);
      }
      expect(answers).toEqual([429, 401, 429, 401]);
    });

    it('answers 503 without a bind when the guard cannot read the account, and counts no failure', async () => {
      guard.failure = new Error('the DC refused the service account');
      const error = await refusal({ userName: 'alice', password: ALICE_PASSWORD });
      expect(error).toBeInstanceOf(DirectoryUnavailableError);
      expect(toHttpError(error).statusCode).toBe(503);
      expect(directory.binds).toEqual([]);
      expect(attempts.failuresOf('alice')).toBe(0);
      expect(attempts.bindHeld('alice')).toBe(false);
    });

    it('answers 503 without a bind when the connection is not the one the password was saved for', async () => {
      guard.savedFor = 'the fingerprint of another connection';
      const error = await refusal({ userName: 'alice', password: ALICE_PASSWORD });
      expect(toHttpError(error).statusCode).toBe(503);
      expect(unavailable[0]?.error.message).toMatch(/saved for another connection/);
      expect(directory.binds).toEqual([]);
    });
  });
});
