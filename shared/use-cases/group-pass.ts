/**
 * The group pass of a run (sync-groups.ts), once the users are written: every directory user's groups and
 * group privileges against what its groups give it now, then the synchronized groups against the stored ones.
 *
 *   users: those of the run's member ledger (member-ledger.ts) whose groups may differ, read back by the names the
 *   run left them under (consistent reads; the objectGUID index only for those not found so), when the ledger
 *   holds the database as the run left it; else every user, listed a page at a time
 *   -> the users whose groups or group privileges differ: written a page at a time
 *   -> the groups, GROUP_CHUNK at a time (created, updated), then the stored groups no longer read (deleted).
 *
 * Test Settings plans it and writes nothing (no write context). The pass never runs after a failed, partial
 * or handed-off read (sync-pipeline.ts), so it deletes no group then.
 */
import type { PrivilegeRule } from '../config/config-schema';
import { type GroupMember, type GroupWithMembers, membersHashOf } from '../domain/group';
import type { UserMembership } from '../domain/group-membership';
import { changedMembershipFields, diffGroup } from '../domain/plan-groups';
import type { User } from '../domain/user';
import type {
  GroupChange,
  GroupStore,
  GroupWriteContext,
  MembershipChange,
  StoredGroup,
} from '../ports/group-store';
import type { SyncCursorStore } from '../ports/sync-cursor';
import type { UserStore } from '../ports/user-store';
import type { EarlyGroups, EarlyWrites } from './early-groups';
import { MemberLedger } from './member-ledger';
import type { StepRecorder } from './run-report';
import type { GroupRead } from './sync-groups';

/**
 * Groups planned and written at a time: their members are objects only while they are (250 of 100 members:
 * 25,000 members, with their names and objectGUIDs read out of the member ledger).
 */
const GROUP_CHUNK = 250;
/** Chunks written at a time: the next is planned while one is written (4 transactions each). */
const CHUNKS_IN_FLIGHT = 2;
/** Users read back at a time (member-ledger.ts: by name, at most two names a user). */
const USER_CHUNK = 1000;

/** What the group pass did (or, for Test Settings, would do), and what it is made of. */
export interface GroupPassOutcome {
  readonly groupsRead: number;
  readonly synchronizedGroups: number;
  /**
   * Per privilege rule (in the configuration's order): its group, what it gives, and to how many users; `gone`
   * when the directory has no object of its DN (the rule gives nothing).
   */
  readonly rules: readonly {
    readonly rule: PrivilegeRule;
    readonly members: number;
    readonly gone?: boolean;
  }[];
  readonly created: number;
  readonly updated: number;
  readonly deleted: number;
  readonly usersChanged: number;
  readonly conflicts: number;
}

/**
 * The groups step: the pass planned against the user database, and applied unless it is a dry run; nothing
 * when no group changed. A clean pass (or none needed) keeps where the groups were read with the cursor this
 * run saved, for the next run's incremental read of them.
 */
export async function runGroupPass(
  deps: {
    readonly users: UserStore;
    readonly groups: GroupStore;
    readonly cursors: SyncCursorStore | undefined;
  },
  read: GroupRead,
  steps: StepRecorder,
  run: GroupWriteContext & {
    readonly dryRun: boolean;
    readonly ledger?: MemberLedger | undefined;
    readonly early?: EarlyGroups | undefined;
    /** A dry run's: the users' membership changes a page at a time, for its report (membership-preview.ts). */
    readonly preview?: ((changes: readonly MembershipChange[]) => void) | undefined;
  },
): Promise<void> {
  await steps.run(
    'groups',
    async () => {
      const early = await run.early?.finish();
      const outcome = read.unchanged
        ? undefined
        : await runGroupPassOf(
            deps,
            read,
            run.dryRun ? undefined : { runId: run.runId, now: run.now },
            run.ledger,
            early,
            run.preview,
          );
      const cursor =
        read.state && !run.dryRun && !outcome?.conflicts ? await deps.cursors?.getCursor() : undefined;
      if (cursor && read.state)
        await deps.cursors?.saveCursor({
          ...cursor,
          groupsUsn: read.state.usn,
          groupsDigest: read.state.digest,
        });
      return outcome;
    },
    (outcome) =>
      outcome
        ? describeGroupPass(outcome, run.dryRun)
        : 'no group changed since the last run (uSNChanged, and the same groups): none read, nothing to do',
  );
}

/** The groups step's message. */
export function describeGroupPass(outcome: GroupPassOutcome, dryRun: boolean): string {
  const verb = dryRun ? 'to ' : '';
  return (
    `${outcome.groupsRead} groups read, ${outcome.synchronizedGroups} synchronized: ` +
    `${outcome.created} ${dryRun ? 'to create' : 'created'}, ${outcome.updated} ${dryRun ? 'to update' : 'updated'}, ` +
    `${outcome.deleted} ${dryRun ? 'to delete' : 'deleted'}; ${outcome.usersChanged} users' groups or group privileges ` +
    `${verb}${dryRun ? 'change' : 'changed'}` +
    (outcome.conflicts > 0 ? `; ${outcome.conflicts} changed meanwhile (the next run picks them up)` : '') +
    outcome.rules
      .map(({ rule, members, gone }, i) =>
        gone
          ? `; privilegeRules.${i}.group: the directory has no ${rule.group} (deleted, or renamed: the rule needs ` +
            'its new DN); the rule gives nothing'
          : `; privilegeRules.${i} (${rule.group}) gives ` +
            `${[...rule.privileges, ...rule.ownArchiveAccess.map((a) => `${a} own archive`)].join(', ') || 'nothing'} ` +
            `to ${members} users`,
      )
      .join('')
  );
}

