/**
 * The one decision of what a run deletes (docs/contract.md#deletes): a pure
 * function of the database users the read found gone or out of scope, the options, and what the run's
 * earlier invocations and the administrator decided. Nothing here reads or writes anything.
 *
 * - Only directory users (`directoryServices`) are ever deleted; local users never.
 * - Nothing is deleted while `deleteUsers` is off.
 * - Deletes above the threshold (count, or percent of the directory users in the database before the run,
 *   with the deletes earlier invocations made) are withheld together, unless an administrator approved
 *   exactly that many; a run's follow-up invocations keep its first decision to withhold.
 * - A run told to apply no deletes (its configuration changed under it) withholds them all.
 * - With a grace period (`deletionGraceDays` above 0) a delete is first a suspension; a user suspended at
 *   least that long ago is deleted; one suspended since less is left as it is. The threshold counts
 *   suspensions and deletes alike.
 */
import type { Config } from '../config/config-schema';
import type { DeleteChange, RemovalChange, SuspendChange } from './plan-sync';
import type { DeletionHold } from './report';
import { describeDeletionHold } from './report-text';
import type { ExclusionReason } from './scope-policy';
import type { User } from './user';

/** A database user the read found gone or out of scope, and why. */
export interface DeleteCandidate {
  readonly user: User;
  readonly reason: string;
}

export interface DeleteInput {
  readonly candidates: readonly DeleteCandidate[];
  readonly options: Config['options'];
  /** Directory users in the database before the run: the percentage's base. */
  readonly population: number;
  /** Deletes earlier invocations of this run made: they count against the threshold too. */
  readonly earlierDeletes?: number;
  /** Why the run's first invocation withheld its deletes: its follow-ups withhold them too. */
  readonly earlierWithheld?: DeletionHold;
  /** Deletes an administrator approved above the threshold: applied only when the run has exactly this many. */
  readonly approvedDeletes?: number;
  /** Set when the run must apply no deletes at all (why). */
  readonly refused?: DeletionHold;
  /** The run's time: how long a suspended user has waited. */
  readonly now: Date;
}

export interface DeleteDecision {
  /** The deletes and suspensions to apply. */
  readonly apply: readonly RemovalChange[];
  /** The deletes and suspensions held back (`withheld: true`, their reason saying why). */
  readonly withheld: readonly RemovalChange[];
  /** Suspended users whose grace period has not ended yet: left as they are. */
  readonly waiting: readonly DeleteCandidate[];
  /** Why they are held back. */
  readonly withheldBecause?: DeletionHold;
  /** The run's deletes held back, with those of earlier invocations: what an approval names. */
  readonly withheldCount?: number;
  /** How the decision went, for the plan step's message ('' when there was nothing to decide). */
  readonly note: string;
}

/** Decides the run's deletes; see the module comment. */
export function planDeletes(input: DeleteInput): DeleteDecision {
  const { options, approvedDeletes, refused } = input;
  const directoryUsers = input.candidates.filter(({ user }) => user.authentication === 'directoryServices');
  const waiting = directoryUsers.filter(({ user }) => !graceEnded(user, options, input.now));
  const candidates = directoryUsers.filter(({ user }) => graceEnded(user, options, input.now));
  if (!options.deleteUsers || (candidates.length === 0 && waiting.length === 0)) {
    return { apply: [], withheld: [], waiting: [], note: '' };
  }
  const removal = (user: User, reason: string, withheld = false): RemovalChange =>
    options.deletionGraceDays > 0 && !user.suspendedAt
      ? suspendChange(user, reason, withheld)
      : deleteChange(user, reason, withheld);

  const total = candidates.length + (input.earlierDeletes ?? 0);
  const exceeded = refused ?? input.earlierWithheld ?? thresholdExceeded(total, input.population, options);
  // An approval lets through the deletes it was given for, not whatever this run finds; and not what a
  // follow-up finds after the run's first invocation withheld them.
  const approved = refused === undefined && input.earlierWithheld === undefined && approvedDeletes === total;
  if (exceeded === undefined || approved) {
    return {
      apply: candidates.map(({ user, reason }) => removal(user, reason)),
      withheld: [],
      waiting,
      note:
        exceeded === undefined
          ? ''
          : `; allowMassDeletion applies deletes above the threshold this once: ${describeDeletionHold(exceeded)}`,
    };
  }
  // An approval of another count: the hold says which (a refusal stands whatever was approved).
  const hold =
    approvedDeletes !== undefined && exceeded.reason === 'threshold'
      ? { ...exceeded, approvedDeletes }
      : exceeded;
  const because = describeDeletionHold(hold);
  return {
    apply: [],
    withheld: candidates.map(({ user, reason }) => removal(user, withheldReason(reason, because), true)),
    waiting,
    withheldBecause: hold,
    withheldCount: total,
    note: `; deletes withheld: ${because}`,
  };
}

