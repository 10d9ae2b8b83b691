/**
 * The read-and-plan half of a run (search -> filter -> plan), a page at a time:
 *
 *   settle the read (read-scope.ts: base DN, groups, full or incremental) -> list the database once into a
 *   compact ledger
 *   -> for each page: policy and mapping, look up what may have changed, planSync the page, emit the writes
 *   -> decide the names whose holder the read had not yet seen -> sweep for deletes (deletion threshold).
 *
 * Nothing is written here: the planned writes are emitted (a sync queues them for its applier, which writes
 * them while the read goes on; Test Settings lists them). A page's creates, updates and restores are planned
 * against the database as committed, each right on its own; what depends on the whole read (a name whose
 * holder the read had not seen, deletes and suspensions) is decided only after a complete read, once the
 * writes emitted during the read are committed (`onReadEnd`).
 */
import type { Config } from '../config/config-schema';
import { GuidLedger } from '../domain/guid-ledger';
import {
  type DeleteCandidate,
  deleteReason,
  earliest,
  graceEndsAt,
  planDeletes,
} from '../domain/plan-deletes';
import { type PlannedChange, planSync } from '../domain/plan-sync';
import type { DeletionHold, ReportChange, ReportExclusion } from '../domain/report';
import type { ExclusionReason } from '../domain/scope-policy';
import type { DirectoryEntry, MappedUser, User } from '../domain/user';
import type { DirectorySession } from '../ports/directory-reader';
import type { RunCheckpoint } from '../ports/run-checkpoint';
import { AttributeMapper } from './attribute-mapper';
import { prepareRead, type ReadScope } from './read-scope';
import { RenamedReferents } from './renamed-referents';
import type { SyncDependencies } from './run-dependencies';
import type { ListingReader, PlanSink, RunPlan } from './run-plan';
import { changesIn, previewWithAttributes, type StepTimer, type Tally, toReportChange } from './run-report';
import { fieldsHash, HASH_BYTES, nameHash } from './user-hashes';

export type { RunPlan } from './run-plan';

export interface PlanRunInput extends PlanSink {
  readonly deps: SyncDependencies;
  readonly config: Config;
  readonly session: DirectorySession;
  readonly dryRun: boolean;
  readonly now: Date;
  /**
   * Deletes an administrator approved above the threshold: applied only when the run finds exactly this
   * many (the withheld deletes of the run they saw), else held back again.
   */
  readonly approvedDeletes?: number;
  /** Set when this run must apply no deletes at all (why): they are reported as withheld. */
  readonly deletesRefused?: DeletionHold;
  /** The checkpoint of the run's earlier invocations, when this one continues it. */
  readonly checkpoint?: RunCheckpoint;
  readonly timer: StepTimer;
}

/**
 * Reads the directory a page at a time and plans the run; see the module comment. Yields what each step
 * found (a page, the deferred names, the sweep) for the run to add up, and returns the plan; or undefined
 * when `signal` stopped it (the read left unfinished, nothing deleted).
 */
export function planRun(input: PlanRunInput): AsyncGenerator<Tally, RunPlan | undefined> {
  return new RunPlanner(input).plan();
}

const GONE = deleteReason();
const LEFT_GROUPS = deleteReason(['notInSelectedGroups']);

