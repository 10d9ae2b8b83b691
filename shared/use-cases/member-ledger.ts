/**
 * What the group pass needs of the user database, kept from the run's one listing of it (plan-run.ts, taken
 * after the groups were read) and from the run's writes as they commit, so that the pass does not list the
 * users back (on DynamoDB Local a listing costs about the square of the table; docs/performance.md#groups):
 *
 *   - who holds each DN the groups name: its name and objectGUID, for the groups' members;
 *   - how many users each privilege rule gives something;
 *   - which users' groups or group privileges may differ from what their groups give them now: a listed user
 *     whose stored ones differ, and a user a write of the run moved, renamed, re-anchored or restored, or
 *     whose write was refused or found in place (what it holds is unknown). Only those are read back, by
 *     objectGUID through the guid index (eventually consistent on AWS, as the listing it replaces), and
 *     planned; a create carries what its groups give (sync-groups.ts, withMemberships), a delete is gone.
 *
 * Valid only for a pass with the very groups read the listing was compared against, once the listing is
 * complete (`complete`); otherwise the pass lists the users (group-pass.ts).
 *
 * Memory: it lives from the listing to the end of the pass, beside the users' apply. A holder is an id's
 * 16 bytes of objectGUID and a name's UTF-8 bytes in two buffers (Holders): about 30 bytes a holder, 3 MB
 * for 100,000 users in 10,000 groups where their names and objectGUIDs as strings took 12 MB.
 */
import { type MembershipIndex, NO_MEMBERSHIP, type UserMembership } from '../domain/group-membership';
import { changedMembershipFields } from '../domain/plan-groups';
import type { PlannedChange } from '../domain/plan-sync';
import type { DirectoryEntry, User } from '../domain/user';

const lower = (dn: string): string => dn.toLowerCase();

/** An objectGUID as formatObjectGuid writes it: kept as its 16 bytes (others, as given). */
const CANONICAL_GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const GUID_BYTES = 16;
const GUID_TEXT = 36;
const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');
const NO_NAME = -1;
const SEEN = 1;
const DOUBT = 2;
/** A name's length with this bit: it is not ASCII (read as UTF-8). */
const NOT_ASCII = 0x8000;

/**
 * Who holds each id, compactly (the ledger lives from the listing to the end of the pass, beside the users'
 * apply): an objectGUID is 16 bytes of one buffer, a name the UTF-8 bytes of another that grows, appended to
 * (a name taken again, after a rename, leaves its old bytes: few). Nothing read keeps a page of it alive.
 */
class Holders {
  private readonly guidBytes: Buffer;
  /** Where each id's holder's name starts in `nameBytes`, or NO_NAME for an id without a holder. */
  private readonly nameAt: Int32Array;
  private readonly nameLength: Uint16Array;
  private nameBytes: Buffer;
  private nameEnd = 0;
  /** Holders whose objectGUID is not in the canonical form (none from the directory): as given. */
  private readonly oddGuids = new Map<number, string>();
  private readonly guidText = Buffer.from('00000000-0000-0000-0000-000000000000', 'latin1');

  constructor(ids: number) {
    this.guidBytes = Buffer.alloc(ids * GUID_BYTES);
    this.nameAt = new Int32Array(ids).fill(NO_NAME);
    this.nameLength = new Uint16Array(ids);
    this.nameBytes = Buffer.alloc(Math.max(1024, ids * 8));
  }

  has(id: number): boolean {
    return (this.nameAt[id] as number) !== NO_NAME;
  }

  set(id: number, userName: string, guid: string): void {
    const length = Buffer.byteLength(userName);
    if (this.nameEnd + length > this.nameBytes.length) {
      const grown = Buffer.alloc(Math.max(this.nameBytes.length * 2, this.nameEnd + length));
      this.nameBytes.copy(grown, 0, 0, this.nameEnd);
      this.nameBytes = grown;
    }
    this.nameBytes.write(userName, this.nameEnd, 'utf8');
    this.nameAt[id] = this.nameEnd;
    this.nameLength[id] = length === userName.length ? length : length | NOT_ASCII;
    this.nameEnd += length;
    if (CANONICAL_GUID.test(guid)) {
      this.guidBytes.write(guid.replaceAll('-', ''), id * GUID_BYTES, 'hex');
      this.oddGuids.delete(id);
    } else this.oddGuids.set(id, guid);
  }

  clear(id: number): void {
    this.nameAt[id] = NO_NAME;
    this.oddGuids.delete(id);
  }

  nameOf(id: number): string | undefined {
    const at = this.nameAt[id] as number;
    if (at === NO_NAME) return undefined;
    const length = this.nameLength[id] as number;
    return length & NOT_ASCII
      ? this.nameBytes.toString('utf8', at, at + (length & ~NOT_ASCII))
      : this.nameBytes.toString('latin1', at, at + length);
  }

