/**
 * In-memory fakes of the logon's ports (POST /logon, shared/use-cases/logon.ts), for fast tests of its rules
 * (no Samba, no DynamoDB, no scrypt): a directory that answers binds as AD does, failure counts that expire on
 * a clock the test moves, stored password hashes, and a hasher that costs nothing but counts its checks. The
 * integration tests (test/integration/logon/) run the same use case against the real Samba DC and DynamoDB
 * Local.
 */
import type { ConnectionConfig } from '../../shared/config/config-schema';
import type { AccountLockoutPolicy, AccountStanding } from '../../shared/domain/account-lockout';
import type { BindRefusal } from '../../shared/domain/logon';
import { connectionTarget } from '../../shared/domain/password-binding';
import type { User } from '../../shared/domain/user';
import { DirectoryUnavailableError, PasswordTargetMismatchError } from '../../shared/errors';
import type { AccountGuard, AccountGuardRequest } from '../../shared/ports/account-guard';
import type {
  BindAccount,
  DirectoryAuthenticator,
  DirectoryVerdict,
} from '../../shared/ports/directory-authenticator';
import type { LockoutPolicy, LogonAdmission, LogonAttempts } from '../../shared/ports/logon-attempts';
import type { PasswordHasher } from '../../shared/ports/password-hasher';
import type { PasswordHashes } from '../../shared/ports/password-hashes';

const key = (name: string): string => name.toLowerCase();

const CREATED_AT = '2026-01-01T00:00:00.000Z';

/** A directory user who may log on (privilege `login`), bound as by its userPrincipalName. */
export function directoryUser(overrides: Partial<User> = {}): User {
  return {
    userName: 'alice',
    fullName: 'Alice Archer',
    emailAddresses: ['alice@company.local'],
    authentication: 'directoryServices',
    distinguishedName: 'CN=Alice Archer,OU=Staff,DC=company,DC=local',
    userPrincipalName: 'alice@company.local',
    objectGuid: '00000000-0000-4000-8000-000000000001',
    privileges: ['login', 'archiveEmail'],
    ownArchiveAccess: ['read'],
    createdAt: CREATED_AT,
    updatedAt: CREATED_AT,
    ...overrides,
  };
}

/** A local user who may log on; its password hash is kept apart (InMemoryPasswordHashes). */
export function localUser(overrides: Partial<User> = {}): User {
  return {
    userName: 'auditor',
    fullName: 'Auditor',
    emailAddresses: ['auditor@example.com'],
    authentication: 'local',
    privileges: ['login'],
    ownArchiveAccess: [],
    createdAt: CREATED_AT,
    updatedAt: CREATED_AT,
    ...overrides,
  };
}

/** An account of the fake directory: its password, and what AD says when that password is right. */
export interface DirectoryAccount {
  readonly password: string;
  /** AD's refusal of the right password (a disabled or expired account, a password that must change). */
  readonly refusal?: BindRefusal;
  /** Its objectGUID, when it is not the user's the bind expects (a name reused by another account). */
  readonly objectGuid?: string;
}

/**
 * A directory that checks binds as AD does: an unknown bind name is `unknownUser` (sub-code 525), a wrong
 * password `wrongPassword` (52e) whatever the account's state, and the right password of a disabled or
 * expired account its own refusal (533, 701, …). `unavailable` makes every bind fail as no DC could check it.
 */
export class InMemoryDirectoryAuthenticator implements DirectoryAuthenticator {
  readonly server = 'dc1.company.local:636';
  private readonly accounts = new Map<string, DirectoryAccount>();
  /** Every bind that reached the directory, in order. */
  readonly binds: { connection: ConnectionConfig; bindName: string; server: string; password: string }[] = [];
  /** Thrown by every bind while set (and the bind counted as tried in `binds`). */
  unavailable: DirectoryUnavailableError | undefined;

  /** Adds an account, by the name a bind uses (a userPrincipalName or a distinguished name). */
  account(bindName: string, account: DirectoryAccount): this {
    this.accounts.set(key(bindName), account);
    return this;
  }

  /** No DC answers; `passwordSent`: one received the bind before it failed (AD may have counted it). */
  goDown(passwordSent = false): this {
    this.unavailable = new DirectoryUnavailableError('no domain controller answered', passwordSent);
    return this;
  }

  async authenticate(
    connection: ConnectionConfig,
    { bindName, server, objectGuid }: BindAccount,
    password: string,
  ): Promise<DirectoryVerdict> {
    this.binds.push({ connection, bindName, server, password });
    if (this.unavailable) throw this.unavailable;
    const account = this.accounts.get(key(bindName));
    if (!account) return { accepted: false, reason: 'unknownUser', server };
    if (account.password !== password) return { accepted: false, reason: 'wrongPassword', server };
    if (account.refusal) return { accepted: false, reason: account.refusal, server };
    if (account.objectGuid && account.objectGuid !== objectGuid) {
      return { accepted: false, reason: 'anotherAccount', server };
    }
    return { accepted: true, server };
  }
}

/**
 * The logon guard over a fake domain: each account's standing by objectGUID as dc1 sees it, the domain's
 * lockout policy, and the connections it was asked with (the password is saved for `savedFor` only).
 */
export class InMemoryAccountGuard implements AccountGuard {
  policy: AccountLockoutPolicy = { threshold: 0, observationWindowSeconds: 1800 };
  private readonly accounts = new Map<
    string,
    Omit<AccountStanding, 'policy' | 'server' | 'namingContext' | 'readAt'>
  >();
  /** Every request, in order. */
  readonly requests: AccountGuardRequest[] = [];
  /** Thrown by every request while set. */
  failure: Error | undefined;
  /** The connection the service account's password was saved for; undefined: any. */
  savedFor: string | undefined;

