/**
 * The groups of a run (docs/contract.md#groups), in two parts:
 *
 *   read (before the session closes): the synchronized groups and the privilege rules' groups, with nested
 *   groups and their direct members; a rule whose group was not read fails the run, naming the rule
 *   -> plan (after the users are applied): resolve who belongs to which group against the user database,
 *   diff the stored groups, diff every directory user's groups and group privileges
 *   -> apply: the groups' writes, then the users' (Test Settings stops at the plan).
 *
 * A failed read throws before anything is written, so a failed or partial read deletes no group (and takes
 * no group privilege away). The deletion threshold and grace period are the users'; groups have none.
 */
import type { Config, PrivilegeRule } from '../config/config-schema';
import {
  type DirectoryGroupEntry,
  type GroupMember,
  type GroupWithMembers,
  membersHashOf,
} from '../domain/group';
import { type MemberUser, resolveMemberships, type SynchronizedGroups } from '../domain/group-membership';
import { diffGroup, planMemberships } from '../domain/plan-groups';
import type { User } from '../domain/user';
import { ValidationError } from '../errors';
import type { DirectorySession } from '../ports/directory-reader';
import type { GroupChange, GroupStore, GroupWriteContext, MembershipChange } from '../ports/group-store';
import type { UserStore } from '../ports/user-store';
import { errorOf, type StepRecorder } from './run-report';

/** What a run read of the groups. */
export interface GroupRead {
  readonly entries: readonly DirectoryGroupEntry[];
  readonly synchronized: SynchronizedGroups;
  readonly rules: readonly PrivilegeRule[];
  /** Whether the configuration uses groups; a read that does not only clears what an earlier one left. */
  readonly inUse: boolean;
}

/** The group pass's plan, and what it is made of. */
export interface GroupPassPlan {
  readonly groupChanges: readonly GroupChange[];
  readonly membershipChanges: readonly MembershipChange[];
  readonly groupsRead: number;
  readonly synchronizedGroups: number;
  /** Per privilege rule (in the configuration's order): its group, what it gives, and to how many users. */
  readonly rules: readonly { readonly rule: PrivilegeRule; readonly members: number }[];
  /** As the read: whether the configuration uses groups. */
  readonly inUse: boolean;
}

/** What the group pass did (or, for Test Settings, would do). */
export interface GroupPassOutcome {
  readonly created: number;
  readonly updated: number;
  readonly deleted: number;
  readonly usersChanged: number;
  readonly conflicts: number;
}

/** Whether a run deals with groups: synchronized groups or privilege rules. */
export const groupsInUse = (config: Config): boolean =>
  config.groups.sync !== 'none' || config.privilegeRules.length > 0;

const lower = (dn: string): string => dn.toLowerCase();

/**
 * Reads the groups a run needs: all under the groups' base DN (`all`), or the selected groups (`selected`)
 * and the rules' groups, each with the groups nested in it. Nothing at all when the run has no use for
 * groups (then the pass clears what an earlier configuration left).
 */
export async function readGroups(
  session: DirectorySession,
  config: Config,
  baseDn: string,
): Promise<GroupRead> {
  const { sync } = config.groups;
  const base = config.groups.baseDn || baseDn;
  const entries = new Map<string, DirectoryGroupEntry>();
  const take = async (pages: AsyncIterable<DirectoryGroupEntry[]>) => {
    for await (const page of pages) for (const entry of page) entries.set(entry.objectGuid, entry);
  };
  if (sync === 'all') await take(session.groupPages(base));
  const selected = sync === 'selected' ? config.filters.groups : [];
  const known = new Set([...entries.values()].map((e) => lower(e.distinguishedName)));
  const roots = [...new Set([...selected, ...config.privilegeRules.map((r) => r.group)].map(lower))].filter(
    (dn) => !known.has(dn),
  );
  if (roots.length > 0) await take(session.groupPages(base, roots));
  const read: GroupRead = {
    entries: [...entries.values()],
    synchronized: sync === 'all' ? { all: true } : { roots: selected },
    rules: config.privilegeRules,
    inUse: true,
  };
  const found = new Set(read.entries.map((e) => lower(e.distinguishedName)));
  const unknown = config.privilegeRules.flatMap((rule, i) =>
    found.has(lower(rule.group))
      ? []
      : [{ path: `privilegeRules.${i}.group`, message: `${rule.group} is not a group under ${base}` }],
  );
  if (unknown.length > 0) {
    const listed = unknown.map((d) => `${d.path}: ${d.message}`).join('; ');
    throw new ValidationError(`Invalid configuration: ${listed}`, unknown);
  }
  return read;
}

/** An empty read: no group is synchronized and no rule applies (what a configuration without groups keeps). */
export const NO_GROUPS: GroupRead = { entries: [], synchronized: { roots: [] }, rules: [], inUse: false };

/**
 * Plans the group pass against the user database as it is now (after the users' writes of the run): see the
 * module comment.
 */