/** Why a directory user is deleted: out of scope for these reasons, or (none given) no longer returned. */
export const deleteReason = (reasons?: readonly ExclusionReason[]): string =>
  reasons?.length ? `out of scope: ${reasons.join(', ')}` : 'no longer returned by the directory';

/**
 * What a held-back delete's reason says before why: words for people. Clients tell held-back changes by the
 * report change's `withheld: true` (run-report.ts `toReportChange`), never by this text.
 */
export const WITHHELD = '; withheld: ';

/** A delete's reason once it is held back (`because` says why). */
export const withheldReason = (reason: string, because: string): string => `${reason}${WITHHELD}${because}`;

/** The delete of a database user, for the reason given; `withheld` when it is held back. */
export function deleteChange(user: User, reason: string, withheld = false): DeleteChange {
  return {
    action: 'delete',
    current: user,
    userName: user.userName,
    fullName: user.fullName,
    emailAddresses: user.emailAddresses,
    changedFields: [],
    reason,
    withheld,
  };
}

/** The suspension of a database user instead of its delete, for the reason given. */
export function suspendChange(user: User, reason: string, withheld = false): SuspendChange {
  return { ...deleteChange(user, reason, withheld), action: 'suspend' };
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Whether a user may be removed now: any user without a grace period; with one, a user not yet suspended
 * (it is suspended) or suspended at least `deletionGraceDays` ago (it is deleted).
 */
export function graceEnded(user: User, options: Config['options'], now: Date): boolean {
  if (!user.suspendedAt || options.deletionGraceDays === 0) return true;
  return now.getTime() - Date.parse(user.suspendedAt) >= options.deletionGraceDays * DAY_MS;
}

/** The earliest of some instants (ISO 8601), or undefined when none is given. */
export function earliest(instants: Iterable<string | undefined>): string | undefined {
  let first: string | undefined;
  for (const at of instants) {
    if (at !== undefined && (first === undefined || Date.parse(at) < Date.parse(first))) first = at;
  }
  return first;
}

/** When the grace period of a user suspended at `suspendedAt` ends. */
export function graceEndsAfter(suspendedAt: Date, options: Config['options']): string {
  return new Date(suspendedAt.getTime() + options.deletionGraceDays * DAY_MS).toISOString();
}

/** When a suspended user's grace period ends. */
export function graceEndsAt(user: User, options: Config['options']): string | undefined {
  return user.suspendedAt ? graceEndsAfter(new Date(user.suspendedAt), options) : undefined;
}

/**
 * Which limit of the threshold `deletes` exceeds, with the numbers, or undefined when it does not. The
 * percentage is of the directory users in the database (the population deletes come from); "above" is
 * strict: exactly maxCount passes.
 */
export function thresholdExceeded(
  deletes: number,
  directoryUsers: number,
  { deletionThreshold }: Config['options'],
): DeletionHold | undefined {
  const { maxCount, maxPercent } = deletionThreshold;
  const held = { reason: 'threshold', deletes, directoryUsers, maxCount, maxPercent } as const;
  if (deletes > maxCount) return { ...held, exceeded: 'maxCount' };
  const percent = directoryUsers === 0 ? 100 : (deletes * 100) / directoryUsers;
  return percent > maxPercent ? { ...held, exceeded: 'maxPercent' } : undefined;
}
