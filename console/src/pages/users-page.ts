/** Users: the application's user database, searchable, directory users apart from local ones, with privileges. */

import type { AppState } from '../app-state';
import { ARCHIVE_ACCESS_LABELS, PRIVILEGE_LABELS } from '../config-form';
import { drawMatchingRows, h, pageHeading, replaceChildren } from '../dom';
import { filterUsers, type UserSource } from '../list-filters';
import type { User, UsersPage } from '../types';
import { attributeText } from './directory/mapping-editor';

/** Every page of GET /users. */
async function loadAllUsers(state: AppState): Promise<User[]> {
  const users: User[] = [];
  let cursor: string | undefined;
  do {
    const page: UsersPage = await state.api.listUsers(cursor);
    users.push(...page.users);
    cursor = page.cursor;
  } while (cursor);
  return users;
}

export async function renderUsersPage(state: AppState, main: HTMLElement): Promise<void> {
  // showPage (main.ts) has drawn the heading and a loading message meanwhile.
  const users = await loadAllUsers(state);
  const search = h('input', { type: 'search', id: 'user-search', autocomplete: 'off' });
  const source = h(
    'select',
    { id: 'user-source' },
    h('option', { value: 'all' }, `All (${users.length})`),
    h(
      'option',
      { value: 'directoryServices' },
      `Directory (${users.filter((u) => u.authentication === 'directoryServices').length})`,
    ),
    h('option', { value: 'local' }, `Local (${users.filter((u) => u.authentication === 'local').length})`),
  );
  const status = h('p', { class: 'list-status', role: 'status', id: 'user-status' });
  const body = h('div', {});
  const draw = (): void => {
    drawMatchingRows(
      { status, body },
      {
        label: 'Users',
        headers: [
          'User',
          'Name',
          'Email addresses',
          'Source',
          'Groups',
          'Attributes',
          'Privileges',
          'Own archive',
        ],
        toRow: (user: User) =>
          h(
            'tr',
            {},
            h('th', { scope: 'row' }, user.userName),
            h('td', {}, user.fullName),
            h('td', { class: 'addresses' }, user.emailAddresses.join(', ')),
            h(
              'td',
              {},
              h(
                'span',
                { class: `source source-${user.authentication}`, title: user.distinguishedName ?? '' },
                user.authentication === 'directoryServices' ? 'Directory' : 'Local',
              ),
            ),
            h('td', { class: 'user-groups' }, user.groups.join(', ')),
            h(
              'td',
              { class: 'user-attributes' },
              Object.keys(user.attributes)
                .sort()
                .map((field) => `${field}: ${attributeText(user.attributes[field])}`)
                .join('; '),
            ),
            // What the user may do: its own privileges and those its groups' rules give (marked).
            h(
              'td',
              {},
              user.effectivePrivileges
                .map((p) => `${PRIVILEGE_LABELS[p]}${user.privileges.includes(p) ? '' : ' (by group)'}`)
                .join(', '),
            ),
            h(
              'td',
              {},
              [...new Set([...user.ownArchiveAccess, ...user.groupArchiveAccess])]
                .map(
                  (a) =>
                    `${ARCHIVE_ACCESS_LABELS[a]}${user.ownArchiveAccess.includes(a) ? '' : ' (by group)'}`,
                )
                .join(', '),
            ),
          ),
      },
      filterUsers(users, { search: search.value, source: source.value as UserSource }),
      `${users.length} users`,
    );
  };
  search.addEventListener('input', draw);
  source.addEventListener('change', draw);
  replaceChildren(
    main,
    pageHeading('Users'),
    h(
      'p',
      { class: 'intro' },
      'The user database: directory users are kept by the sync; local users are managed in the application and never touched by it.',
    ),
    h(
      'div',
      { class: 'list-controls' },
      h('div', { class: 'field' }, h('label', { for: 'user-search' }, 'Search users'), search),
      h('div', { class: 'field' }, h('label', { for: 'user-source' }, 'Source'), source),
    ),
    status,
    body,
  );
  draw();
}
