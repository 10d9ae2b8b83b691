/**
 * A run's state in words (and a user's groups in explain), shared by the CLI and the console: the API carries the state as data (a progress's
 * `phase`, a change's `withheld`), and these are its words, written once. Each surface composes its sentences
 * from them (cli/progress-line.ts and cli/presenter.ts; console/src/progress-text.ts and threshold-text.ts).
 * Pure, and free of zod and Node modules: the console bundles it.
 */
import type { MembershipExplanation } from './group-membership';
import type { DeletionHold, LeaverDetection, RunPhase } from './report';

/** Each phase of a run under way, as a label (the CLI's progress line writes it from a lower-case letter). */
export const PHASE_LABELS: Readonly<Record<RunPhase, string>> = {
  connect: 'Connecting to the directory',
  search: 'Reading the directory',
  plan: 'Planning',
  apply: 'Applying changes',
  record: 'Recording the run',
};

/** What an operation is doing before its first progress. */
export const STARTING_LABEL = 'Starting';

/** What a run held back: deletes, suspensions (under a grace period), or both together. */
export type WithheldRemovals = 'deletes' | 'suspensions' | 'both';

/** The change of a report as this module reads it (the API's and the domain's both fit). */
interface ChangeState {
  readonly action: string;
  readonly withheld?: boolean | undefined;
}

/** The changes a run held back (`withheld: true`): a continued run's report also lists what it applied. */
export const withheldChanges = <C extends ChangeState>(changes: readonly C[]): C[] =>
  changes.filter((change) => change.withheld === true);

/**
 * Whether the held-back changes are deletes, suspensions or both. Deletes when the list shows none (it is
 * capped at REPORT_LIST_LIMIT entries, and a run told to withhold before it listed any says nothing more).
 */
export function withheldRemovals(changes: readonly ChangeState[]): WithheldRemovals {
  const held = withheldChanges(changes);
  const suspensions = held.some((change) => change.action === 'suspend');
  const deletes = held.some((change) => change.action === 'delete');
  return suspensions && deletes ? 'both' : suspensions ? 'suspensions' : 'deletes';
}

export interface RemovalWords {
  /** `Deletes` (were withheld). */
  readonly plural: string;
  /** (would) `delete` (1200 users). */
  readonly verb: string;
  /** (no user was) `deleted`. */
  readonly participle: string;
}

/** The words of each kind of held-back removal. */
export const REMOVAL_WORDS: Readonly<Record<WithheldRemovals, RemovalWords>> = {
  deletes: { plural: 'Deletes', verb: 'delete', participle: 'deleted' },
  suspensions: { plural: 'Suspensions', verb: 'suspend', participle: 'suspended' },
  both: { plural: 'Deletes and suspensions', verb: 'delete or suspend', participle: 'deleted or suspended' },
};

/** Each way of finding leavers in words, for the CLI and the console. */
export const LEAVERS_TEXT: Readonly<Record<LeaverDetection, string>> = {
  tombstones: 'leavers read from tombstones',
  enumeration: 'leavers found by enumerating the users under the base DN',
  fullRead: 'leavers found by the full read',
};

/** A step's message, with how leavers were found when it says (the search step). */
export const stepDetails = (step: {
  readonly message?: string | undefined;
  readonly leavers?: LeaverDetection | undefined;
}): string => [step.message, step.leavers && LEAVERS_TEXT[step.leavers]].filter(Boolean).join('; ');

/**
 * Why a run held its deletes back, in words (the plan step's message, a held-back change's reason, the
 * console's threshold stop): `3 deletes exceed the maximum of 2`.
 */
export function describeDeletionHold(hold: DeletionHold): string {
  if (hold.reason === 'configurationChanged') {
    // No approval can apply them (it holds for the version the run ran on): a new run plans them afresh.
    return `the configuration changed during the run (version ${hold.startedOn} to ${hold.savedSince}); its deletes are not applied: run a sync again with the new configuration`;
  }
  const { deletes, directoryUsers, maxCount, maxPercent, approvedDeletes } = hold;
  const percent = directoryUsers === 0 ? 100 : (deletes * 100) / directoryUsers;
  const exceeded =
    hold.exceeded === 'maxCount'
      ? `${deletes} deletes exceed the maximum of ${maxCount}`
      : `${deletes} of ${directoryUsers} directory users (${percent.toFixed(1)}%) exceed the maximum of ${maxPercent}%`;
  return approvedDeletes === undefined
    ? exceeded
    : `${exceeded} (allowMassDeletion approved ${approvedDeletes} deletes; this run found ${deletes})`;
}

/**
 * What the user's groups would give it, and why, as lines: its groups, then one line per privilege rule that
 * gives it something (the rule's group, what it gives, through which groups). None without groups in use.
 */
export function membershipLines(membership: MembershipExplanation | undefined): string[] {
  if (!membership) return [];
  const gives = (rule: MembershipExplanation['rules'][number]) =>
    [...rule.privileges, ...rule.ownArchiveAccess.map((a) => `${a} own archive`)].join(', ') || 'nothing';
  return [
    membership.groups.length > 0 ? `Groups: ${membership.groups.join(', ')}` : 'In no synchronized group',
    ...(membership.rules.length > 0
      ? membership.rules.map(
          (r) =>
            `privilegeRules.${r.rule} (${r.group}) gives ${gives(r)}` +
            (r.via.length > 1 ? `, through ${r.via.join(' > ')}` : ', directly'),
        )
      : ['No privilege rule gives it anything']),
  ];
}
