/**
 * The Directory Services form: connection (servers, domain, Base DN with its picker button, encryption, CA
 * certificate, account, write-only password), the four filters with the chosen groups, the delete option
 * with its threshold, Default Privileges, schedule; Save, Test Settings and Discard. Its controls start with
 * the draft's values; the page (directory-page.ts) keeps the draft and wires the buttons.
 */

import type { ConfigFormValues } from '../../config-form';
import { h, replaceChildren } from '../../dom';
import { field } from './fields';
import { type MappingEditor, mappingFieldset } from './mapping-editor';
import { describePrivileges } from './privileges-dialog';

export interface DirectoryForm {
  readonly form: HTMLFormElement;
  /** The attribute mapping, with its Try on user (mapping-editor.ts). */
  readonly mapping: MappingEditor;
  /** What the form is doing (saving, testing) and what came of it. */
  readonly statusLine: HTMLElement;
  readonly dirtyNote: HTMLElement;
  readonly baseDn: HTMLInputElement;
  readonly password: HTMLInputElement;
  /** Whether a password is saved: `set` or `not set`. */
  readonly passwordBadge: HTMLElement;
  readonly groupsList: HTMLElement;
  readonly privilegesSummary: HTMLElement;
  readonly buttons: {
    readonly baseDn: HTMLButtonElement;
    readonly addGroups: HTMLButtonElement;
    readonly privileges: HTMLButtonElement;
    readonly save: HTMLButtonElement;
    readonly test: HTMLButtonElement;
    readonly discard: HTMLButtonElement;
  };
}

/** The form with `values`, the unsaved `password`, and the password field's `passwordHint`. */
export function directoryForm(
  values: ConfigFormValues,
  password: string,
  passwordHint: string,
): DirectoryForm {
  const baseDn = textInput(values, 'baseDn', { placeholder: 'DC=company,DC=local' });
  const passwordInput = h('input', {
    type: 'password',
    name: 'password',
    autocomplete: 'new-password',
    value: password,
  });
  const passwordBadge = h('span', { class: 'badge', id: 'password-state' });

  const groupsList = h('ul', { class: 'chosen-list', id: 'groups-list', 'aria-label': 'Selected groups' });
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
  const statusLine = h('p', { class: 'form-status', role: 'status', id: 'form-status' });
  const dirtyNote = h('span', { class: 'dirty-note', id: 'dirty-note' });

  const mapping = mappingFieldset(values);
  const form = h(
    'form',
    { novalidate: true, id: 'directory-form', 'aria-labelledby': 'page-heading' },
    connectionFieldset(values, { baseDn, baseDnButton, passwordInput, passwordBadge, passwordHint }),
    filtersFieldset(values, addGroupsButton, groupsList),
    optionsFieldset(values),
    h(
      'fieldset',
      {},
      h('legend', {}, 'Default privileges'),
      field('privileges', 'Privileges of new users', privilegesButton, { after: privilegesSummary }),
    ),
    scheduleFieldset(values),
    mapping.fieldset,
    h('div', { class: 'actions' }, saveButton, testButton, discardButton, dirtyNote),
    statusLine,
  );

  return {
    form,
    mapping,
    statusLine,
    dirtyNote,
    baseDn,
    password: passwordInput,
    passwordBadge,
    groupsList,
    privilegesSummary,
    buttons: {
      baseDn: baseDnButton,
      addGroups: addGroupsButton,
      privileges: privilegesButton,
      save: saveButton,
      test: testButton,
      discard: discardButton,
    },
  };
}

const textInput = (
  values: ConfigFormValues,
  name: keyof ConfigFormValues,
  props: Record<string, string | number | boolean> = {},
): HTMLInputElement =>
  h('input', {
    type: 'text',
    name,
    value: String(values[name]),
    autocomplete: 'off',
    spellcheck: 'false',
    ...props,
  });

const numberInput = (
  values: ConfigFormValues,
  name: keyof ConfigFormValues,
  min: number,
  max: number,
  step: number | 'any' = 1,
): HTMLInputElement =>
  h('input', {
    type: 'number',
    name,
    value: String(values[name]),
    min,
    max,
    step,
    inputmode: step === 1 ? 'numeric' : 'decimal',
  });

const checkbox = (values: ConfigFormValues, name: keyof ConfigFormValues): HTMLInputElement =>
  h('input', { type: 'checkbox', name, checked: Boolean(values[name]) });

