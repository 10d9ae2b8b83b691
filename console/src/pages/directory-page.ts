/**
 * Directory Services: the configuration dialog of MailStore, as a page. Connection (servers, domain, Base DN
 * with a picker, encryption, CA certificate, account, write-only password), the four filters with a group
 * picker, the delete option with its threshold, Default Privileges, schedule; Save and Test Settings with every
 * error shown at the field it names.
 */
import { ApiError } from '../api-client';
import type { AppState, DirectoryDraft } from '../app-state';
import {
  ARCHIVE_ACCESS,
  ARCHIVE_ACCESS_LABELS,
  type ConfigFormValues,
  type FieldErrors,
  type FormField,
  fieldErrorsOf,
  fieldOfFailure,
  formValuesOf,
  PRIVILEGE_LABELS,
  PRIVILEGES,
  settingsRequestOf,
} from '../config-form';
import { announce, type Child, h, pageHeading, replaceChildren } from '../dom';
import { FIELD_LABELS, failureOf } from '../report-view';
import type { BaseDns, ConfigurationView, DirectoryGroup, FieldIssue, Groups, Report } from '../types';

const fieldId = (name: FormField): string => `field-${name}`;

/** A labelled control with its hint and an error line, tied together with aria-describedby. */
function field(
  name: FormField,
  label: Child,
  control: HTMLElement,
  options: { hint?: string; after?: Child; kind?: 'check' } = {},
): HTMLElement {
  control.id = fieldId(name);
  const hintId = options.hint ? `${fieldId(name)}-hint` : undefined;
  // What describes the control without an error; an error goes in front of it (see setFieldError).
  const described = [control.getAttribute('aria-describedby'), hintId].filter(Boolean).join(' ');
  control.dataset.describedby = described;
  if (described) control.setAttribute('aria-describedby', described);
  // A button is named by its own text ("Add groups…"); the field's name is a heading-like line above it.
  const labelElement =
    control instanceof HTMLButtonElement
      ? h('span', { class: 'field-label', id: `${fieldId(name)}-label` }, label)
      : h('label', { for: control.id }, label);
  const hint = options.hint && h('p', { class: 'hint', id: hintId }, options.hint);
  const error = h('p', { class: 'field-error', id: `${fieldId(name)}-error`, hidden: true });
  return options.kind === 'check'
    ? h('div', { class: 'field check', 'data-field': name }, control, labelElement, hint, error)
    : h('div', { class: 'field', 'data-field': name }, labelElement, hint, error, control, options.after);
}

/** Shows (or with undefined, clears) the error of one field. */
function setFieldError(name: FormField, message: string | undefined): void {
  const control = document.getElementById(fieldId(name));
  const error = document.getElementById(`${fieldId(name)}-error`);
  if (!control || !error) return;
  const described = control.dataset.describedby ?? '';
  if (message) {
    error.textContent = message;
    error.hidden = false;
    control.setAttribute('aria-invalid', 'true');
    control.setAttribute('aria-describedby', [error.id, described].filter(Boolean).join(' '));
  } else {
    error.textContent = '';
    error.hidden = true;
    control.removeAttribute('aria-invalid');
    if (described) control.setAttribute('aria-describedby', described);
    else control.removeAttribute('aria-describedby');
  }
}

function focusField(name: FormField): void {
  const control = document.getElementById(fieldId(name));
  control?.scrollIntoView({ block: 'center' });
  control?.focus();
}

const describePrivileges = (values: ConfigFormValues): string => {
  const privileges = values.privileges.map((p) => PRIVILEGE_LABELS[p]).join(', ') || 'no privileges';
  const access =
    values.ownArchiveAccess.map((a) => ARCHIVE_ACCESS_LABELS[a].toLowerCase()).join(', ') || 'none';
  return `${privileges}; own archive: ${access}`;
};

/**
 * Fills a dialog (its title, a hint, the content, the confirm button and Cancel) and opens it; the focus
 * returns to `opener` when it closes. The title's id is the dialog's own plus `-title` (aria-labelledby).
 */
