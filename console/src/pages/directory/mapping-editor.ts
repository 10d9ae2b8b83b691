/**
 * The attribute mapping of Directory Services (docs/contract.md#attribute-mapping): where the user name comes
 * from, the fields' rules as JSON, and "Try on a user": the draft's mapping, unsaved, applied to one directory
 * user through the explain route (GET /directory/users/{name}?mapping=), showing the mapped attributes, the
 * rule that fails on that user, or the rule the API refuses, at the field.
 */

import type { MappingInput } from '../../../../shared/api/client';
import { type ApiClient, ApiError } from '../../api-client';
import { type ConfigFormValues, mappingOf } from '../../config-form';
import { h, replaceChildren } from '../../dom';
import type { UserExplanation } from '../../types';
import { field, setFieldError } from './fields';

export interface MappingEditor {
  readonly fieldset: HTMLElement;
  readonly tryName: HTMLInputElement;
  readonly tryButton: HTMLButtonElement;
  readonly tryResult: HTMLElement;
}

const USER_NAME_SOURCES = [
  ['sAMAccountName', 'sAMAccountName (pre-Windows 2000 logon name)'],
  ['userPrincipalName', 'userPrincipalName (user@domain)'],
  ['mail', 'mail (the email address)'],
] as const;

export function mappingFieldset(values: ConfigFormValues): MappingEditor {
  const userName = h(
    'select',
    { name: 'mappingUserName' },
    ...USER_NAME_SOURCES.map(([value, label]) =>
      h('option', { value, selected: values.mappingUserName === value }, label),
    ),
  );
  const attributes = h('textarea', {
    name: 'mappingAttributes',
    rows: 8,
    spellcheck: 'false',
    class: 'code',
  });
  attributes.value = values.mappingAttributes;
  const tryName = h('input', {
    type: 'text',
    id: 'mapping-try-name',
    autocomplete: 'off',
    spellcheck: 'false',
    placeholder: 'sAMAccountName, UPN, DN or objectGUID',
  });
  const tryButton = h('button', { type: 'button', id: 'mapping-try' }, 'Try on user');
  const tryResult = h('div', { id: 'mapping-try-result', role: 'status' });
  const fieldset = h(
    'fieldset',
    { id: 'mapping' },
    h('legend', {}, 'Attribute mapping'),
    field('mappingUserName', 'User name from', userName),
    field('mappingAttributes', 'Mapped attributes', attributes, {
      hint: 'JSON: { "field": { "from": "department" } }, with "transform" (all, lower, upper, userName, guid, sid, date, bool, int) and "default", or { "expression": "<JSONata>" }.',
    }),
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'mapping-try-name' }, 'Try the mapping on one directory user (nothing is saved)'),
      h('div', { class: 'inline' }, tryName, tryButton),
      tryResult,
    ),
  );
  return { fieldset, tryName, tryButton, tryResult };
}

/** Applies the draft's mapping to the user named in the editor, and shows what came of it. */
export async function tryMapping(
  api: ApiClient,
  editor: MappingEditor,
  values: ConfigFormValues,
): Promise<void> {
  const name = editor.tryName.value.trim();
  if (!name) {
    replaceChildren(editor.tryResult, h('p', { class: 'field-error' }, 'Type the name of a directory user.'));
    return;
  }
  editor.tryButton.disabled = true;
  replaceChildren(editor.tryResult, h('p', {}, `Reading ${name}…`));
  try {
    const explanation = await api.explainUser(name, mappingOf(values) as MappingInput);
    setFieldError('mappingAttributes', undefined);
    replaceChildren(editor.tryResult, mappedView(explanation));
  } catch (error) {
    const issue = error instanceof ApiError ? error.details[0] : undefined;
    if (issue)
      setFieldError(
        issue.path.startsWith('mapping.userName') ? 'mappingUserName' : 'mappingAttributes',
        `${issue.path}: ${issue.message}`,
      );
    const message = error instanceof Error ? error.message : String(error);
    replaceChildren(
      editor.tryResult,
      h('p', { class: 'alert alert-error' }, issue ? `${issue.path}: ${issue.message}` : message),
    );
  } finally {
    editor.tryButton.disabled = false;
  }
}

/** The user's mapped name and attributes, or the rule that failed on it. */
export function mappedView(explanation: UserExplanation): HTMLElement {
  if (explanation.mappingFailed) {
    const { field: path, detail } = explanation.mappingFailed;
    return h(
      'p',
      { class: 'alert alert-error', id: 'mapping-failed' },
      `${path}: ${detail} (a run excludes this user: mappingFailed)`,
    );
  }
  if (!explanation.mapped) {
    return h('p', { class: 'alert' }, `Out of scope: ${explanation.reason ?? 'a filter excludes the user'}`);
  }
  const { userName, attributes } = explanation.mapped;
  return h(
    'table',
    { class: 'mapped-attributes', id: 'mapped-attributes' },
    h('caption', {}, `Mapped attributes of ${userName}`),
    h('tbody', {}, ...attributeRows(attributes)),
  );
}

/** One row per mapped attribute: the field, and its value as text (a list joined, numbers and booleans as JSON). */
export function attributeRows(attributes: Readonly<Record<string, unknown>>): HTMLElement[] {
  const fields = Object.keys(attributes).sort();
  if (fields.length === 0) return [h('tr', {}, h('td', { colspan: 2 }, 'No mapped attributes'))];
  return fields.map((name) =>
    h('tr', {}, h('th', { scope: 'row' }, name), h('td', {}, attributeText(attributes[name]))),
  );
}

export const attributeText = (value: unknown): string =>
  Array.isArray(value) ? value.join(', ') : typeof value === 'string' ? value : JSON.stringify(value);
