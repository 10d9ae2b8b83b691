/**
 * `adsync groups [name] [--transitive]`: the synchronized groups as a table, or one group with its members
 * (direct, or through nested groups with --transitive), every page.
 */
import type { Group, GroupMembers } from '../../shared/api/schemas';
import { EXIT, UsageError } from '../arguments';
import { table } from '../presenter';
import type { ApiCommand } from './api-command';

export const groups: ApiCommand = async ({ api, operands, values, print }) => {
  if (operands.length > 1) throw new UsageError('groups takes at most one name: adsync groups [name]');
  const [name] = operands;
  if (name === undefined && values.transitive) {
    throw new UsageError("--transitive lists one group's members: adsync groups <name> --transitive");
  }
  if (name === undefined) {
    const groups: Group[] = [];
    let cursor: string | undefined;
    do {
      const page = await api.listGroups(cursor);
      groups.push(...page.groups);
      cursor = page.cursor;
    } while (cursor);
    print({ groups }, () =>
      table(
        ['group', 'display name', 'kind', 'scope', 'members'],
        groups.map((g) => [g.name, g.displayName, g.kind, g.scope, String(g.memberCount)]),
      ),
    );
    return EXIT.ok;
  }
  const group = await api.getGroup(name);
  const members: GroupMembers['members'][number][] = [];
  let cursor: string | undefined;
  do {
    const page = await api.listGroupMembers(name, {
      transitive: values.transitive === true,
      ...(cursor ? { cursor } : {}),
    });
    members.push(...page.members);
    cursor = page.cursor;
  } while (cursor);
  print({ group, members }, () =>
    [
      `${group.name}  ${group.distinguishedName}`,
      `${group.kind} ${group.scope} group, ${group.memberCount} direct members${group.description ? `: ${group.description}` : ''}`,
      '',
      table(
        ['member', 'type', 'objectGUID'],
        members.map((m) => [m.name, m.type, m.objectGuid]),
      ),
    ].join('\n'),
  );
  return EXIT.ok;
};