class RunPlanner {
  /** Every directory user read, with its exclusion reasons: the sweep's record of what the directory holds. */
  private readonly read = new GuidLedger(1024);
  private listener: ListingReader | undefined;
  /** The database's directory users (objectGUID and a hash of the maintained fields), for a sweeping run. */
  private known: GuidLedger | undefined;
  /** objectGUIDs of the database's suspended users (few): one read in scope is restored, not unchanged. */
  private readonly suspended = new Set<string>();
  /** A hash of every name the database holds. */
  private knownNames: GuidLedger | undefined;
  /** Directory users of the database without an objectGUID (stored before anchoring). */
  private readonly unanchored: string[] = [];
  /** Targets whose name a directory user holds that the read has not seen yet: decided after the read. */
  private readonly deferred: MappedUser[] = [];
  /** Database users adopted by a recreated directory account (their old objectGUID is gone, not them). */
  private readonly adopted = new Set<string>();
  /** Users this incremental read found out of scope: the database may hold them. */
  private readonly excludedGuids: string[] = [];
  private readonly planned = { created: 0, updated: 0, deleted: 0, suspended: 0, restored: 0 };
  private population = 0;
  /** Database users the plan has decided on (unchanged, updated, deleted). */
  private touchedExisting = 0;
  private unsettled = false;
  private scope!: ReadScope;
  private mapper!: AttributeMapper;
  /** On an incremental read with `userName` rules: the renamed users whose referents are read again. */
  private referents: RenamedReferents | undefined;
  private readonly preview = previewWithAttributes();

  constructor(private readonly input: PlanRunInput) {}

  private get full(): boolean {
    return this.scope.incremental === undefined;
  }

  async *plan(): AsyncGenerator<Tally, RunPlan | undefined> {
    const { deps, config, session, timer } = this.input;
    this.scope = await timer.time('search', () =>
      prepareRead(deps, config, session, this.input.dryRun, this.input.now),
    );
    this.mapper = AttributeMapper.of(config, session);
    this.referents = RenamedReferents.of(config.mapping, this.scope);
    const groups = config.filters.groups.length > 0;
    const { cursor, incremental } = this.scope;
    const listener = await this.input.onScope?.(this.scope);
    this.listener = listener;
    // A full read, a scope whose objectGUIDs changed (someone may have left), changed group members (leavers
    // and joiners are found in the database) or an unknown population list the database; otherwise an
    // incremental read looks up only the users it read. (A suspension whose grace period has ended makes a
    // full read: the cursor says when; whyFullRead.)
    if (
      this.full ||
      incremental?.scopeChanged === true ||
      incremental?.membersChanged === true ||
      cursor?.directoryUsers === undefined
    ) {
      await timer.time('plan', () => this.listDatabase(listener));
    } else {
      this.population = cursor?.directoryUsers ?? 0;
    }
    const { signal } = this.input;
    await this.input.onReadStart?.(this.scope, this.input.checkpoint?.population ?? this.population);

    const pages = session.userPages(this.scope.baseDn, this.scope.incremental?.since)[Symbol.asyncIterator]();
    while (true) {
      const next = await timer.time('search', () => pages.next());
      if (next.done) break;
      yield await this.planPage(next.value);
      if (signal?.aborted) return undefined;
    }
    const { known, scope } = this;
    // Joining a group changes the group, not the user: members the database lacks, or holds suspended, are read
    // by objectGUID. Then the users naming a user the read found renamed (renamed-referents.ts).
    const lacking = (g: string) => known && (!known.has(g) || this.suspended.has(g)) && !this.read.has(g);
    const joined = !this.full && groups && known ? [...scope.groupMemberGuids].filter(lacking) : [];
    if (joined.length > 0)
      yield await this.planPage(
        await timer.time('search', () => session.readUsersByGuid(scope.baseDn, joined)),
      );
    const named = await this.referents?.read(session, this.read, timer);
    if (named?.length) yield await this.planPage(named);
    await this.input.onReadEnd?.();
    if (signal?.aborted) return undefined;
    if (this.deferred.length > 0) yield await timer.time('plan', () => this.decideDeferred());
    const { tally, ...deletes } = await timer.time('plan', () => this.sweep());
    yield tally;
    return {
      scope: this.scope,
      planned: this.planned,
      unsettled: this.unsettled,
      population: this.input.checkpoint?.population ?? this.population,
      ...deletes,
    };
  }

