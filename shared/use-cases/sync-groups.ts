/**
 * The groups of a run (docs/contract.md#groups):
 *
 *   read (before the users are read): the synchronized groups and the privilege rules' groups, with nested
 *   groups and their direct members, resolved to ids as the pages arrive; a rule whose group was not read
 *   fails the run, naming the rule. A user the run creates gets its groups and group privileges with its
 *   create (membershipAtCreate).
 *   -> plan and apply (after the users are applied; group-pass.ts), a page or a chunk at a time: every
 *   directory user's groups and group privileges against the user database, then the stored groups (Test
 *   Settings stops at the plan).
 *
 * A failed read throws before anything is written, so a failed or partial read deletes no group (and takes
 * no group privilege away). The deletion threshold and grace period are the users'; groups have none.
 */
import { type Config, groupSearchBaseOf } from '../config/config-schema';
import { isAtOrUnder, isDistinguishedName, namingContextOf } from '../domain/distinguished-name';
import type { DirectoryGroupEntry } from '../domain/group';
import { type MembershipExplanation, MembershipIndex } from '../domain/group-membership';
import type { PlannedChange } from '../domain/plan-sync';
import { ScopeDigest } from '../domain/scope-digest';
import { NoSuchObjectError, OutsideDomainError, ValidationError } from '../errors';
import type { DirectorySession } from '../ports/directory-reader';
import type { GroupStore } from '../ports/group-store';
import type { SyncCursorStore } from '../ports/sync-cursor';
import { baseDnOf, fingerprintOf, type ReadScope, whyFullRead } from './read-scope';
import { errorOf, type StepRecorder } from './run-report';

/** What a run read of the groups: the groups, resolved as their pages arrived (group-membership.ts). */
export interface GroupRead {
  readonly index: MembershipIndex;
  /** Whether the configuration uses groups; a read that does not only clears what an earlier one left. */
  readonly inUse: boolean;
  /**
   * Set when an incremental run found no group changed since the last clean group pass: nothing was read,
   * and the pass has nothing to do (unless the users' plan writes: then the groups are read after all).
   */
  readonly unchanged?: boolean;
  /** The privilege rules (by index) whose group the directory does not have: they give nothing. */
  readonly goneRules?: readonly number[];
  /** Where the groups were read: the USN before the read and the digest of the groups' objectGUIDs. */
  readonly state?: { readonly usn: number; readonly digest: string };
}

/** What the run knows that the group read asks for: the cursor, whether it is Test Settings, the time. */
export interface GroupRunContext {
  readonly session: DirectorySession;
  readonly groups: GroupStore;
  readonly cursors: SyncCursorStore | undefined;
  readonly config: Config;
  readonly steps: StepRecorder;
  readonly dryRun: boolean;
  readonly now: Date;
  readonly fullReadEveryHours: number | undefined;
}

/** Whether a run deals with groups: synchronized groups or privilege rules. */
export const groupsInUse = (config: Config): boolean =>
  config.groups.sync !== 'none' || config.privilegeRules.length > 0;

const lower = (dn: string): string => dn.toLowerCase();

/** The groups a run reads by DN: the selected groups (`selected`) and the rules' groups, lower-cased, once each. */
const rootsOf = (config: Config): string[] => [
  ...new Set(
    [
      ...(config.groups.sync === 'selected' ? config.filters.groups : []),
      ...config.privilegeRules.map((r) => r.group),
    ].map(lower),
  ),
];

/**
 * Where a run searches groups, and where an incremental run looks for a changed one. Groups are searched under
 * groupSearchBaseOf (`groups.baseDn`; else the base DN for `all`; else the domain, so that the groups nested in
 * a selected group are found wherever they sit). The roots are read by their DN wherever they are, so the
 * changes are looked for in the whole domain when a root lies outside that base: every group read is covered.
 */
export function groupBasesOf(
  config: Config,
  baseDn: string,
  defaultNamingContext?: string,
): { readonly search: string; readonly changes: string } {
  const search = groupSearchBaseOf(config, baseDn, defaultNamingContext) ?? baseDn;
  const covered = rootsOf(config).every((dn) => isDistinguishedName(dn) && isAtOrUnder(dn, search));
  return { search, changes: covered ? search : namingContextOf(baseDn, defaultNamingContext) };
}

/**
 * Reads the groups a run needs: all under the groups' base DN (`all`), or the selected groups (`selected`)
 * and the rules' groups, each with the groups nested in it (groupBasesOf), taken into the index as the pages
 * arrive; then the users' primary groups (takePrimaryGroups; `user`: only that user's, for explain). A rule
 * whose group was not read: see unreadRules.
 */