  guidOf(id: number): string | undefined {
    if (!this.has(id)) return undefined;
    const odd = this.oddGuids.get(id);
    if (odd !== undefined) return odd;
    // Written into one scratch buffer and read as one string: no string pieces to join (userOf is asked once a
    // membership, a million times for 100,000 users in 10,000 groups).
    const text = this.guidText;
    let at = 0;
    for (let i = id * GUID_BYTES, end = i + GUID_BYTES; i < end; i += 1) {
      if (at === 8 || at === 13 || at === 18 || at === 23) at += 1;
      const byte = this.guidBytes[i] as number;
      text[at] = HEX_DIGITS[byte >> 4] as number;
      text[at + 1] = HEX_DIGITS[byte & 15] as number;
      at += 2;
    }
    return text.toString('latin1', 0, GUID_TEXT);
  }
}

export class MemberLedger {
  private readonly holders: Holders;
  private readonly ruleCounts: number[];
  /** The rules (indexes) that give the holder of an id something, for the ids whose holder has any. */
  private readonly heldRules = new Map<number, number[]>();
  /** Users to read back and plan (objectGUIDs); see the module comment. */
  private readonly suspects = new Set<string>();
  /** Users this run deleted. */
  private readonly gone = new Set<string>();
  private listed = false;
  /** Per id: whether the read met its DN (SEEN), and whether its holder is in doubt until the pass (DOUBT). */
  private readonly state: Uint8Array;
  /** Per id: the planned writes naming its DN not applied yet. */
  private readonly pending: Uint16Array;
  /** Told when ids may have settled (a page read, a batch applied): early-groups.ts. */
  onSettled: (() => void) | undefined;

  constructor(readonly index: MembershipIndex) {
    this.holders = new Holders(index.idCount);
    this.ruleCounts = index.rules.map(() => 0);
    this.state = new Uint8Array(index.idCount);
    this.pending = new Uint16Array(index.idCount);
  }

  /**
   * Whether the holder of an id is what the pass would find, for a group written before it (early-groups.ts):
   * a group's own DN; or a DN the read met, with no write naming it pending, and no doubt (a write refused,
   * failed or moving a user; a user read out of scope, or a user the listing put at another user's DN).
   * Ids never met (a contact, a user outside the base DN, a user gone from AD) settle only in the pass.
   */
  settled(id: number): boolean {
    if (this.index.isGroupId(id)) return true;
    return this.state[id] === SEEN && this.pending[id] === 0;
  }

  /** A write was planned (emitted to the queue): the ids of its DNs wait for it. */
  planned(change: PlannedChange): void {
    for (const id of this.idsOf(change)) {
      this.pending[id] = (this.pending[id] as number) + 1;
      // Met already (a write decided after its page: a deferred conflict, a delete): a group written since
      // may name another holder than the pass will.
      if (((this.state[id] as number) & SEEN) !== 0) this.doubt(id);
    }
  }

  /** A page of the read, once planned: `excluded` the objectGUIDs out of scope. */
  seen(entries: readonly DirectoryEntry[], excluded: ReadonlyMap<string, unknown>): void {
    for (const entry of entries) {
      const id = this.index.idOf(entry.distinguishedName);
      if (id === undefined) continue;
      this.state[id] = (this.state[id] as number) | SEEN;
      const holder = this.holders.guidOf(id);
      const other = holder !== undefined && holder !== entry.objectGuid && this.pending[id] === 0;
      if ((holder !== undefined && excluded.has(entry.objectGuid)) || other) this.doubt(id);
    }
    this.onSettled?.();
  }

  /** Whether the whole database was listed into it. */
  get complete(): boolean {
    return this.listed;
  }

  /** A user of the database as listed before the run wrote anything (local users are not the pass's). */
  take(user: User): void {
    const membership = this.holdUser(user);
    if (membership && changedMembershipFields(user, membership).length > 0)
      this.suspects.add(user.objectGuid as string);
  }

  /**
   * Takes a directory user as the holder of its DN (when some group names it): what its groups give it, or
   * undefined for a user the pass leaves alone (a local one, or one without an objectGUID).
   */
  holdUser(user: User): UserMembership | undefined {
    if (user.authentication !== 'directoryServices' || !user.objectGuid) return undefined;
    return this.hold(user.objectGuid, user.userName, user.distinguishedName);
  }

  /** The listing is complete. */
  listingEnded(): void {
    this.listed = true;
  }

