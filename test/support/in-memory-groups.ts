/**
 * A global security group as the directory reads it: its objectGUID numbered `n`, its sAMAccountName the DN's
 * first CN, its members the DNs given.
 */
export const directoryGroup = (
  n: number,
  distinguishedName: string,
  members: readonly string[] = [],
): DirectoryGroupEntry => ({
  objectGuid: `00000000-0000-4000-9000-${String(n).padStart(12, '0')}`,
  distinguishedName,
  sAMAccountName: /^CN=([^,]+)/.exec(distinguishedName)?.[1] ?? distinguishedName,
  proxyAddresses: [],
  groupType: -2147483646,
  members,
});

/** A user as the membership index takes it: its objectGUID numbered `n`, under OU=Staff. */
export const memberUser = (n: number, userName: string): MemberUser => ({
  objectGuid: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  userName,
  distinguishedName: `CN=${userName},OU=Staff,DC=company,DC=local`,
});

/**
 * An in-memory GroupStore over an InMemoryUserStore's users: groups by objectGUID with their members, and the
 * users' membership fields written on the version (here: updatedAt) they were read at, as the real store does.
 */
import { type DirectoryGroupEntry, type GroupMember, membersHashOf } from '../../shared/domain/group';
import type { MemberUser } from '../../shared/domain/group-membership';
import type {
  GroupChange,
  GroupDirectory,
  GroupStore,
  GroupWriteContext,
  GroupWriteResult,
  MembershipChange,
  StoredGroup,
} from '../../shared/ports/group-store';
import type { InMemoryUserStore } from './in-memory';

export class InMemoryGroupStore implements GroupStore, GroupDirectory {
  readonly groups = new Map<string, { group: StoredGroup; members: GroupMember[] }>();
  /** Each write's change, as `<action>:<name>` (what the events would be). */
  readonly written: string[] = [];

  constructor(private readonly users: InMemoryUserStore) {}

  async listGroups(): Promise<StoredGroup[]> {
    return [...this.groups.values()].map((g) => g.group);
  }

  async membersOf(objectGuid: string): Promise<GroupMember[]> {
    return this.groups.get(objectGuid)?.members ?? [];
  }

  async findGroup(name: string): Promise<StoredGroup | undefined> {
    return [...this.groups.values()].find((g) => g.group.name.toLowerCase() === name.toLowerCase())?.group;
  }

  async listGroupsPage(limit: number, cursor?: string) {
    const all = [...this.groups.values()]
      .map(({ group: { version: _v, membersHash: _h, ...group } }) => group)
      .sort((a, b) => a.name.toLowerCase().localeCompare(b.name.toLowerCase()))
      .filter((g) => cursor === undefined || g.name.toLowerCase() > cursor);
    const groups = all.slice(0, limit);
    const last = groups.at(-1);
    return all.length > limit && last ? { groups, cursor: last.name.toLowerCase() } : { groups };
  }

  /** The mark that a pass may have left group data, and how often it was read. */
  marked = false;
  markReads = 0;

  async hasGroupData(): Promise<boolean> {
    this.markReads += 1;
    return this.marked;
  }

  async markGroupData(present: boolean): Promise<void> {
    this.marked = present;
  }

  async applyGroupChanges(
    changes: readonly GroupChange[],
    _context: GroupWriteContext,
  ): Promise<GroupWriteResult> {
    let applied = 0;
    for (const change of changes) {
      if (change.action === 'delete') {
        this.groups.delete(change.current.objectGuid);
        this.written.push(`delete:${change.current.name}`);
      } else {
        const { members, ...group } = change.target;
        const version = change.action === 'create' ? 1 : change.current.version + 1;
        this.groups.set(group.objectGuid, {
          group: { ...group, version, membersHash: membersHashOf(members) },
          members: [...members],
        });
        this.written.push(`${change.action}:${group.name}`);
      }
      applied += 1;
    }
    return { applied, conflicts: 0 };
  }

  async applyMembershipChanges(
    changes: readonly MembershipChange[],
    { now }: GroupWriteContext,
  ): Promise<GroupWriteResult> {
    let applied = 0;
    let conflicts = 0;
    for (const { current, target } of changes) {
      const key = current.userName.toLowerCase();
      const held = this.users.users.get(key);
      if (!held || held.updatedAt !== current.updatedAt || held.authentication !== 'directoryServices') {
        conflicts += 1;
        continue;
      }
      this.users.users.set(key, { ...held, ...target, updatedAt: now });
      applied += 1;
    }
    return { applied, conflicts };
  }
}