  /**
   * Reads the database once, before the directory, into compact ledgers: each directory user's objectGUID
   * with a hash of its maintained fields (an unchanged user needs no lookup), and a hash of every name (a
   * name it does not hold is not looked up). The database is not held in memory either; `listener` takes each
   * user too (a sync's member ledger).
   */
  private async listDatabase(listener: ListingReader | undefined): Promise<void> {
    const expected = this.scope.cursor?.directoryUsers ?? 1024;
    const guids = new GuidLedger(expected, HASH_BYTES);
    const names = new GuidLedger(expected);
    for await (const page of this.input.deps.users.userPages()) {
      for (const user of page) {
        listener?.take(user);
        names.add(nameHash(user.userName));
        if (user.authentication !== 'directoryServices') continue;
        this.population += 1;
        if (user.objectGuid) guids.add(user.objectGuid, [], fieldsHash(user));
        else this.unanchored.push(user.userName);
        if (user.objectGuid && user.suspendedAt) this.suspended.add(user.objectGuid);
      }
    }
    this.known = guids;
    this.knownNames = names;
    listener?.listingEnded();
  }

  private async planPage(entries: readonly DirectoryEntry[]): Promise<Tally> {
    const { timer } = this.input;
    const { inScope, excluded, exclusions } = await timer.time('filter', () => this.filterPage(entries));
    const planned = await timer.time('plan', async () => {
      // Users the database holds with the same maintained fields are unchanged: no lookup, no plan.
      const toPlan: MappedUser[] = [];
      let unchanged = 0;
      for (const target of inScope) {
        const same = this.known?.valueOf(target.objectGuid)?.equals(fieldsHash(target));
        if (same && !this.suspended.has(target.objectGuid)) {
          unchanged += 1;
          this.touchedExisting += 1;
        } else {
          toPlan.push(target);
        }
      }
      const plan = planSync({
        inScope: toPlan,
        excluded,
        current: toPlan.length > 0 ? await this.lookup(toPlan) : [],
        // Deletes wait for the sweep after the read, where the deletion threshold sees all of them.
        readComplete: false,
        ...(this.scope.incremental ? { deletedInDirectory: notIn(this.scope.incremental.inScope) } : {}),
      });
      const taken = await this.take(plan.changes, false);
      this.listener?.seen?.(entries, excluded);
      return { ...taken, counts: { ...taken.counts, unchanged: (taken.counts?.unchanged ?? 0) + unchanged } };
    });
    return {
      ...planned,
      counts: {
        ...planned.counts,
        directoryUsers: entries.length,
        inScope: inScope.length,
        excluded: excluded.size,
      },
      exclusions,
    };
  }

  /**
   * The digest the cursor keeps must cover every user the database may hold after this run: each user a full
   * read returns, and each one an incremental read returns that its enumeration had not seen (created in or
   * moved into the base DN since, or a joiner read by objectGUID). Left out, such a user who leaves before the
   * next run would leave the next enumeration equal to the digest, and would not be found.
   */
  private takeIntoDigest(guid: string): void {
    const { incremental, scopeDigest } = this.scope;
    if (incremental ? incremental.inScope.add(guid) : !this.read.has(guid)) scopeDigest.add(guid);
  }

  /** The scope policy, then the mapping (a failed rule: `mappingFailed`, kept in the database as it is). */
  private async filterPage(entries: readonly DirectoryEntry[]) {
    const inScope: MappedUser[] = [];
    const excluded = new Map<string, readonly ExclusionReason[]>();
    const exclusions: ReportExclusion[] = [];
    const { filters } = this.input.config;
    const scope = { filters, groupMemberGuids: this.scope.groupMemberGuids };
    for (const { entry, reasons, user, failure } of await this.mapper.scopeAndMap(entries, scope)) {
      this.takeIntoDigest(entry.objectGuid);
      this.read.add(entry.objectGuid, reasons);
      if (user) inScope.push(user);
      if (reasons.length === 0) continue;
      excluded.set(entry.objectGuid, reasons);
      if (!this.full) this.excludedGuids.push(entry.objectGuid);
      exclusions.push({
        userName: entry.sAMAccountName,
        distinguishedName: entry.distinguishedName,
        reasons,
        ...(failure ? { detail: failure } : {}),
      });
    }
    return { inScope, excluded, exclusions };
  }

