/**
 * A group as the table stores it (docs/data-model.md#group): the Group, its version and a hash of its members;
 * read by the store and by the change events' builder (which carries no SDK client: change-stream.ts).
 */
import type { Group } from '../../domain/group';
import type { StoredGroup } from '../../ports/group-store';
import type { Item } from './documents';

const GROUP_FIELDS = [
  'name',
  'displayName',
  'distinguishedName',
  'objectGuid',
  'description',
  'emailAddresses',
  'kind',
  'scope',
  'memberCount',
] as const;

/** The Group (and version, hash) of a stored group item. */
export function fromGroupItem(item: Item): StoredGroup {
  const group = Object.fromEntries(GROUP_FIELDS.flatMap((f) => (f in item ? [[f, item[f]]] : [])));
  return {
    ...(group as unknown as Group),
    version: Number(item.version),
    membersHash: String(item.membersHash),
  };
}
