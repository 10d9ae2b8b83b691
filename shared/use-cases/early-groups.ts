/**
 * Groups written while the users are still being applied (a sync's, after a complete group read): a group is
 * written once every member it names has settled in the run's member ledger (member-ledger.ts `settled`: the
 * read met the member's DN and the writes naming it are committed), so it names the users the database holds
 * by then. Only creates of groups not stored (a first sync's, a new group's): nothing is updated or deleted
 * before the group pass, which runs after a complete read only, plans every group again against what was
 * written here (a member that changed since is put right there, as an update) and deletes what is gone
 * (group-pass.ts).
 *
 * A write fails the run (as the pass's would) once the writes under way have ended. A refused write (a
 * conflict) is counted; its groups are planned in the pass against the listing, as if not written here.
 */
import type { GroupWithMembers } from '../domain/group';
import { membersHashOf } from '../domain/group';
import type { GroupChange, GroupStore, GroupWriteContext, StoredGroup } from '../ports/group-store';
import type { MemberLedger } from './member-ledger';

/** Ready groups written at a time; fewer wait for more (or the pass). */
const EARLY_CHUNK = 200;

/** What was written before the pass: the stored groups as they are now, and what it did. */
export interface EarlyWrites {
  /** The stored groups (listed before any write here), with what was written here in place. */
  readonly stored: Map<string, StoredGroup>;
  readonly created: number;
  readonly conflicts: number;
  /**
   * Whether the group (index) was created here and its members have stayed settled since (member-ledger.ts:
   * a holder that changed is in doubt): what was written is what the pass would write.
   */
  readonly unchanged: (g: number) => boolean;
}

export class EarlyGroups {
  private readonly listing: Promise<Map<string, StoredGroup>>;
  /** Per group (index): planned here already. */
  private readonly taken: Uint8Array;
  private running: Promise<void> = Promise.resolve();
  private scanning = false;
  private again = false;
  private stopped = false;
  private failure: { error: unknown } | undefined;
  private created = 0;
  /** The groups (indexes) created here. */
  private readonly createdGroups: Set<number> = new Set();
  private conflicts = 0;

  constructor(
    private readonly store: GroupStore,
    private readonly ledger: MemberLedger,
    private readonly context: GroupWriteContext,
  ) {
    this.listing = store.listGroups().then((groups) => new Map(groups.map((g) => [g.objectGuid, g])));
    this.listing.catch(() => {});
    this.taken = new Uint8Array(ledger.index.size);
    ledger.onSettled = () => this.poke();
  }

  /** Stops writing; once the writes under way ended, what was written (throws what failed). */
  async finish(): Promise<EarlyWrites> {
    this.stopped = true;
    this.ledger.onSettled = undefined;
    await this.running;
    if (this.failure) throw this.failure.error;
    const { created, conflicts, createdGroups, ledger } = this;
    const unchanged = (g: number): boolean =>
      createdGroups.has(g) && ledger.index.memberIdsOf(g).every((id) => ledger.settled(id));
    return { stored: await this.listing, created, conflicts, unchanged };
  }

  /** Some ids may have settled: a scan for ready groups, after the one under way. */
  private poke(): void {
    if (this.stopped || this.failure) return;
    if (this.scanning) {
      this.again = true;
      return;
    }
    this.scanning = true;
    this.running = this.scan()
      .catch((error: unknown) => {
        this.failure = { error };
      })
      .finally(() => {
        this.scanning = false;
      });
  }

  private async scan(): Promise<void> {
    do {
      this.again = false;
      const { index } = this.ledger;
      const ready: number[] = [];
      for (let g = 0; g < index.size; g += 1) {
        if (this.taken[g] === 1) continue;
        const ids = index.memberIdsOf(g);
        let settled = true;
        for (let i = 0; i < ids.length && settled; i += 1) settled = this.ledger.settled(ids[i] as number);
        if (settled) ready.push(g);
      }
      if (ready.length < EARLY_CHUNK) return;
      const stored = await this.listing;
      const chosen = new Set(ready);
      const groupOf = new Map<string, number>();
      for (const g of ready) {
        this.taken[g] = 1;
        groupOf.set(index.groupGuidOf(g), g);
      }
      const userOf = (id: number) => this.ledger.userOf(id);
      for (const chunk of index.synchronizedChunks(userOf, EARLY_CHUNK, (g) => chosen.has(g))) {
        if (this.stopped) return;
        await this.write(chunk, stored, groupOf);
      }
    } while (this.again && !this.stopped);
  }

  /** Creates the groups not stored, updates those whose members or fields differ (from the listing's). */
  private async write(
    chunk: readonly GroupWithMembers[],
    stored: Map<string, StoredGroup>,
    groupOf: ReadonlyMap<string, number>,
  ): Promise<void> {
    const changes: GroupChange[] = [];
    for (const target of chunk) {
      const current = stored.get(target.objectGuid);
      if (!current) changes.push({ action: 'create', target, changedFields: [] });
    }
    if (changes.length === 0) return;
    const result = await this.store.applyGroupChanges(changes, this.context);
    this.conflicts += result.conflicts;
    if (result.conflicts > 0) return;
    for (const change of changes) {
      if (change.action !== 'create') continue;
      this.created += 1;
      const g = groupOf.get(change.target.objectGuid);
      if (g !== undefined) this.createdGroups.add(g);
      const { members, ...group } = change.target;
      stored.set(change.target.objectGuid, { ...group, version: 1, membersHash: membersHashOf(members) });
    }
  }
}
