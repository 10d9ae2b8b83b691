/**
 * What the group pass needs of the user database, kept from the run's one listing of it (plan-run.ts, taken
 * after the groups were read) and from the run's writes as they commit, so that the pass does not list the
 * users back (on DynamoDB Local a listing costs about the square of the table; docs/performance.md#groups):
 *
 *   - who holds each DN the groups name: its name and objectGUID, for the groups' members;
 *   - how many users each privilege rule gives something;
 *   - which users' groups or group privileges may differ from what their groups give them now: a listed user
 *     whose stored ones differ, and a user a write of the run moved, renamed, re-anchored or restored, or
 *     whose write was refused or found in place (what it holds is unknown). Only those are read back and
 *     planned; a create carries what its groups give (sync-groups.ts, withMemberships), a delete is gone.
 *
 * Reading back (suspectPages). A suspect is read by the name it is stored under now, with a consistent read
 * (UserStore.findUsers by name: BatchGetItem with ConsistentRead), and an item is taken only when it carries
 * the objectGUID it was read for. The guid index cannot be asked instead: on AWS it is eventually consistent,
 * so a user created, renamed or re-anchored in the run's last batch may come back from it as it was (an old
 * name or DN) or not at all, and the pass would name a stale holder or miss one. So the ledger keeps, per
 * suspect, the names it may be stored under: the target name of a committed create, update or restore (no
 * one else renames a directory user while the run holds its lock); both the current and the target name of a write not
 * committed (refused, failed, or found in place: applied by an earlier attempt); the listed name of a user
 * taken from the listing (replaced by a later write's). Only a suspect not found so (a failed create whose
 * name another user holds, the old objectGUID of a re-anchored user) is looked up in the guid index, and each
 * item it names is read again by name and kept only if it still carries that objectGUID: the index only says
 * where to look, so every user the pass plans was read consistently.
 *
 * Valid only for a pass with the very groups read the listing was compared against, once the listing is
 * complete (`complete`); otherwise the pass lists the users (group-pass.ts).
 *
 * Memory: it lives from the listing to the end of the pass, beside the users' apply. A holder is an id's
 * 16 bytes of objectGUID and a name's UTF-8 bytes in two buffers (Holders): about 30 bytes a holder, 3 MB
 * for 100,000 users in 10,000 groups where their names and objectGUIDs as strings took 12 MB. Suspects are
 * few in a usual run, but a full run after a rule change makes every member of its group one (up to all
 * users): a suspect whose name the holders give it (a listed user, held at its DN) keeps no name of its own
 * (HELD) and takes the holders' when the pass starts, after the apply; only the names the holders do not
 * know are kept from the write on (a write that moved, renamed or failed: few, but for a mass rename).
 */
import { type MembershipIndex, NO_MEMBERSHIP, type UserMembership } from '../domain/group-membership';
import { changedMembershipFields } from '../domain/plan-groups';
import type { PlannedChange } from '../domain/plan-sync';
import type { DirectoryEntry, User } from '../domain/user';

const lower = (text: string): string => text.toLowerCase();

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
/** A suspect's name is the one the holders give its objectGUID (taken when the pass starts). */
const HELD: unique symbol = Symbol('held');
/** The names a suspect may be stored under now (see the module comment). */
type SuspectNames = string | readonly string[] | typeof HELD;
/**
 * UserStore.findUsers: the users with any of these objectGUIDs (through the guid index, which may lag the
 * latest writes) or names (read consistently). The ledger asks for one or the other, never both at once.
 */
type Lookup = (guids: readonly string[], userNames: readonly string[]) => Promise<User[]>;

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

/** Adds a value to a key's list. */
function addTo(lists: Map<string, string[]>, key: string, value: string): void {
  const list = lists.get(key);
  if (list === undefined) lists.set(key, [value]);
  else if (!list.includes(value)) list.push(value);
}

