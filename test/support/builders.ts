/**
 * Builders for the data every test needs: a run's Report (as the API answers it, what clients read) and its
 * counts and progress, a user of the user database (a directory user as the sync writes it, or a local user). Each default is plain and unremarkable (no
 * change, no error, every count 0), so that a test states only what differs from it, and a test that
 * checks a value gives that value itself.
 */
import type { Progress, Report } from '../../shared/api/schemas';
import { emptyCounts, type ReportCounts } from '../../shared/domain/report';
import type { User } from '../../shared/domain/user';
import { directoryEntry } from './in-memory';

/** When the default report started, and ended a second later. */
const STARTED_AT = '2026-01-01T00:00:00.000Z';
const FINISHED_AT = '2026-01-01T00:00:01.000Z';
/** When the default user was written. */
const WRITTEN_AT = '2026-01-01T00:00:00.000Z';

/** A report's counts: every count 0 unless given. */
export function reportCounts(overrides: Partial<ReportCounts> = {}): ReportCounts {
  return { ...emptyCounts(), ...overrides };
}

/** Where a run under way stands: searching, nothing read, planned or applied yet. */
export function aProgress(overrides: Partial<Progress> = {}): Progress {
  return { phase: 'search', read: 0, inScope: 0, planned: 0, applied: 0, ...overrides };
}

/**
 * A Report of the API (GET /sync/runs/{runId}): a committed run that succeeded and changed nothing: run `run-1`, no steps, no changes, no exclusions,
 * every count 0. `counts` takes only the counts that differ from 0.
 */
export function aReport(
  overrides: Omit<Partial<Report>, 'counts'> & { readonly counts?: Partial<ReportCounts> } = {},
): Report {
  const { counts, ...rest } = overrides;
  return {
    runId: 'run-1',
    dryRun: false,
    status: 'succeeded',
    startedAt: STARTED_AT,
    finishedAt: FINISHED_AT,
    steps: [],
    changes: [],
    excluded: [],
    ...rest,
    counts: reportCounts(counts),
  };
}

/**
 * Directory user `n` as the sync writes it from the in-memory directory's `directoryEntry(n)` (the same name,
 * addresses, DN and objectGUID), with the default privileges: a later run finds it unchanged.
 */
export function aDirectoryUser(n: number, overrides: Partial<User> = {}): User {
  const entry = directoryEntry(n);
  return {
    userName: entry.sAMAccountName,
    fullName: `User ${n}`,
    emailAddresses: [`user${n}@company.local`],
    authentication: 'directoryServices',
    distinguishedName: entry.distinguishedName,
    userPrincipalName: `user${n}@company.local`,
    objectGuid: entry.objectGuid,
    privileges: ['login'],
    ownArchiveAccess: ['read'],
    createdAt: WRITTEN_AT,
    updatedAt: WRITTEN_AT,
    ...overrides,
  };
}

/** A local user (no directory anchor) named `userName`, its full name the same, with no address. */
export function aLocalUser(userName: string, overrides: Partial<User> = {}): User {
  return {
    userName,
    fullName: userName,
    emailAddresses: [],
    authentication: 'local',
    privileges: ['login'],
    ownArchiveAccess: ['read'],
    createdAt: WRITTEN_AT,
    updatedAt: WRITTEN_AT,
    ...overrides,
  };
}
