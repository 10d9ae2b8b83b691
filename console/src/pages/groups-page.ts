/**
 * Groups: the synchronized groups, searchable, and one group's members (direct, or through nested groups).
 * A user's groups are on the Users page.
 */
import type { AppState } from '../app-state';
import { drawMatchingRows, h, pageHeading, replaceChildren, scrollingTable } from '../dom';
import { filterGroups } from '../list-filters';
import type { Group, GroupMembers } from '../types';

type Member = GroupMembers['members'][number];

const KIND_LABELS: Readonly<Record<Group['kind'], string>> = {
  security: 'Security',
  distribution: 'Distribution',
};
const SCOPE_LABELS: Readonly<Record<Group['scope'], string>> = {
  global: 'Global',
  domainLocal: 'Domain local',
  universal: 'Universal',
};

/** Every page of GET /groups. */
async function loadAllGroups(state: AppState): Promise<Group[]> {
  const groups: Group[] = [];
  let cursor: string | undefined;
  do {
    const page = await state.api.listGroups(cursor);
    groups.push(...page.groups);
    cursor = page.cursor;
  } while (cursor);
  return groups;
}

/** Every page of a group's members. */
async function loadMembers(state: AppState, name: string, transitive: boolean): Promise<Member[]> {
  const members: Member[] = [];
  let cursor: string | undefined;
  do {
    const page = await state.api.listGroupMembers(name, { transitive, ...(cursor ? { cursor } : {}) });
    members.push(...page.members);
    cursor = page.cursor;
  } while (cursor);
  return members;
}

export async function renderGroupsPage(state: AppState, main: HTMLElement): Promise<void> {
  const groups = await loadAllGroups(state);
  const search = h('input', { type: 'search', id: 'group-search', autocomplete: 'off' });
  const status = h('p', { class: 'list-status', role: 'status', id: 'group-status' });
  const body = h('div', {});
  const detail = h('section', { id: 'group-detail', 'aria-live': 'polite' });
  let shown: { group: Group; transitive: boolean } | undefined;

  const showMembers = async (group: Group, transitive: boolean): Promise<void> => {
    shown = { group, transitive };
    replaceChildren(detail, h('p', { role: 'status' }, `Loading the members of ${group.name}…`));
    const members = await loadMembers(state, group.name, transitive);
    // Another group chosen meanwhile: its own load draws.
    if (shown?.group !== group || shown.transitive !== transitive) return;
    const nested = h('input', {
      type: 'checkbox',
      id: 'group-transitive',
      ...(transitive ? { checked: true } : {}),
    });
    nested.addEventListener('change', () => void showMembers(group, (nested as HTMLInputElement).checked));
    replaceChildren(
      detail,
      h('h2', { id: 'group-detail-heading' }, `${group.displayName} (${group.name})`),
      h(
        'p',
        { class: 'intro' },
        `${group.distinguishedName} · ${KIND_LABELS[group.kind]}, ${SCOPE_LABELS[group.scope]}` +
          (group.description ? ` · ${group.description}` : ''),
      ),
      h(
        'div',
        { class: 'field check' },
        nested,
        h('label', { for: 'group-transitive' }, 'Include the members of nested groups'),
      ),
      h(
        'p',
        { class: 'list-status', role: 'status', id: 'member-status' },
        `${members.length} ${transitive ? 'members, nested groups included' : 'direct members'}`,
      ),
      members.length === 0
        ? ''
        : scrollingTable(
            `Members of ${group.name}`,
            ['Member', 'Type', 'objectGUID'],
            members.map((member) =>
              h(
                'tr',
                {},
                h('th', { scope: 'row' }, member.name),
                h('td', {}, member.type === 'user' ? 'User' : 'Group'),
                h('td', { class: 'guid' }, member.objectGuid),
              ),
            ),
          ),
    );
  };

  const draw = (): void => {
    drawMatchingRows(
      { status, body },
      {
        label: 'Groups',
        headers: ['Group', 'Display name', 'Kind', 'Scope', 'Members', 'Description'],
        toRow: (group: Group) => {
          const open = h('button', { type: 'button', class: 'link-button' }, group.name);
          open.addEventListener('click', () => void showMembers(group, false));
          return h(
            'tr',
            {},
            h('th', { scope: 'row' }, open),
            h('td', {}, group.displayName),
            h('td', {}, KIND_LABELS[group.kind]),
            h('td', {}, SCOPE_LABELS[group.scope]),
            h('td', {}, String(group.memberCount)),
            h('td', {}, group.description ?? ''),
          );
        },
      },
      filterGroups(groups, search.value),
      `${groups.length} groups`,
    );
  };
  search.addEventListener('input', draw);
  replaceChildren(
    main,
    pageHeading('Groups'),
    h(
      'p',
      { class: 'intro' },
      groups.length === 0
        ? 'No group is synchronized: choose which under Directory Services (groups.sync), then synchronize.'
        : 'The synchronized groups, as the last run read them. Choose a group to see its members.',
    ),
    h(
      'div',
      { class: 'list-controls' },
      h('div', { class: 'field' }, h('label', { for: 'group-search' }, 'Search groups'), search),
    ),
    status,
    body,
    detail,
  );
  draw();
}
