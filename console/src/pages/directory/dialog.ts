/** The dialogs of the Directory Services page: one frame for the Base DN, group and privileges pickers. */
import type { ConfigFormValues, FormField } from '../../config-form';
import { type Child, h, replaceChildren } from '../../dom';

/** What a picker changes: the form's values, then `changed` marks the draft changed and clears the field's error. */
export interface DraftEditor {
  readonly values: ConfigFormValues;
  changed(field: FormField): void;
}

/**
 * Fills a dialog (its title, a hint, the content, the confirm button and Cancel) and opens it; the focus
 * returns to `opener` when it closes. The title's id is the dialog's own plus `-title` (aria-labelledby).
 */
export function showDialog(
  dialog: HTMLDialogElement,
  opener: HTMLElement,
  parts: {
    readonly title: string;
    readonly hint: string;
    readonly content: Child[];
    readonly confirm: HTMLElement;
  },
): void {
  replaceChildren(
    dialog,
    h('h2', { id: `${dialog.id}-title` }, parts.title),
    h('p', { class: 'hint' }, parts.hint),
    ...parts.content,
    h(
      'div',
      { class: 'actions' },
      parts.confirm,
      h('button', { type: 'button', onclick: () => dialog.close() }, 'Cancel'),
    ),
  );
  dialog.addEventListener('close', () => opener.focus(), { once: true });
  dialog.showModal();
}