/**
 * Plans the group pass against the user database as it is now (after the users' writes of the run) and, with
 * a write context, applies it; see the module comment. `ledger`: the run's, used when it was listed against
 * this very read; `preview`: told the users' membership changes a dry run plans.
 */
export async function runGroupPassOf(
  deps: { readonly users: UserStore; readonly groups: GroupStore },
  read: GroupRead,
  apply: GroupWriteContext | undefined,
  ledger?: MemberLedger,
  early?: EarlyWrites,
  preview?: (changes: readonly MembershipChange[]) => void,
): Promise<GroupPassOutcome> {
  const { index } = read;
  const store = deps.groups;
  // The group-data mark was set when the run read its groups, before any write (sync-groups.ts).
  let usersChanged = 0;
  let conflicts = early?.conflicts ?? 0;
  // The stored groups are listed while the users are: only this pass writes them (under the run's lock), and
  // each listing is a paged query whose round trips would otherwise add up. Awaited below, so a failed listing
  // still fails the pass before any group is written.
  const listing = early ? Promise.resolve(early.stored) : store.listGroups().then(byGuid);
  listing.catch(() => {});
  const known = ledger?.complete && ledger.index === index ? ledger : undefined;
  const holders = known ?? new MemberLedger(index);
  const pages = known
    ? known.suspectPages((guids, names) => deps.users.findUsers(guids, names), USER_CHUNK)
    : listedPages(deps.users, holders);
  for await (const page of pages) {
    const changes: MembershipChange[] = [];
    for (const { user, target } of page) {
      const changedFields = changedMembershipFields(user, target);
      if (changedFields.length > 0) changes.push({ current: user, target, changedFields });
    }
    if (changes.length === 0) continue;
    if (!apply) {
      usersChanged += changes.length;
      preview?.(changes);
      continue;
    }
    const written = await store.applyMembershipChanges(changes, apply);
    usersChanged += written.applied;
    conflicts += written.conflicts;
  }
  const userOf = (id: number) => holders.userOf(id);
  const stored = await listing;
  const counts = { create: early?.created ?? 0, update: 0, delete: 0 };
  const write = async (changes: GroupChange[]) => {
    for (const change of changes) counts[change.action] += 1;
    if (!apply || changes.length === 0) return;
    conflicts += (await store.applyGroupChanges(changes, apply)).conflicts;
  };
  // A chunk is planned (its members read out of the ledger, stored members read where they moved) while the
  // one before it is written: CHUNKS_IN_FLIGHT written at a time. A failed write fails the pass once the
  // other chunk's write has ended, before any group is deleted.
  // Groups created during the apply whose members have not moved since are as the pass would write them.
  const skip = new Uint8Array(index.size);
  for (let g = 0; early && g < index.size; g += 1)
    if (early.unchanged(g)) {
      skip[g] = 1;
      stored.delete(index.groupGuidOf(g));
    }
  const writing: Promise<void>[] = [];
  try {
    for (const chunk of index.synchronizedChunks(userOf, GROUP_CHUNK, (g) => skip[g] !== 1)) {
      const changes = await planChunk(store, chunk, stored);
      const written = write(changes);
      written.catch(() => {});
      writing.push(written);
      if (writing.length >= CHUNKS_IN_FLIGHT) await writing.shift();
    }
    await Promise.all(writing);
  } catch (error) {
    await Promise.allSettled(writing);
    throw error;
  }
  // Gone from a complete read (or no longer synchronized): deleted.
  await write([...stored.values()].map((current) => ({ action: 'delete' as const, current })));
  // A refused write leaves something behind: the mark stays, and the next run without groups clears it.
  if (apply && !read.inUse && conflicts === 0) await store.markGroupData(false);
  return {
    groupsRead: index.size,
    synchronizedGroups: index.synchronizedCount,
    rules: index.rules.map((rule, i) => ({
      rule,
      members: holders.ruleMembers[i] ?? 0,
      ...(read.goneRules?.includes(i) ? { gone: true } : {}),
    })),
    created: counts.create,
    updated: counts.update,
    deleted: counts.delete,
    usersChanged,
    conflicts,
  };
}

const byGuid = (groups: readonly StoredGroup[]) => new Map(groups.map((g) => [g.objectGuid, g]));

/** A chunk's creates and updates; the groups met are taken out of `stored` (what is left is deleted). */
async function planChunk(
  store: GroupStore,
  chunk: readonly GroupWithMembers[],
  stored: Map<string, StoredGroup>,
): Promise<GroupChange[]> {
  const changes: GroupChange[] = [];
  for (const target of chunk) {
    const current = stored.get(target.objectGuid);
    stored.delete(target.objectGuid);
    if (!current) {
      changes.push({ action: 'create', target, changedFields: [] });
      continue;
    }
    const storedMembers = await membersIfMoved(store, target, current.membersHash);
    const diff = diffGroup(target, current, storedMembers);
    if (diff.changedFields.length > 0) changes.push({ action: 'update', target, current, ...diff });
  }
  return changes;
}

/** The stored members, read only when the members' hash says they differ. */
const membersIfMoved = (
  groups: GroupStore,
  target: GroupWithMembers,
  storedHash: string,
): Promise<GroupMember[]> | undefined =>
  membersHashOf(target.members) === storedHash ? undefined : groups.membersOf(target.objectGuid);

/** Every directory user of the database, listed a page at a time, each with what its groups give it. */
async function* listedPages(
  users: UserStore,
  holders: MemberLedger,
): AsyncGenerator<{ user: User; target: UserMembership }[]> {
  for await (const page of users.userPages()) {
    const planned: { user: User; target: UserMembership }[] = [];
    for (const user of page) {
      const target = holders.holdUser(user);
      if (target) planned.push({ user, target });
    }
    yield planned;
  }
}