function showDialog(
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

export async function renderDirectoryPage(state: AppState, main: HTMLElement): Promise<void> {
  const { api } = state;
  const view = await api.request<ConfigurationView>('GET', '/config');
  let passwordSet = view.passwordSet;
  const draft: DirectoryDraft =
    state.draft && state.draft.baseVersion === view.version
      ? state.draft
      : { values: formValuesOf(view.config), password: '', baseVersion: view.version, dirty: false };
  state.draft = draft;
  const values = draft.values;

  const statusLine = h('p', { class: 'form-status', role: 'status', id: 'form-status' });
  const summary = h('div', { class: 'alert alert-error', id: 'error-summary', tabindex: -1, hidden: true });
  const dirtyNote = h('span', { class: 'dirty-note', id: 'dirty-note' });
  const markDirty = (): void => {
    draft.dirty = true;
    dirtyNote.textContent = 'Unsaved changes';
  };
  if (draft.dirty) dirtyNote.textContent = 'Unsaved changes';

  // Controls
  const text = (name: keyof ConfigFormValues, props: Record<string, string | number | boolean> = {}) =>
    h('input', {
      type: 'text',
      name,
      value: String(values[name]),
      autocomplete: 'off',
      spellcheck: 'false',
      ...props,
    });
  const number = (name: keyof ConfigFormValues, min: number, max: number, step = 1) =>
    h('input', { type: 'number', name, value: String(values[name]), min, max, step, inputmode: 'numeric' });
  const check = (name: keyof ConfigFormValues) =>
    h('input', { type: 'checkbox', name, checked: Boolean(values[name]) });

  const servers = h('textarea', { name: 'servers', rows: 2, spellcheck: 'false' }, values.servers);
  const baseDn = text('baseDn', { placeholder: 'DC=company,DC=local' });
  const encryption = h(
    'select',
    { name: 'encryption' },
    h('option', { value: 'ldaps', selected: values.encryption === 'ldaps' }, 'LDAPS (port 636)'),
    h('option', { value: 'starttls', selected: values.encryption === 'starttls' }, 'StartTLS (port 389)'),
  );
  const caCertificate = h(
    'textarea',
    {
      name: 'caCertificate',
      rows: 4,
      spellcheck: 'false',
      class: 'mono',
      placeholder: '-----BEGIN CERTIFICATE-----',
    },
    values.caCertificate,
  );
  const password = h('input', {
    type: 'password',
    name: 'password',
    autocomplete: 'new-password',
    value: draft.password,
  });
  const passwordBadge = h('span', { class: 'badge', id: 'password-state' });
  const passwordHint = (): string =>
    passwordSet
      ? 'Write-only: a password is set. Leave empty to keep it, or type a new one to replace it.'
      : 'Write-only: stored in the secret store, never shown again.';
  const showPasswordState = (): void => {
    passwordBadge.textContent = passwordSet ? 'set' : 'not set';
    passwordBadge.className = passwordSet ? 'badge badge-ok' : 'badge badge-warn';
    password.placeholder = passwordSet ? '•••••••• (set)' : '';
    const hint = document.getElementById(`${fieldId('password')}-hint`);
    if (hint) hint.textContent = passwordHint();
  };

  // Groups: the selected DNs and the picker.
  const groupsList = h('ul', { class: 'chosen-list', id: 'groups-list', 'aria-label': 'Selected groups' });
  const drawGroups = (): void => {
    replaceChildren(
      groupsList,
      values.groups.length === 0
        ? h('li', { class: 'empty' }, 'No groups selected: every user that passes the other filters.')
        : values.groups.map((dn) =>
            h(
              'li',
              {},
              h('span', { class: 'dn' }, dn),
              h(
                'button',
                {
                  type: 'button',
                  class: 'small',
                  'aria-label': `Remove group ${dn}`,
                  onclick: () => {
                    values.groups = values.groups.filter((g) => g !== dn);
                    markDirty();
                    drawGroups();
                    announce(`Removed ${dn}`);
                    document.getElementById(fieldId('groups'))?.focus();
                  },
                },
                'Remove',
              ),
            ),
          ),
    );
  };
  const addGroupsButton = h('button', { type: 'button', 'aria-haspopup': 'dialog' }, 'Add groups…');

  const privilegesSummary = h(
    'p',
    { class: 'summary', id: 'privileges-summary' },
    describePrivileges(values),
  );
  const privilegesButton = h(
    'button',
    { type: 'button', 'aria-haspopup': 'dialog', 'aria-describedby': 'privileges-summary' },
    'Edit default privileges…',
  );
  const baseDnButton = h('button', { type: 'button', 'aria-haspopup': 'dialog' }, 'Browse…');

  const saveButton = h('button', { type: 'submit', class: 'primary' }, 'Save');
  const testButton = h('button', { type: 'button' }, 'Test Settings');
  const discardButton = h('button', { type: 'button', class: 'link' }, 'Discard changes');

  const form = h(
    'form',
    { novalidate: true, id: 'directory-form', 'aria-labelledby': 'page-heading' },
    h(
      'fieldset',
      {},
      h('legend', {}, 'Connection'),
      field('servers', 'Servers', servers, {
        hint: 'One per line, host or host:port; tried in order. Empty: discover the domain controllers by DNS.',
      }),
      field('domain', 'Domain', text('domain', { placeholder: 'company.local' }), {
        hint: 'Needed when no servers are given.',
      }),
      field('baseDn', 'Base DN', baseDn, {
        hint: 'Where users are searched. Empty: the directory’s default naming context.',
        after: baseDnButton,
      }),
      field('encryption', 'Encryption', encryption),
      field('caCertificate', 'CA certificate', caCertificate, {
        hint: 'PEM, for a private PKI. Empty: the system’s trusted authorities.',
      }),
      field('tlsServerName', 'TLS server name', text('tlsServerName'), {
        hint: 'The name in the DC certificate, when the servers are given by IP address.',
      }),
      field('username', 'User name', text('username', { placeholder: 'svc-sync@company.local' }), {
        hint: 'UPN, DN or DOMAIN\\user of the read-only service account.',
      }),
      field('password', h('span', {}, 'Password ', passwordBadge), password, { hint: passwordHint() }),
      field('timeoutSeconds', 'Timeout (seconds)', number('timeoutSeconds', 1, 300)),
    ),
    h(
      'fieldset',
      {},
      h('legend', {}, 'Filters'),
      field(
        'exchangeUsersOnly',
        'Exchange users only (users with an email address)',
        check('exchangeUsersOnly'),
        {
          kind: 'check',
        },
      ),
      field('enabledUsersOnly', 'Enabled users only', check('enabledUsersOnly'), { kind: 'check' }),
      field(
        'visibleInAddressListsOnly',
        'Visible in address lists only',
        check('visibleInAddressListsOnly'),
        {
          kind: 'check',
        },
      ),
      field('groups', 'Groups', addGroupsButton, {
        hint: 'Only members of these groups (nested groups count).',
        after: groupsList,
      }),
    ),
    h(
      'fieldset',
      {},
      h('legend', {}, 'Options'),
      field('deleteUsers', 'Delete users that are no longer in the directory', check('deleteUsers'), {
        kind: 'check',
      }),
      h(
        'div',
        { class: 'row' },
        field('maxCount', 'Deletion threshold: at most (users)', number('maxCount', 0, 10_000_000)),
        field('maxPercent', 'or at most (% of directory users)', number('maxPercent', 0, 100, 0.1)),
      ),
      h(
        'p',
        { class: 'hint' },
        'Above either limit a sync applies creates and updates but no deletes, and says so; Synchronize now can then allow them once.',
      ),
    ),
    h(
      'fieldset',
      {},
      h('legend', {}, 'Default privileges'),
      field('privileges', 'Privileges of new users', privilegesButton, { after: privilegesSummary }),
    ),
    h(
      'fieldset',
      {},
      h('legend', {}, 'Schedule'),
      field('scheduleEnabled', 'Synchronize on a schedule', check('scheduleEnabled'), { kind: 'check' }),
      field('intervalMinutes', 'Every (minutes)', number('intervalMinutes', 5, 10_080)),
    ),
    h('div', { class: 'actions' }, saveButton, testButton, discardButton, dirtyNote),
    statusLine,
  );

  // Dialogs
  const baseDnDialog = h('dialog', { id: 'base-dn-dialog', 'aria-labelledby': 'base-dn-dialog-title' });
  const groupsDialog = h('dialog', { id: 'groups-dialog', 'aria-labelledby': 'groups-dialog-title' });
  const privilegesDialog = h('dialog', {
    id: 'privileges-dialog',
    'aria-labelledby': 'privileges-dialog-title',
  });

  replaceChildren(
    main,
    pageHeading('Directory Services'),
    h(
      'p',
      { class: 'intro' },
      'How ad-sync reads Active Directory, which users it takes, and what new users may do. Settings are saved as a new version; the password goes to the secret store only.',
    ),
    summary,
    form,
    baseDnDialog,
    groupsDialog,
    privilegesDialog,
  );
  drawGroups();
  showPasswordState();

  // Keeping the form's values
  form.addEventListener('input', (event) => {
    const target = event.target as HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement;
    const name = target.name as keyof ConfigFormValues | 'password' | '';
    if (!name) return;
    if (name === 'password') draft.password = target.value;
    else if (target instanceof HTMLInputElement && target.type === 'checkbox') {
      (values as unknown as Record<string, unknown>)[name] = target.checked;
    } else (values as unknown as Record<string, unknown>)[name] = target.value;
    markDirty();
    setFieldError(name, undefined);
  });

  // Errors
  const clearErrors = (): void => {
    for (const name of Object.keys(FIELD_LABELS) as FormField[]) setFieldError(name, undefined);
    summary.hidden = true;
    replaceChildren(summary);
  };
  const showSummary = (title: string, items: Child[]): void => {
    replaceChildren(
      summary,
      h('h2', {}, title),
      items.length > 0 ? h('ul', { class: 'alert-list' }, items) : '',
    );
    summary.hidden = false;
    summary.focus();
  };
  const fieldLink = (name: FormField, message: string): HTMLElement =>
    h(
      'li',
      {},
      h(
        'button',
        { type: 'button', class: 'link', onclick: () => focusField(name) },
        `${FIELD_LABELS[name]}: ${message}`,
      ),
    );
  const showFieldErrors = (title: string, errors: FieldErrors, extra: Child[] = []): void => {
    for (const [name, message] of errors.byField) {
      // Own-archive access has no control of its own: its error sits under the privileges button.
      if (name === 'ownArchiveAccess') {
        setFieldError('privileges', `Own archive access: ${message}`);
      } else setFieldError(name, message);
    }
    showSummary(title, [
      ...[...errors.byField].map(([name, message]) => fieldLink(name, message)),
      ...errors.other.map((issue: FieldIssue) => h('li', {}, `${issue.path}: ${issue.message}`)),
      ...extra,
    ]);
  };
  const showError = (error: unknown, action: string): void => {
    if (error instanceof ApiError && error.details.length > 0) {
      showFieldErrors(`${action}: the settings need attention`, fieldErrorsOf(error.details));
    } else if (error instanceof ApiError && error.code === 'VersionConflict') {
      showSummary(`${action}: the settings were changed elsewhere`, [
        h(
          'li',
          {},
          `${error.message}. `,
          h('button', { type: 'button', class: 'link', onclick: () => discard() }, 'Load the saved settings'),
        ),
      ]);
    } else {
      showSummary(`${action} failed`, [h('li', {}, error instanceof Error ? error.message : String(error))]);
    }
  };

  const busy = (label: string | undefined): void => {
    for (const button of [saveButton, testButton, discardButton]) button.disabled = label !== undefined;
    form.setAttribute('aria-busy', String(label !== undefined));
    statusLine.replaceChildren();
    if (label) statusLine.append(h('span', { class: 'spinner', 'aria-hidden': 'true' }), ` ${label}`);
  };

  const discard = async (): Promise<void> => {
    state.draft = undefined;
    await renderDirectoryPage(state, main);
    document.getElementById('form-status')?.replaceChildren('Showing the saved settings.');
  };

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors();
    busy('Saving…');
    try {
      const saved = await api.request<ConfigurationView>('PUT', '/config', settingsRequestOf(draft), {
        'if-match': String(draft.baseVersion),
      });
      passwordSet = saved.passwordSet;
      Object.assign(draft, { password: '', baseVersion: saved.version, dirty: false });
      password.value = '';
      showPasswordState();
      dirtyNote.textContent = '';
      busy(undefined);
      statusLine.textContent = `Saved as version ${saved.version}.`;
    } catch (error) {
      busy(undefined);
      showError(error, 'Save');
    }
  });

  testButton.addEventListener('click', async () => {
    clearErrors();
    busy('Testing the settings (connect, bind, search, filter, plan)…');
    try {
      const report = await api.request<Report>('POST', '/test-settings', settingsRequestOf(draft));
      state.lastTest = { report, unsaved: draft.dirty };
      busy(undefined);
      const failedField = fieldOfFailure(report);
      const failure = failureOf(report);
      if (failedField && failure) {
        statusLine.textContent = 'Test Settings failed.';
        showFieldErrors(
          `Test Settings failed${failure.step ? ` at step “${failure.step}”` : ''}`,
          { byField: new Map([[failedField, failure.message]]), other: [] },
          [h('li', {}, h('a', { href: '#/test' }, 'See the whole Test Settings result'))],
        );
      } else state.navigate('test');
    } catch (error) {
      busy(undefined);
      showError(error, 'Test Settings');
    }
  });

  discardButton.addEventListener('click', () => void discard());

  // The Base DN picker: the naming contexts of the directory the saved settings reach.
  baseDnButton.addEventListener('click', async () => {
    const status = h('p', { role: 'status' }, 'Reading the naming contexts…');
    const choices = h('div', { class: 'choices' });
    const useButton = h('button', { type: 'button', class: 'primary', disabled: true }, 'Use this Base DN');
    showDialog(baseDnDialog, baseDnButton, {
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
        ...dns.map((dn): [string, string] => [
          dn,
          dn === found.defaultNamingContext ? `${dn} (default)` : dn,
        ]),
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
      baseDn.value = chosen.value;
      markDirty();
      setFieldError('baseDn', undefined);
      baseDnDialog.close();
      announce(chosen.value ? `Base DN set to ${chosen.value}` : 'Base DN cleared');
    };
  });

  // The group picker: searched in the directory, several at a time.
  addGroupsButton.addEventListener('click', () => {
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
    showDialog(groupsDialog, addGroupsButton, {
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
            markDirty();
            setFieldError('groups', undefined);
            drawGroups();
            groupsDialog.close();
            announce(`${values.groups.length} groups selected`);
          },
        },
        'Use the checked groups',
      ),
    });
    search.focus();
    void runSearch();
  });

  // Default Privileges
  privilegesButton.addEventListener('click', () => {
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
    showDialog(privilegesDialog, privilegesButton, {
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
            privilegesSummary.textContent = describePrivileges(values);
            markDirty();
            setFieldError('privileges', undefined);
            privilegesDialog.close();
          },
        },
        'OK',
      ),
    });
  });

  // An error a failed test found elsewhere (the Test Settings page) is shown at its field.
  const pending = state.pendingFieldError;
  if (pending) {
    state.pendingFieldError = undefined;
    setFieldError(pending.field, pending.message);
    focusField(pending.field);
  }
}