export async function readGroups(
  session: DirectorySession,
  config: Config,
  baseDn: string,
  user?: string,
): Promise<GroupRead> {
  const { sync } = config.groups;
  const base = groupBasesOf(config, baseDn, session.rootDse.defaultNamingContext).search;
  const selected = sync === 'selected' ? config.filters.groups : [];
  const index = new MembershipIndex(
    sync === 'all' ? { all: true } : { roots: selected },
    config.privilegeRules,
  );
  const known = new Set<string>();
  const take = async (pages: AsyncIterable<DirectoryGroupEntry[]>) => {
    for await (const page of pages) {
      index.add(page);
      if (sync === 'all') for (const entry of page) known.add(lower(entry.distinguishedName));
    }
  };
  if (sync === 'all') await take(session.groupPages(base));
  const roots = rootsOf(config).filter((dn) => !known.has(dn));
  if (roots.length > 0) await take(session.groupPages(base, roots));
  await takePrimaryGroups(session, index, baseDn, user);
  const goneRules = await unreadRules(session, config, base, index);
  return { index, inUse: true, ...(goneRules.length > 0 ? { goneRules } : {}) };
}

/** Up to this many groups read, the primary group read asks only for the users of their RIDs. */
const PRIMARY_RIDS_ASKED = 100;
/** The RID of a domain's Domain Users group (MS-DTYP 2.4.2.4: DOMAIN_GROUP_RID_USERS). */
const DOMAIN_USERS = 513;

/**
 * The users' primary groups (primaryGroupID: Domain Users for most; a membership no group's `member` lists),
 * taken into the index as direct memberships (group-membership.ts): those of the users under the users' base DN
 * (a group's members are the synchronized users), or of the one `user` (explain). When few groups were read (the
 * selected groups and the rules'), only the users whose primaryGroupID is one of their RIDs are read; the group
 * of a user's primary group is matched by its whole SID (the user's domain's), never by the RID alone.
 */
async function takePrimaryGroups(
  session: DirectorySession,
  index: MembershipIndex,
  baseDn: string,
  user: string | undefined,
): Promise<void> {
  const rids = [...new Set(index.groupSids.map((sid) => Number(sid.slice(sid.lastIndexOf('-') + 1))))];
  if (rids.length === 0) return;
  // Many groups: every user, unless none of them is a domain's Domain Users (513, most users' primary group;
  // `all` under an OU of the directory's own groups, say): then only the users whose primary group is another.
  const asked =
    rids.length <= PRIMARY_RIDS_ASKED
      ? rids
      : rids.includes(DOMAIN_USERS)
        ? undefined
        : { except: DOMAIN_USERS };
  const pages = user
    ? session.primaryGroupPages(user, asked, 'base')
    : session.primaryGroupPages(baseDn, asked);
  for await (const page of pages) index.addPrimaryMembers(page);
}

/**
 * The rules whose group the read did not find, by index: each DN looked up. One that names something else than
 * a group (a user, an OU) is a configuration error that fails the run, naming the rule, before anything is
 * written. One whose DN the directory does not have (the group deleted, or renamed: its DN changed) gives
 * nothing: its members lose what it gave, as they would on leaving the group, and the groups step says so; a
 * run does not stop for a group an AD administrator removed. A DN outside the directory's domain is a
 * configuration error too. A failed lookup fails the run.
 */
async function unreadRules(
  session: DirectorySession,
  config: Config,
  base: string,
  index: MembershipIndex,
): Promise<number[]> {
  const gone: number[] = [];
  const notGroups: { path: string; message: string }[] = [];
  for (const [i, rule] of config.privilegeRules.entries()) {
    if (index.hasGroup(rule.group)) continue;
    try {
      await session.assertExists(rule.group, `the group of privilegeRules.${i}`);
      notGroups.push({
        path: `privilegeRules.${i}.group`,
        message: `${rule.group} is not a group under ${base}`,
      });
    } catch (error) {
      if (!(error instanceof NoSuchObjectError)) throw error;
      // A DN of another domain (AD's referral) was never a group this directory has: a configuration error.
      if (error instanceof OutsideDomainError) {
        notGroups.push({ path: `privilegeRules.${i}.group`, message: error.message });
        continue;
      }
      gone.push(i);
    }
  }
  if (notGroups.length > 0) {
    const listed = notGroups.map((d) => `${d.path}: ${d.message}`).join('; ');
    throw new ValidationError(`Invalid configuration: ${listed}`, notGroups);
  }
  return gone;
}

/** An empty read: no group is synchronized and no rule applies (what a configuration without groups keeps). */
export const noGroups = (): GroupRead => ({ index: new MembershipIndex({ roots: [] }, []), inUse: false });

