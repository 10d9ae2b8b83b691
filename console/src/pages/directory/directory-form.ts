/**
 * The Directory Services form: connection (servers, domain, Base DN with its picker button, encryption, CA
 * certificate, account, write-only password), the four filters with the chosen groups, the delete option
 * with its threshold, Default Privileges, schedule; Save, Test Settings and Discard. Its controls start with
 * the draft's values; the page (directory-page.ts) keeps the draft and wires the buttons.
 */
import type { ConfigFormValues } from '../../config-form';
import { h, replaceChildren } from '../../dom';
import { field } from './fields';
import { describePrivileges } from './privileges-dialog';

export interface DirectoryForm {
  readonly form: HTMLFormElement;
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
      field('password', h('span', {}, 'Password ', passwordBadge), passwordInput, { hint: passwordHint }),
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
      field(
        'deletionGraceDays',
        'Keep deleted users suspended for (days)',
        number('deletionGraceDays', 0, 365),
        {
          hint: '0 to 365. 0: delete at once, as MailStore does. Otherwise a deleted user is suspended (it cannot log on), deleted when the days have passed, and restored if it comes back in scope. Suspensions count against the threshold.',
        },
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
      field('intervalMinutes', 'Every (minutes)', number('intervalMinutes', 1, 10_080)),
    ),
    h('div', { class: 'actions' }, saveButton, testButton, discardButton, dirtyNote),
    statusLine,
  );

  return {
    form,
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
