/** The group picker: groups searched in the directory, several chosen at a time. */
import { type ApiClient, ApiError } from '../../api-client';
import { announce, h, replaceChildren } from '../../dom';
import type { DirectoryGroup, Groups } from '../../types';
import { type DraftEditor, showDialog } from './dialog';

/** `redraw`: shows the chosen groups in the form. */
export function pickGroups(
  dialog: HTMLDialogElement,
  opener: HTMLElement,
  { api, editor, redraw }: { api: ApiClient; editor: DraftEditor; redraw: () => void },
): void {
  const { values } = editor;
  const search = h('input', { type: 'search', id: 'group-search', autocomplete: 'off' });
  const status = h('p', { role: 'status', id: 'group-search-status' });
  const results = h('div', { class: 'choices', id: 'group-results' });
  let found: DirectoryGroup[] = [];
  let sequence = 0;
  // The choice outlives each search's result list: checking a group and searching on keeps it checked.
  const picked = new Set(values.groups);
  const runSearch = async (): Promise<void> => {
    const mine = ++sequence;
    status.textContent = 'Searching…';
    try {
      const answer = await api.request<Groups>(
        'GET',
        `/directory/groups?search=${encodeURIComponent(search.value.trim())}`,
      );
      if (mine !== sequence) return;
      found = answer.groups;
      status.textContent =
        found.length === 0
          ? 'No groups match.'
          : `${found.length} group${found.length === 1 ? '' : 's'} found.`;
      replaceChildren(
        results,
        found.map((group, i) =>
          h(
            'div',
            { class: 'check' },
            h('input', {
              type: 'checkbox',
              id: `group-choice-${i}`,
              value: group.dn,
              checked: picked.has(group.dn),
              'aria-describedby': `group-choice-${i}-dn`,
              onchange: (event: Event) => {
                if ((event.target as HTMLInputElement).checked) picked.add(group.dn);
                else picked.delete(group.dn);
              },
            }),
            h(
              'label',
              { for: `group-choice-${i}` },
              group.name,
              group.description ? h('span', { class: 'hint' }, ` — ${group.description}`) : '',
            ),
            h('span', { class: 'dn hint', id: `group-choice-${i}-dn` }, group.dn),
          ),
        ),
      );
    } catch (error) {
      if (mine !== sequence) return;
      status.textContent =
        error instanceof ApiError && error.status === 400
          ? `${error.message}. Save the connection settings and the password first.`
          : `Cannot search the groups: ${(error as Error).message}`;
    }
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => void runSearch(), 300);
  });
  search.addEventListener('keydown', (event) => {
    // Enter searches now instead of submitting or closing anything.
    if (event.key === 'Enter') {
      event.preventDefault();
      clearTimeout(timer);
      void runSearch();
    }
  });
  showDialog(dialog, opener, {
    title: 'Add groups',
    hint: 'Security groups under the Base DN of the saved settings, found by name or description.',
    content: [
      h('div', { class: 'field' }, h('label', { for: 'group-search' }, 'Search groups'), search),
      status,
      h('fieldset', {}, h('legend', { class: 'visually-hidden' }, 'Groups found'), results),
    ],
    confirm: h(
      'button',
      {
        type: 'button',
        class: 'primary',
        onclick: () => {
          // Kept in the order chosen: those already selected first, then the new ones.
          values.groups = [
            ...values.groups.filter((g) => picked.has(g)),
            ...[...picked].filter((g) => !values.groups.includes(g)),
          ];
          editor.changed('groups');
          redraw();
          dialog.close();
          announce(`${values.groups.length} groups selected`);
        },
      },
      'Use the checked groups',
    ),
  });
  search.focus();
  void runSearch();
}
