/**
 * The synchronized groups as the API shows them (docs/contract.md#groups): a page of groups in name order, one
 * group, and its members, direct or through nested groups (a cycle walked once), a page at a time.
 */
import { type Group, type GroupMember, memberOrder, toPublicGroup } from '../domain/group';
import { NotFoundError, ValidationError } from '../errors';
import type { GroupDirectory } from '../ports/group-store';

const PAGE_SIZE = 100;

export async function listGroups(
  groups: GroupDirectory,
  cursor?: string,
): Promise<{ groups: Group[]; cursor?: string }> {
  const page = await groups.listGroupsPage(PAGE_SIZE, cursor);
  return { groups: page.groups.map(toPublicGroup), ...(page.cursor ? { cursor: page.cursor } : {}) };
}

export async function getGroup(groups: GroupDirectory, name: string): Promise<Group> {
  const group = await groups.findGroup(name);
  if (!group) throw new NotFoundError(`there is no synchronized group named ${name}`);
  return toPublicGroup(group);
}

/** How many nested groups' members are read at once, a level of the nesting at a time. */
const READS_IN_FLIGHT = 16;

/**
 * Every member of a group through its nested groups: the users and groups of each group reached, each once,
 * users first, each kind in name order. A group reached again (a cycle) is not read again. The nesting is
 * walked a level at a time, the groups of a level read READS_IN_FLIGHT at once: a wide tree of groups costs
 * its depth in round trips, not its size.
 */
export async function transitiveMembers(
  root: string,
  membersOf: (objectGuid: string) => Promise<readonly GroupMember[]>,
): Promise<GroupMember[]> {
  const found = new Map<string, GroupMember>();
  const walked = new Set([root]);
  for (let level = [root]; level.length > 0; ) {
    const next: string[] = [];
    for (let start = 0; start < level.length; start += READS_IN_FLIGHT) {
      const read = level.slice(start, start + READS_IN_FLIGHT);
      for (const members of await Promise.all(read.map(membersOf))) {
        for (const member of members) {
          if (member.objectGuid !== root) found.set(member.objectGuid, member);
          if (member.type === 'group' && !walked.has(member.objectGuid)) {
            walked.add(member.objectGuid);
            next.push(member.objectGuid);
          }
        }
      }
    }
    level = next;
  }
  return [...found.values()].sort(memberOrder);
}

/** A page of a group's members, direct or transitive; the cursor is where the next page starts. */
export async function listGroupMembers(
  groups: GroupDirectory,
  name: string,
  options: { readonly transitive?: boolean; readonly cursor?: string } = {},
): Promise<{ members: GroupMember[]; cursor?: string }> {
  const group = await groups.findGroup(name);
  if (!group) throw new NotFoundError(`there is no synchronized group named ${name}`);
  const all = options.transitive
    ? await transitiveMembers(group.objectGuid, (guid) => groups.membersOf(guid))
    : await groups.membersOf(group.objectGuid);
  const start = options.cursor === undefined ? 0 : offsetOf(options.cursor);
  const members = all.slice(start, start + PAGE_SIZE);
  const next = start + PAGE_SIZE;
  return next < all.length
    ? { members, cursor: Buffer.from(String(next)).toString('base64url') }
    : { members };
}

/** A members cursor: an offset this route answered, else a ValidationError naming `cursor`. */
function offsetOf(cursor: string): number {
  const offset = Number(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!Number.isSafeInteger(offset) || offset <= 0 || offset % PAGE_SIZE !== 0) {
    throw new ValidationError('Invalid cursor', [
      { path: 'cursor', message: 'is not a cursor returned by GET /groups/{name}/members' },
    ]);
  }
  return offset;
}