export class MemberLedger {
  private readonly holders: Holders;
  private readonly ruleCounts: number[];
  /** The rules (indexes) that give the holder of an id something, for the ids whose holder has any. */
  private readonly heldRules = new Map<number, number[]>();
  /** Users to read back and plan: their objectGUIDs, with the names to read them by (module comment). */
  private readonly suspects = new Map<string, SuspectNames>();
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
      this.suspect(user.objectGuid as string, [user.userName], user.distinguishedName);
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
        if (!target || changedMembershipFields(given, target).length > 0)
          this.suspect(guid, [change.target.userName], change.target.distinguishedName);
      } else if (change.action === 'delete' || change.action === 'suspend') {
        if (change.withheld || !change.current.objectGuid) continue;
        if (!ok)
          this.suspect(
            change.current.objectGuid,
            [change.current.userName],
            change.current.distinguishedName,
          );
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
          // Committed: under its target name (the old objectGUID of a re-anchored user is found there no more,
          // so it is looked up in the guid index). Not committed: under either (found in place: the target).
          const names = ok ? [change.target.userName] : [change.current.userName, change.target.userName];
          if (change.current.objectGuid) this.suspect(change.current.objectGuid, names);
          this.suspect(change.target.objectGuid, names);
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
   * A user to read back, stored under one of `names` now (the latest write's): HELD when that is the one name
   * the holders give it at `dn` (a listed user: most suspects of a rule change), so that it keeps no string.
   */
  private suspect(guid: string, names: readonly string[], dn?: string): void {
    const distinct = [...new Map(names.map((name) => [lower(name), name])).values()];
    const [only] = distinct;
    const id = dn === undefined ? undefined : this.index.idOf(dn);
    const held =
      distinct.length === 1 &&
      id !== undefined &&
      this.holders.guidOf(id) === guid &&
      this.holders.nameOf(id) === only;
    this.suspects.set(guid, held ? HELD : distinct.length === 1 ? (only as string) : distinct);
  }

  /**
   * The users to plan, as the database holds them now: the suspects read back `size` at a time (readBack),
   * each taken anew (who holds its DN). Users deleted by the run are no DN's holder any more.
   */
  async *suspectPages(
    findUsers: Lookup,
    size: number,
  ): AsyncGenerator<{ user: User; target: UserMembership }[]> {
    for (const guid of this.gone) this.suspects.delete(guid);
    if (this.suspects.size + this.gone.size > 0)
      for (let id = 0; id < this.index.idCount; id += 1) {
        const guid = this.holders.guidOf(id);
        if (guid === undefined || !(this.suspects.has(guid) || this.gone.has(guid))) continue;
        // Its name, read out before the holder is released.
        if (this.suspects.get(guid) === HELD) this.suspects.set(guid, this.holders.nameOf(id) as string);
        this.release(id);
      }
    const wanted = [...this.suspects.keys()];
    for (let start = 0; start < wanted.length; start += size) {
      const page: { user: User; target: UserMembership }[] = [];
      for (const user of await this.readBack(findUsers, wanted.slice(start, start + size))) {
        const target = this.holdUser(user);
        if (target) page.push({ user, target });
      }
      yield page;
    }
  }

  /**
   * The users of these objectGUIDs as the database holds them now, each once: read by the names the ledger
   * knows them under (consistent reads), an item kept only if it carries an objectGUID it was read for; the
   * rest looked up in the guid index, whose answers are read again by name and kept on the same rule (the
   * index may lag the run's writes: module comment). A suspect whose names are unknown (HELD, its holder
   * taken by another user since) is looked up in the index too.
   */
  private async readBack(findUsers: Lookup, guids: readonly string[]): Promise<User[]> {
    const found = new Map<string, User>();
    const foundGuids = new Set<string>();
    /** Reads these names (lower-cased, with the objectGUIDs each is read for) and keeps what matches. */
    const readByName = async (asked: ReadonlyMap<string, readonly string[]>): Promise<void> => {
      if (asked.size === 0) return;
      for (const user of await findUsers([], [...asked.keys()])) {
        const name = lower(user.userName);
        const guid = user.objectGuid;
        if (guid === undefined || found.has(name) || !asked.get(name)?.includes(guid)) continue;
        found.set(name, user);
        foundGuids.add(guid);
      }
    };
    const byName = new Map<string, string[]>();
    for (const guid of guids) {
      const names = this.suspects.get(guid);
      const list = typeof names === 'string' ? [names] : names === HELD || names === undefined ? [] : names;
      for (const name of list) addTo(byName, lower(name), guid);
    }
    await readByName(byName);
    const left = new Set(guids.filter((guid) => !foundGuids.has(guid)));
    if (left.size === 0) return [...found.values()];
    const pointed = new Map<string, string[]>();
    for (const user of await findUsers([...left], [])) {
      const guid = user.objectGuid;
      if (guid !== undefined && left.has(guid)) addTo(pointed, lower(user.userName), guid);
    }
    await readByName(pointed);
    return [...found.values()];
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