  /** `clock`: the DC's time, which the standing is read at. */
  constructor(private readonly clock: () => Date = () => new Date()) {}

  /** Adds an account as the DC sees it (no bad passwords unless given). */
  account(
    standing: Partial<AccountStanding> & Pick<AccountStanding, 'objectGuid' | 'distinguishedName'>,
  ): this {
    this.accounts.set(standing.objectGuid, { badPwdCount: 0, lockedOut: false, ...standing });
    return this;
  }

  /** Counts a bad password at `at`, as the DC would. */
  badPassword(objectGuid: string, at: Date): void {
    const found = this.accounts.get(objectGuid);
    if (!found) throw new Error(`no account ${objectGuid}`);
    const badPwdCount = found.badPwdCount + 1;
    const lockedOut = this.policy.threshold > 0 && badPwdCount >= this.policy.threshold;
    this.accounts.set(objectGuid, { ...found, badPwdCount, badPasswordTime: at, lockedOut });
  }

  standingOf(objectGuid: string) {
    return this.accounts.get(objectGuid);
  }

  async standing(request: AccountGuardRequest): Promise<AccountStanding | undefined> {
    this.requests.push(request);
    if (this.failure) throw this.failure;
    if (this.savedFor !== undefined && connectionTarget(request.connection) !== this.savedFor) {
      throw new PasswordTargetMismatchError('the password was saved for another connection');
    }
    const found = this.accounts.get(request.objectGuid);
    return found
      ? {
          ...found,
          server: 'dc1.company.local:636',
          namingContext: 'DC=company,DC=local',
          policy: this.policy,
          readAt: this.clock(),
        }
      : undefined;
  }
}

/**
 * Failed logons in a row, counted as DynamoLogonAttempts counts them: per lower-cased user name, in whole
 * epoch seconds of `clock`; a count runs until `lockoutSeconds` after its last admitted attempt, and an
 * expired count is started afresh.
 */
export class InMemoryLogonAttempts implements LogonAttempts {
  private readonly counts = new Map<string, { failures: number; expiresAt: number }>();

  constructor(private readonly clock: () => Date) {}

  private now(): number {
    return Math.floor(this.clock().getTime() / 1000);
  }

  async admit(userName: string, { maxFailures, lockoutSeconds }: LockoutPolicy): Promise<LogonAdmission> {
    const now = this.now();
    const count = this.counts.get(key(userName));
    if (count && count.expiresAt > now) {
      if (count.failures >= maxFailures) return { admitted: false, retryAfterSeconds: count.expiresAt - now };
      const failures = count.failures + 1;
      this.counts.set(key(userName), { failures, expiresAt: now + lockoutSeconds });
      return { admitted: true, failures };
    }
    this.counts.set(key(userName), { failures: 1, expiresAt: now + lockoutSeconds });
    return { admitted: true, failures: 1 };
  }

  async withdraw(userName: string): Promise<void> {
    const count = this.counts.get(key(userName));
    if (count && count.failures > 0)
      this.counts.set(key(userName), { ...count, failures: count.failures - 1 });
  }

  async clear(userName: string): Promise<void> {
    this.counts.delete(key(userName));
    this.holds.delete(key(userName));
  }

  /** The binds held, by lower-cased user name: until when (epoch seconds). */
  private readonly holds = new Map<string, number>();

  async holdBind(userName: string, seconds: number): Promise<boolean> {
    const held = this.holds.get(key(userName));
    if (!this.counts.has(key(userName)) || (held !== undefined && held > this.now())) return false;
    this.holds.set(key(userName), this.now() + seconds);
    return true;
  }

  async releaseBind(userName: string): Promise<void> {
    this.holds.delete(key(userName));
  }

  /** Whether a bind of this name is held now. */
  bindHeld(userName: string): boolean {
    return (this.holds.get(key(userName)) ?? 0) > this.now();
  }

  /** The failures a name has counted now: 0 when it has none, or its count has expired. */
  failuresOf(userName: string): number {
    const count = this.counts.get(key(userName));
    return count && count.expiresAt > this.now() ? count.failures : 0;
  }
}

/** Local users' stored password hashes, by lower-cased user name. */
export class InMemoryPasswordHashes implements PasswordHashes {
  private readonly hashes = new Map<string, string>();

  set(userName: string, hash: string): this {
    this.hashes.set(key(userName), hash);
    return this;
  }

  async getPasswordHash(userName: string): Promise<string | undefined> {
    return this.hashes.get(key(userName));
  }
}

/**
 * A hasher without the cost: `fake$<salt>$<password>`, a new salt each time. It counts every check, stored
 * hash or nobody's: a logon must pay for exactly one, whoever it refuses.
 */
export class FakePasswordHasher implements PasswordHasher {
  private salts = 0;
  /** Checks against a stored hash. */
  verifications = 0;
  /** Checks against nobody's hash. */
  nobodyVerifications = 0;

  /** All checks of either kind. */
  get checks(): number {
    return this.verifications + this.nobodyVerifications;
  }

  async hash(password: string): Promise<string> {
    this.salts += 1;
    return `fake$${this.salts}$${password}`;
  }

  async verify(password: string, stored: string): Promise<boolean> {
    this.verifications += 1;
    const [scheme, salt, ...rest] = stored.split('$');
    return scheme === 'fake' && salt !== undefined && rest.join('$') === password;
  }

  async verifyAgainstNobody(_password: string): Promise<false> {
    this.nobodyVerifications += 1;
    return false;
  }
}