  /**
   * The database users a page's targets may concern. With the ledgers: by name for the names the database
   * holds, and by objectGUID for users it holds under another name (renamed in AD). Without: both, for all.
   */
  private async lookup(targets: readonly MappedUser[]): Promise<User[]> {
    const { users } = this.input.deps;
    const { known, knownNames } = this;
    if (!known || !knownNames) {
      return users.findUsers(
        targets.map((t) => t.objectGuid),
        targets.map((t) => t.userName),
      );
    }
    const names = targets.map((t) => t.userName).filter((name) => knownNames.has(nameHash(name)));
    const byName = names.length > 0 ? await users.findUsers([], names) : [];
    const found = new Set(byName.map((u) => u.objectGuid));
    const renamed = targets.map((t) => t.objectGuid).filter((g) => !found.has(g) && known.has(g));
    if (renamed.length === 0) return byName;
    const seen = new Set(byName.map((u) => key(u.userName)));
    return [...byName, ...(await users.findUsers(renamed, [])).filter((u) => !seen.has(key(u.userName)))];
  }

  /**
   * Takes planned changes: emits the writes, defers what the read must decide, and counts the rest. The
   * report lists the conflicts, and for Test Settings (nothing applied) the writes too, in plan order.
   */
  private async take(changes: readonly PlannedChange[], decided: boolean): Promise<Tally> {
    const { emit, dryRun } = this.input;
    let unchanged = 0;
    let conflicts = 0;
    const listed: ReportChange[] = [];
    for (const change of changes) {
      this.referents?.note(change);
      if (change.action === 'unchanged') {
        unchanged += 1;
        this.touchedExisting += 1;
      } else if (change.action === 'conflict') {
        if (change.undecided && this.full && !decided) {
          this.deferred.push(change.target);
          continue;
        }
        this.unsettled ||= change.unsettled;
        conflicts += 1;
        listed.push(toReportChange(change));
      } else if (change.action === 'create') {
        this.planned.created += 1;
        const written = (await emit(change)) ?? change;
        if (dryRun) listed.push(this.preview(written as typeof change));
      } else if (change.action === 'update' || change.action === 'restore') {
        if (change.action === 'update') this.planned.updated += 1;
        else this.planned.restored += 1;
        this.touchedExisting += 1;
        if (change.current.objectGuid !== change.target.objectGuid)
          this.adopted.add(key(change.current.userName));
        await emit(change);
        if (dryRun) listed.push(this.preview(change));
      }
    }
    return { counts: { unchanged, conflicts }, changes: changesIn('planned', listed) };
  }

  /** The read is complete: a name's holder it did not return is gone, and the name can be adopted. */
  private async decideDeferred(): Promise<Tally> {
    const current = await this.input.deps.users.findUsers(
      [],
      this.deferred.map((t) => t.userName),
    );
    const inDirectory = new Map<string, readonly ExclusionReason[]>();
    const gone = new Set<string>();
    for (const user of current) {
      if (!user.objectGuid) continue;
      const reasons = this.read.reasonsOf(user.objectGuid);
      if (reasons === undefined) gone.add(user.objectGuid);
      else inDirectory.set(user.objectGuid, reasons);
    }
    const plan = planSync({
      inScope: this.deferred,
      excluded: inDirectory,
      current,
      readComplete: false,
      deletedInDirectory: gone,
    });
    return this.take(plan.changes, true);
  }

  /** Why a database user with this objectGUID is to be deleted, or undefined when it stays. */
  private deleteReason(guid: string): string | undefined {
    const reasons = this.read.reasonsOf(guid);
    // A rule that failed on the user is no sign that it left: it stays as it is.
    if (reasons?.includes('mappingFailed')) return undefined;
    if (reasons !== undefined) return reasons.length > 0 ? deleteReason(reasons) : undefined;
    // Gone from the full read, or from the enumeration of the base DN: deleted, moved out, or unreadable.
    if (this.full || !this.scope.incremental?.inScope.has(guid)) return GONE;
    // Left every selected group without a change to the user object.
    if (this.input.config.filters.groups.length > 0 && !this.scope.groupMemberGuids.has(guid))
      return LEFT_GROUPS;
    return undefined;
  }

