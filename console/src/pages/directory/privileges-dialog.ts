/** The Default Privileges dialog: the privileges and own-archive access of users the sync creates. */
import {
  ARCHIVE_ACCESS,
  ARCHIVE_ACCESS_LABELS,
  type ConfigFormValues,
  PRIVILEGE_LABELS,
  PRIVILEGES,
} from '../../config-form';
import { h } from '../../dom';
import { type DraftEditor, showDialog } from './dialog';

/** The one-line summary of the default privileges shown in the form. */
export const describePrivileges = (values: ConfigFormValues): string => {
  const privileges = values.privileges.map((p) => PRIVILEGE_LABELS[p]).join(', ') || 'no privileges';
  const access =
    values.ownArchiveAccess.map((a) => ARCHIVE_ACCESS_LABELS[a].toLowerCase()).join(', ') || 'none';
  return `${privileges}; own archive: ${access}`;
};

/** `summary`: the form's line that describes the privileges, updated on OK. */
export function editPrivileges(
  dialog: HTMLDialogElement,
  opener: HTMLElement,
  { editor, summary }: { editor: DraftEditor; summary: HTMLElement },
): void {
  const { values } = editor;
  const box = (group: string, key: string, label: string, checked: boolean) =>
    h(
      'div',
      { class: 'check' },
      h('input', { type: 'checkbox', id: `${group}-${key}`, value: key, name: group, checked }),
      h('label', { for: `${group}-${key}` }, label),
    );
  const privilegeBoxes = h(
    'fieldset',
    {},
    h('legend', {}, 'Privileges'),
    PRIVILEGES.map((p) => box('privilege', p, PRIVILEGE_LABELS[p], values.privileges.includes(p))),
  );
  const accessBoxes = h(
    'fieldset',
    {},
    h('legend', {}, 'Access to own archive'),
    ARCHIVE_ACCESS.map((a) =>
      box('archive-access', a, ARCHIVE_ACCESS_LABELS[a], values.ownArchiveAccess.includes(a)),
    ),
  );
  showDialog(dialog, opener, {
    title: 'Default privileges',
    hint: 'Given to users the sync creates. Users that exist keep their privileges.',
    content: [privilegeBoxes, accessBoxes],
    confirm: h(
      'button',
      {
        type: 'button',
        class: 'primary',
        onclick: () => {
          const checked = (root: HTMLElement) =>
            [...root.querySelectorAll<HTMLInputElement>('input:checked')].map((i) => i.value);
          const privileges = checked(privilegeBoxes);
          const access = checked(accessBoxes);
          values.privileges = PRIVILEGES.filter((p) => privileges.includes(p));
          values.ownArchiveAccess = ARCHIVE_ACCESS.filter((a) => access.includes(a));
          summary.textContent = describePrivileges(values);
          editor.changed('privileges');
          dialog.close();
        },
      },
      'OK',
    ),
  });
}