/** Servers, domain, Base DN (with its Browse button), encryption, CA certificate, account and password. */
function connectionFieldset(
  values: ConfigFormValues,
  parts: {
    readonly baseDn: HTMLInputElement;
    readonly baseDnButton: HTMLButtonElement;
    readonly passwordInput: HTMLInputElement;
    readonly passwordBadge: HTMLElement;
    readonly passwordHint: string;
  },
): HTMLElement {
  const servers = h('textarea', { name: 'servers', rows: 2, spellcheck: 'false' }, values.servers);
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
  return h(
    'fieldset',
    {},
    h('legend', {}, 'Connection'),
    field('servers', 'Servers', servers, {
      hint: 'One per line, host or host:port; tried in order. Empty: discover the domain controllers by DNS.',
    }),
    field('domain', 'Domain', textInput(values, 'domain', { placeholder: 'company.local' }), {
      hint: 'Needed when no servers are given.',
    }),
    field('baseDn', 'Base DN', parts.baseDn, {
      hint: 'Where users are searched. Empty: the directory’s default naming context.',
      after: parts.baseDnButton,
    }),
    field('encryption', 'Encryption', encryption),
    field('caCertificate', 'CA certificate', caCertificate, {
      hint: 'PEM, for a private PKI. Empty: the system’s trusted authorities.',
    }),
    field('tlsServerName', 'TLS server name', textInput(values, 'tlsServerName'), {
      hint: 'The name in the DC certificate, when the servers are given by IP address.',
    }),
    field('username', 'User name', textInput(values, 'username', { placeholder: 'svc-sync@company.local' }), {
      hint: 'UPN, DN or DOMAIN\\user of the read-only service account.',
    }),
    field('password', h('span', {}, 'Password ', parts.passwordBadge), parts.passwordInput, {
      hint: parts.passwordHint,
    }),
    field('timeoutSeconds', 'Timeout (seconds)', numberInput(values, 'timeoutSeconds', 1, 300)),
  );
}

/** The three attribute filters and the groups filter, with the chosen groups under its Add button. */
function filtersFieldset(
  values: ConfigFormValues,
  addGroupsButton: HTMLButtonElement,
  groupsList: HTMLElement,
): HTMLElement {
  return h(
    'fieldset',
    {},
    h('legend', {}, 'Filters'),
    field(
      'exchangeUsersOnly',
      'Exchange users only (users with an email address)',
      checkbox(values, 'exchangeUsersOnly'),
      {
        kind: 'check',
      },
    ),
    field('enabledUsersOnly', 'Enabled users only', checkbox(values, 'enabledUsersOnly'), { kind: 'check' }),
    field(
      'visibleInAddressListsOnly',
      'Visible in address lists only',
      checkbox(values, 'visibleInAddressListsOnly'),
      {
        kind: 'check',
      },
    ),
    field('groups', 'Groups', addGroupsButton, {
      hint: 'Only members of these groups (nested groups count).',
      after: groupsList,
    }),
  );
}

/** Deleting users: the option, its threshold and the grace period. */
function optionsFieldset(values: ConfigFormValues): HTMLElement {
  return h(
    'fieldset',
    {},
    h('legend', {}, 'Options'),
    field(
      'deleteUsers',
      'Delete users that are no longer in the directory',
      checkbox(values, 'deleteUsers'),
      {
        kind: 'check',
      },
    ),
    h(
      'div',
      { class: 'row' },
      field(
        'maxCount',
        'Deletion threshold: at most (users)',
        numberInput(values, 'maxCount', 0, 10_000_000),
      ),
      field(
        'maxPercent',
        'or at most (% of directory users)',
        numberInput(values, 'maxPercent', 0, 100, 0.1),
      ),
    ),
    h(
      'p',
      { class: 'hint' },
      'Above either limit a sync applies creates and updates but no deletes, and says so; Synchronize now can then allow them once.',
    ),
    field(
      'deletionGraceDays',
      'Keep deleted users suspended for (days)',
      numberInput(values, 'deletionGraceDays', 0, 365),
      {
        hint: '0 to 365. 0: delete at once, as MailStore does. Otherwise a deleted user is suspended (it cannot log on), deleted when the days have passed, and restored if it comes back in scope. Suspensions count against the threshold.',
      },
    ),
  );
}

function scheduleFieldset(values: ConfigFormValues): HTMLElement {
  return h(
    'fieldset',
    {},
    h('legend', {}, 'Schedule'),
    field('scheduleEnabled', 'Synchronize on a schedule', checkbox(values, 'scheduleEnabled'), {
      kind: 'check',
    }),
    field('intervalMinutes', 'Every (minutes)', numberInput(values, 'intervalMinutes', 1, 10_080)),
    field(
      'changeNotifications',
      'Synchronize changes within seconds (AD change notifications)',
      checkbox(values, 'changeNotifications'),
      {
        kind: 'check',
        hint: 'A watch keeps a change notification search open on the domain controller; a change starts a run within seconds. The schedule stays on as the safety net. The Runs page shows the watch.',
      },
    ),
    h(
      'div',
      { class: 'row' },
      field(
        'failuresBeforeBackoff',
        'Back off after (failed runs in a row)',
        numberInput(values, 'failuresBeforeBackoff', 1, 100),
      ),
      field(
        'staleAfterHours',
        'Stale after (hours)',
        numberInput(values, 'staleAfterHours', 0.01, 720, 'any'),
      ),
    ),
    h(
      'p',
      { class: 'hint' },
      'After that many failed scheduled runs in a row the schedule waits twice as long each time, at most a day, until a run succeeds; Synchronize now always runs. When no run has succeeded for the hours given, the sync is stale. Both are shown above every page and published as run events.',
    ),
  );
}

/** Lists the chosen groups, each with its Remove button. */
export function drawChosenGroups(
  list: HTMLElement,
  groups: readonly string[],
  remove: (dn: string) => void,
): void {
  replaceChildren(
    list,
    groups.length === 0
      ? h('li', { class: 'empty' }, 'No groups selected: every user that passes the other filters.')
      : groups.map((dn) =>
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
                onclick: () => remove(dn),
              },
              'Remove',
            ),
          ),
        ),
  );
}