export async function planGroupPass(
  deps: { readonly users: UserStore; readonly groups: GroupStore },
  read: GroupRead,
): Promise<GroupPassPlan> {
  const directoryUsers: User[] = [];
  for await (const page of deps.users.userPages()) {
    for (const user of page) if (user.authentication === 'directoryServices') directoryUsers.push(user);
  }
  const members: MemberUser[] = directoryUsers.flatMap((u) =>
    u.objectGuid && u.distinguishedName
      ? [{ objectGuid: u.objectGuid, userName: u.userName, distinguishedName: u.distinguishedName }]
      : [],
  );
  const memberships = resolveMemberships({
    groups: read.entries,
    users: members,
    synchronized: read.synchronized,
    rules: read.rules,
  });
  const stored = new Map((await deps.groups.listGroups()).map((g) => [g.objectGuid, g]));
  const groupChanges: GroupChange[] = [];
  for (const target of memberships.groups) {
    const current = stored.get(target.objectGuid);
    stored.delete(target.objectGuid);
    if (!current) {
      groupChanges.push({ action: 'create', target, changedFields: [] });
      continue;
    }
    const storedMembers = await membersIfMoved(deps.groups, target, current.membersHash);
    const diff = diffGroup(target, current, storedMembers);
    if (diff.changedFields.length > 0) groupChanges.push({ action: 'update', target, current, ...diff });
  }
  // Gone from a complete read (or no longer synchronized): deleted.
  for (const current of stored.values()) groupChanges.push({ action: 'delete', current });
  const membershipChanges = planMemberships(directoryUsers, memberships.users).map(
    ({ user, target, changedFields }) => ({ current: user, target, changedFields }),
  );
  return {
    groupChanges,
    membershipChanges,
    groupsRead: read.entries.length,
    synchronizedGroups: memberships.groups.length,
    rules: read.rules.map((rule) => ({
      rule,
      members: [...memberships.users.values()].filter((u) => u.rules.includes(rule.group)).length,
    })),
    inUse: read.inUse,
  };
}

/** The stored members, read only when the members' hash says they differ. */
const membersIfMoved = (
  groups: GroupStore,
  target: GroupWithMembers,
  storedHash: string,
): Promise<GroupMember[]> | undefined =>
  membersHashOf(target.members) === storedHash ? undefined : groups.membersOf(target.objectGuid);

/** What a plan would do, for Test Settings' report. */
export function plannedOutcome(plan: GroupPassPlan): GroupPassOutcome {
  const count = (action: GroupChange['action']) =>
    plan.groupChanges.filter((c) => c.action === action).length;
  return {
    created: count('create'),
    updated: count('update'),
    deleted: count('delete'),
    usersChanged: plan.membershipChanges.length,
    conflicts: 0,
  };
}

/**
 * Applies the plan: the mark that group data is held (before the first write of a configuration using groups),
 * the groups, then the users' membership fields; the mark is removed once a pass without groups left nothing.
 */
export async function applyGroupPass(
  groups: GroupStore,
  plan: GroupPassPlan,
  context: GroupWriteContext,
): Promise<GroupPassOutcome> {
  const writes = plan.groupChanges.length + plan.membershipChanges.length;
  if (plan.inUse && writes > 0) await groups.markGroupData(true);
  const written = await groups.applyGroupChanges(plan.groupChanges, context);
  const users = await groups.applyMembershipChanges(plan.membershipChanges, context);
  // A refused write leaves something behind: the mark stays, and the next run without groups clears it.
  if (!plan.inUse && written.conflicts + users.conflicts === 0) await groups.markGroupData(false);
  const planned = plannedOutcome(plan);
  return {
    ...planned,
    // Counted as planned; a refused write is a conflict the next run picks up.
    usersChanged: users.applied,
    conflicts: written.conflicts + users.conflicts,
  };
}

/** The groups step's message. */
export function describeGroupPass(plan: GroupPassPlan, outcome: GroupPassOutcome, dryRun: boolean): string {
  const verb = dryRun ? 'to ' : '';
  return (
    `${plan.groupsRead} groups read, ${plan.synchronizedGroups} synchronized: ` +
    `${outcome.created} ${dryRun ? 'to create' : 'created'}, ${outcome.updated} ${dryRun ? 'to update' : 'updated'}, ` +
    `${outcome.deleted} ${dryRun ? 'to delete' : 'deleted'}; ${outcome.usersChanged} users' groups or group privileges ` +
    `${verb}${dryRun ? 'change' : 'changed'}` +
    (outcome.conflicts > 0 ? `; ${outcome.conflicts} changed meanwhile (the next run picks them up)` : '') +
    plan.rules
      .map(
        ({ rule, members }, i) =>
          `; privilegeRules.${i} (${rule.group}) gives ` +
          `${[...rule.privileges, ...rule.ownArchiveAccess.map((a) => `${a} own archive`)].join(', ') || 'nothing'} ` +
          `to ${members} users`,
      )
      .join('')
  );
}

/**
 * The groups a run reads: those it uses; an empty read on a full read of a configuration without groups when
 * an earlier pass left group data (its mark: one read, never a listing of the users), which clears it;
 * nothing otherwise, so such a run has no groups step. A failed read is the groups step's failure.
 */
export async function readGroupsOfRun(
  session: DirectorySession,
  groups: GroupStore,
  config: Config,
  baseDn: string,
  fullRead: boolean,
  steps: StepRecorder,
): Promise<GroupRead | undefined> {
  if (!groupsInUse(config)) return fullRead && (await groups.hasGroupData()) ? NO_GROUPS : undefined;
  const started = performance.now();
  try {
    return await readGroups(session, config, baseDn);
  } catch (error) {
    steps.add({
      name: 'groups',
      ok: false,
      ms: Math.round(performance.now() - started),
      message: errorOf(error).message,
    });
    throw error;
  }
}

/** The groups step: the pass planned against the user database, and applied unless it is a dry run. */
export async function runGroupPass(
  deps: { readonly users: UserStore; readonly groups: GroupStore },
  read: GroupRead,
  steps: StepRecorder,
  run: GroupWriteContext & { readonly dryRun: boolean },
): Promise<void> {
  await steps.run(
    'groups',
    async () => {
      const plan = await planGroupPass(deps, read);
      const outcome = run.dryRun ? plannedOutcome(plan) : await applyGroupPass(deps.groups, plan, run);
      return { plan, outcome };
    },
    ({ plan, outcome }) => describeGroupPass(plan, outcome, run.dryRun),
  );
}