/**
 * The groups a run reads. Those it uses are read before the users are planned (`after` undefined): a user the
 * run creates is created with its groups. An incremental run reads none when no group changed since the
 * last clean pass (uSNChanged, and the groups' objectGUIDs enumerated); it reads them all once the users are
 * planned if their plan changes what the groups hold (affectsGroups: a user created, renamed, moved or gone).
 * Without groups in use, once the users are planned: an empty read on a full read when an earlier pass left
 * group data (its mark: one read, never a listing of the users), which clears it; nothing otherwise, so such
 * a run has no groups step. A failed read is the groups step's failure.
 */
export async function readGroupsOfRun(
  run: GroupRunContext,
  after?: { readonly scope: ReadScope; readonly affected: boolean; readonly early: GroupRead | undefined },
): Promise<GroupRead | undefined> {
  if (!groupsInUse(run.config)) {
    const fullRead = after !== undefined && after.scope.incremental === undefined;
    return fullRead && (await run.groups.hasGroupData()) ? noGroups() : undefined;
  }
  if (after && !(after.early?.unchanged && after.affected)) return after.early;
  const started = performance.now();
  try {
    // The run's group-data mark, before it writes anything its groups give (a create carries its group fields,
    // early groups and the pass write later): a run without groups then knows to clear them.
    if (!after && !run.dryRun) await run.groups.markGroupData(true);
    return await readGroupsIncrementally(run, !after);
  } catch (error) {
    run.steps.add({
      name: 'groups',
      ok: false,
      ms: Math.round(performance.now() - started),
      message: errorOf(error).message,
    });
    throw error;
  }
}

/** The groups, or none when an incremental run may (`mayskip`) and no group changed; see readGroupsOfRun. */
async function readGroupsIncrementally(run: GroupRunContext, mayskip: boolean): Promise<GroupRead> {
  const { session, config, cursors } = run;
  const baseDn = baseDnOf(config, session);
  const base = groupBasesOf(config, baseDn, session.rootDse.defaultNamingContext).changes;
  if (run.dryRun || !cursors) return readGroups(session, config, baseDn);
  // Where the DC stands before the groups are read: a change during the read is read again next time. The
  // objectGUIDs are enumerated before the read too: a group deleted meanwhile makes the next run read again.
  const [cursor, state] = await Promise.all([cursors.getCursor(), session.readSyncState()]);
  const digest = new ScopeDigest();
  for await (const page of session.groupGuidPages(base)) for (const guid of page) digest.add(guid);
  const at = { usn: state.highestCommittedUsn, digest: digest.toString() };
  const fingerprint = fingerprintOf(config, baseDn);
  const incremental =
    mayskip &&
    cursor?.groupsUsn !== undefined &&
    cursor.groupsDigest === at.digest &&
    whyFullRead(cursor, state, fingerprint, run.now, run.fullReadEveryHours ?? 24) === undefined;
  if (incremental && !(await anyGuid(session.groupGuidPages(base, (cursor.groupsUsn ?? 0) + 1))))
    return { ...noGroups(), inUse: true, unchanged: true, state: at };
  return { ...(await readGroups(session, config, baseDn)), state: at };
}

/** Whether a search of objectGUIDs finds any (its first page tells). */
async function anyGuid(pages: AsyncIterable<string[]>): Promise<boolean> {
  for await (const page of pages) if (page.length > 0) return true;
  return false;
}

/**
 * Whether a planned write changes what the groups hold: a user created, restored, deleted or suspended, or
 * one whose name, DN or objectGUID changes (a group's members are listed by name and matched by DN). A new
 * display name or address does not.
 */
export function affectsGroups(change: PlannedChange): boolean {
  if (change.action !== 'update') return change.action !== 'unchanged' && change.action !== 'conflict';
  return change.changedFields.some(
    (f) => f === 'userName' || f === 'distinguishedName' || f === 'objectGuid',
  );
}

/**
 * What the groups of the user with this DN would give it at the next run, and why (explain): the groups read
 * as a run reads them. Undefined when the configuration uses no groups.
 */
export async function explainMembership(
  session: DirectorySession,
  config: Config,
  baseDn: string,
  distinguishedName: string,
): Promise<MembershipExplanation | undefined> {
  if (!groupsInUse(config)) return undefined;
  return (await readGroups(session, config, baseDn, distinguishedName)).index.explain(distinguishedName);
}

/**
 * A create with what its groups give it, when the run read them first (Test Settings: and why, for its
 * report); any other change as planned.
 */
export function withMemberships(
  change: PlannedChange,
  read: GroupRead | undefined,
  why: boolean,
): PlannedChange {
  if (change.action !== 'create' || !read || read.unchanged) return change;
  const dn = change.target.distinguishedName;
  const memberships = why ? read.index.explain(dn) : read.index.membershipOf(dn);
  const { groups, groupPrivileges, groupArchiveAccess } = memberships;
  if (groups.length + groupPrivileges.length + groupArchiveAccess.length === 0) return change;
  return { ...change, memberships: why ? memberships : { groups, groupPrivileges, groupArchiveAccess } };
}