  /**
   * The sweep: directory users of the database that are gone or out of scope, fetched by objectGUID from
   * the ledger (or, for an incremental read whose enumeration found the same users as the last run's, those
   * it read out of scope), then held back together when they exceed the deletion threshold.
   */
  private async sweep(): Promise<{
    tally: Tally;
    deletionHold?: DeletionHold;
    withheldCount?: number;
    deletionNote: string;
    suspensionsWaitUntil?: string;
  }> {
    const { deps, config, checkpoint, approvedDeletes, deletesRefused } = this.input;
    const exclusions: ReportExclusion[] = [];
    const guids: string[] = [];
    if (this.known) {
      for (const guid of this.known.guids()) if (this.deleteReason(guid)) guids.push(guid);
    } else {
      guids.push(...this.excludedGuids);
    }
    const names = this.full ? this.unanchored : [];
    const found = guids.length + names.length > 0 ? await deps.users.findUsers(guids, names) : [];
    const candidates: DeleteCandidate[] = [];
    for (const user of found) {
      if (user.authentication !== 'directoryServices' || this.adopted.has(key(user.userName))) continue;
      const reason = user.objectGuid ? this.deleteReason(user.objectGuid) : this.full ? GONE : undefined;
      if (!reason) continue;
      candidates.push({ user, reason });
      if (reason === LEFT_GROUPS && !this.read.has(user.objectGuid as string)) {
        exclusions.push({
          userName: user.userName,
          distinguishedName: user.distinguishedName ?? '',
          reasons: ['notInSelectedGroups'],
        });
      }
    }

    const before = checkpoint?.applied ?? { created: 0, updated: 0, deleted: 0 };
    const population = checkpoint?.population ?? this.population;
    this.touchedExisting += candidates.length;
    // An incremental read did not touch the others: unchanged. (Users created by earlier invocations of
    // this run were read and touched, but are not in the population before the run.)
    const untouched = this.full ? 0 : Math.max(0, population - (this.touchedExisting - before.created));

    const decision = planDeletes({
      candidates,
      options: config.options,
      population,
      earlierDeletes: before.deleted + (before.suspended ?? 0),
      now: this.input.now,
      ...(checkpoint?.deletionHold ? { earlierWithheld: checkpoint.deletionHold } : {}),
      ...(approvedDeletes !== undefined ? { approvedDeletes } : {}),
      ...(deletesRefused !== undefined ? { refused: deletesRefused } : {}),
    });
    const waitUntil = earliest(decision.waiting.map(({ user }) => graceEndsAt(user, config.options)));
    for (const change of decision.withheld) this.input.withheld?.(change);
    for (const change of decision.apply) {
      if (change.action === 'suspend') this.planned.suspended += 1;
      else this.planned.deleted += 1;
      await this.input.emit(change);
    }
    return {
      tally: {
        counts: { unchanged: untouched, excluded: exclusions.length },
        exclusions,
        changes: changesIn(
          'planned',
          [...decision.withheld, ...(this.input.dryRun ? decision.apply : [])].map(toReportChange),
        ),
      },
      deletionNote: decision.note,
      ...(waitUntil !== undefined ? { suspensionsWaitUntil: waitUntil } : {}),
      ...(decision.withheldBecause !== undefined
        ? { deletionHold: decision.withheldBecause, withheldCount: decision.withheldCount }
        : {}),
    };
  }
}

/** The objectGUIDs a read did not find, as a set planSync asks. */
const notIn = (found: GuidLedger): Pick<ReadonlySet<string>, 'has'> => ({
  has: (guid) => !found.has(guid),
});

const key = (userName: string): string => userName.toLowerCase();
