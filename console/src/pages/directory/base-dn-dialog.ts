/** The Base DN picker: the naming contexts of the directory the saved settings reach. */
import { type ApiClient, ApiError } from '../../api-client';
import { announce, h, replaceChildren } from '../../dom';
import type { BaseDns } from '../../types';
import { type DraftEditor, showDialog } from './dialog';

export async function pickBaseDn(
  dialog: HTMLDialogElement,
  opener: HTMLElement,
  { api, editor, input }: { api: ApiClient; editor: DraftEditor; input: HTMLInputElement },
): Promise<void> {
  const { values } = editor;
  const status = h('p', { role: 'status' }, 'Reading the naming contexts…');
  const choices = h('div', { class: 'choices' });
  const useButton = h('button', { type: 'button', class: 'primary', disabled: true }, 'Use this Base DN');
  showDialog(dialog, opener, {
    title: 'Choose the Base DN',
    hint: 'The naming contexts of the directory, read with the saved connection settings.',
    content: [
      status,
      h('fieldset', {}, h('legend', { class: 'visually-hidden' }, 'Naming contexts'), choices),
    ],
    confirm: useButton,
  });
  try {
    const found = await api.request<BaseDns>('GET', '/directory/base-dns');
    const dns = [
      ...new Set([found.defaultNamingContext, ...found.namingContexts].filter((dn): dn is string => !!dn)),
    ];
    status.textContent = `${dns.length} naming contexts found.`;
    const options: Array<[string, string]> = [
      ['', 'Empty: use the default naming context'],
      ...dns.map((dn): [string, string] => [dn, dn === found.defaultNamingContext ? `${dn} (default)` : dn]),
    ];
    replaceChildren(
      choices,
      options.map(([dn, label], i) =>
        h(
          'div',
          { class: 'check' },
          h('input', {
            type: 'radio',
            name: 'base-dn-choice',
            id: `base-dn-choice-${i}`,
            value: dn,
            checked: dn === values.baseDn,
            onchange: () => {
              useButton.disabled = false;
            },
          }),
          h('label', { for: `base-dn-choice-${i}` }, label),
        ),
      ),
    );
    useButton.disabled = !choices.querySelector('input:checked');
    (choices.querySelector<HTMLInputElement>('input:checked') ?? choices.querySelector('input'))?.focus();
  } catch (error) {
    status.textContent =
      error instanceof ApiError && error.status === 400
        ? `${error.message}. Save the connection settings first.`
        : `Cannot read the naming contexts: ${(error as Error).message}`;
  }
  useButton.onclick = () => {
    const chosen = choices.querySelector<HTMLInputElement>('input:checked');
    if (!chosen) return;
    values.baseDn = chosen.value;
    input.value = chosen.value;
    editor.changed('baseDn');
    dialog.close();
    announce(chosen.value ? `Base DN set to ${chosen.value}` : 'Base DN cleared');
  };
}