  /** A batch of the run's writes once applied: `applied` holds those committed (the rest were not). */
  written(batch: readonly PlannedChange[], applied: ReadonlySet<PlannedChange>): void {
    for (const change of batch) {
      const ok = applied.has(change);
      const ids = this.idsOf(change);
      for (const id of ids) this.pending[id] = Math.max(0, (this.pending[id] as number) - 1);
      if (!ok || (change.action !== 'create' && change.action !== 'update'))
        for (const id of ids) this.doubt(id);
      if (change.action === 'create') {
        const guid = change.target.objectGuid;
        const given = change.memberships ?? NO_MEMBERSHIP;
        const target = ok
          ? this.hold(guid, change.target.userName, change.target.distinguishedName)
          : undefined;
        if (!target || changedMembershipFields(given, target).length > 0) this.suspects.add(guid);
      } else if (change.action === 'delete' || change.action === 'suspend') {
        if (change.withheld || !change.current.objectGuid) continue;
        if (!ok) this.suspects.add(change.current.objectGuid);
        else if (change.action === 'delete') this.gone.add(change.current.objectGuid);
      } else if (change.action === 'update' || change.action === 'restore') {
        // An update keeps what the user holds from its groups; a new DN, name or objectGUID may change what
        // the groups give it and who holds a DN (a restore: read back all the same, they are few).
        const moved =
          change.action === 'restore' ||
          change.current.distinguishedName !== change.target.distinguishedName ||
          change.current.userName !== change.target.userName ||
          change.current.objectGuid !== change.target.objectGuid;
        if (!ok || moved) {
          if (change.current.objectGuid) this.suspects.add(change.current.objectGuid);
          this.suspects.add(change.target.objectGuid);
          for (const id of ids) this.doubt(id);
        }
      }
    }
    this.onSettled?.();
  }

  /** The ids of the DNs a write names (before and after). */
  private idsOf(change: PlannedChange): number[] {
    const dns =
      change.action === 'create'
        ? [change.target.distinguishedName]
        : change.action === 'update' || change.action === 'restore'
          ? [change.current.distinguishedName, change.target.distinguishedName]
          : change.action === 'delete' || change.action === 'suspend'
            ? [change.current.distinguishedName]
            : [];
    const ids: number[] = [];
    for (const dn of dns) {
      const id = dn === undefined ? undefined : this.index.idOf(dn);
      if (id !== undefined && !ids.includes(id)) ids.push(id);
    }
    return ids;
  }

  private doubt(id: number): void {
    this.state[id] = (this.state[id] as number) | DOUBT;
  }

  /**
   * The users to plan, as the database holds them now: the suspects read back by objectGUID, `size` at a
   * time, each taken anew (who holds its DN). Users deleted by the run are no DN's holder any more.
   */
  async *suspectPages(
    findUsers: (guids: readonly string[]) => Promise<User[]>,
    size: number,
  ): AsyncGenerator<{ user: User; target: UserMembership }[]> {
    for (const guid of this.gone) this.suspects.delete(guid);
    const release = new Set([...this.gone, ...this.suspects]);
    if (release.size > 0)
      for (let id = 0; id < this.index.idCount; id += 1) {
        const guid = this.holders.guidOf(id);
        if (guid !== undefined && release.has(guid)) this.release(id);
      }
    const wanted = [...this.suspects];
    for (let start = 0; start < wanted.length; start += size) {
      const page: { user: User; target: UserMembership }[] = [];
      for (const user of await findUsers(wanted.slice(start, start + size))) {
        const target = this.holdUser(user);
        if (target) page.push({ user, target });
      }
      yield page;
    }
  }

  /** The user holding the DN of this id, if any (for the groups' members). */
  userOf(id: number): { readonly userName: string; readonly objectGuid: string } | undefined {
    const userName = this.holders.nameOf(id);
    const objectGuid = this.holders.guidOf(id);
    return userName && objectGuid ? { userName, objectGuid } : undefined;
  }

  /** Per privilege rule (the configuration's order): how many holders it gives something. */
  get ruleMembers(): readonly number[] {
    return this.ruleCounts;
  }

  /** Takes the user as the holder of its DN (when some group names it); what its groups give it. */
  private hold(guid: string, userName: string, dn: string | undefined): UserMembership {
    const id = dn === undefined ? undefined : this.index.idOf(dn);
    if (dn === undefined || id === undefined) return NO_MEMBERSHIP;
    if (this.holders.has(id)) this.release(id);
    this.holders.set(id, userName, guid);
    const membership = this.index.membershipOf(dn);
    if (membership.rules.length > 0) {
      const rules = this.index.rules.flatMap((rule, i) =>
        membership.rules.some((group) => lower(group) === lower(rule.group)) ? [i] : [],
      );
      this.heldRules.set(id, rules);
      for (const i of rules) this.ruleCounts[i] = (this.ruleCounts[i] ?? 0) + 1;
    }
    return membership;
  }

  /** The DN of this id has no holder any more. */
  private release(id: number): void {
    this.holders.clear(id);
    for (const i of this.heldRules.get(id) ?? []) this.ruleCounts[i] = (this.ruleCounts[i] ?? 0) - 1;
    this.heldRules.delete(id);
  }
}
