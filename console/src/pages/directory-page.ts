/**
 * Directory Services: the configuration dialog of MailStore, as a page. The form (directory/directory-form.ts)
 * with its fields (directory/fields.ts) and three dialogs: the Base DN picker, the group picker and Default
 * Privileges (directory/*-dialog.ts). This page keeps the draft, saves and tests it, and shows every error at
 * the field it names.
 */
import { ApiError } from '../api-client';
import type { AppState, DirectoryDraft } from '../app-state';
import {
  type FieldErrors,
  type FormField,
  fieldErrorsOf,
  fieldOfFailure,
  formValuesOf,
  settingsRequestOf,
} from '../config-form';
import { announce, type Child, h, pageHeading, replaceChildren } from '../dom';
import { describeProgress } from '../progress-text';
import { FIELD_LABELS, failureOf } from '../report-view';
import type { ConfigurationView, FieldIssue } from '../types';
import { pickBaseDn } from './directory/base-dn-dialog';
import type { DraftEditor } from './directory/dialog';
import { type DirectoryForm, directoryForm, drawChosenGroups } from './directory/directory-form';
import { fieldId, focusField, setFieldError } from './directory/fields';
import { pickGroups } from './directory/groups-dialog';
import { tryMapping } from './directory/mapping-editor';
import { editPrivileges } from './directory/privileges-dialog';
import { startTestSettings } from './test-settings-page';

/** What the page's parts share: the draft being edited, the form showing it and the error summary above it. */
interface DirectoryPage {
  readonly state: AppState;
  /** Where the page is drawn (and drawn again by Discard). */
  readonly main: HTMLElement;
  readonly draft: DirectoryDraft;
  readonly form: DirectoryForm;
  readonly summary: HTMLElement;
  /** Whether a password is saved (a Save can change it). */
  passwordSet: boolean;
}

/**
 * Draws Directory Services into `main`: the saved settings, or the tab's draft when it was started from the
 * saved version, with Save, Test Settings, Discard and the three dialogs wired, and an error a failed test
 * left for a field shown at it.
 */
export async function renderDirectoryPage(state: AppState, main: HTMLElement): Promise<void> {
  const view = await state.api.request<ConfigurationView>('GET', '/config');
  const draft: DirectoryDraft =
    state.draft && state.draft.baseVersion === view.version
      ? state.draft
      : { values: formValuesOf(view.config), password: '', baseVersion: view.version, dirty: false };
  state.draft = draft;
  const page: DirectoryPage = {
    state,
    main,
    draft,
    form: directoryForm(draft.values, draft.password, passwordHint(view.passwordSet)),
    summary: h('div', { class: 'alert alert-error', id: 'error-summary', tabindex: -1, hidden: true }),
    passwordSet: view.passwordSet,
  };
  const { form, buttons } = page.form;
  if (draft.dirty) page.form.dirtyNote.textContent = 'Unsaved changes';

  const dialogs = {
    baseDn: h('dialog', { id: 'base-dn-dialog', 'aria-labelledby': 'base-dn-dialog-title' }),
    groups: h('dialog', { id: 'groups-dialog', 'aria-labelledby': 'groups-dialog-title' }),
    privileges: h('dialog', {
      id: 'privileges-dialog',
      'aria-labelledby': 'privileges-dialog-title',
    }),
  };

  replaceChildren(
    main,
    pageHeading('Directory Services'),
    h(
      'p',
      { class: 'intro' },
      'How ad-sync reads Active Directory, which users it takes, and what new users may do. Settings are saved as a new version; the password goes to the secret store only.',
    ),
    page.summary,
    form,
    dialogs.baseDn,
    dialogs.groups,
    dialogs.privileges,
  );
  drawGroups(page);
  showPasswordState(page);

  form.addEventListener('input', (event) => keepFormValue(page, event));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void save(page);
  });
  buttons.test.addEventListener('click', () => void testSettings(page));
  page.form.mapping.tryButton.addEventListener(
    'click',
    () => void tryMapping(state.api, page.form.mapping, page.draft.values),
  );
  buttons.discard.addEventListener('click', () => void discard(page));
  wireDialogs(page, dialogs);

  // An error a failed test found elsewhere (the Test Settings page) is shown at its field.
  const pending = state.pendingFieldError;
  if (pending) {
    state.pendingFieldError = undefined;
    setFieldError(pending.field, pending.message);
    focusField(pending.field);
  }
}

const passwordHint = (passwordSet: boolean): string =>
  passwordSet
    ? 'Write-only: a password is set. Leave empty to keep it, or type a new one to replace it.'
    : 'Write-only: stored in the secret store, never shown again.';

function markDirty(page: DirectoryPage): void {
  page.draft.dirty = true;
  page.form.dirtyNote.textContent = 'Unsaved changes';
}

function showPasswordState(page: DirectoryPage): void {
  const { passwordBadge, password } = page.form;
  passwordBadge.textContent = page.passwordSet ? 'set' : 'not set';
  passwordBadge.className = page.passwordSet ? 'badge badge-ok' : 'badge badge-warn';
  password.placeholder = page.passwordSet ? '•••••••• (set)' : '';
  const hint = document.getElementById(`${fieldId('password')}-hint`);
  if (hint) hint.textContent = passwordHint(page.passwordSet);
}

function drawGroups(page: DirectoryPage): void {
  const { values } = page.draft;
  drawChosenGroups(page.form.groupsList, values.groups, (dn) => {
    values.groups = values.groups.filter((g) => g !== dn);
    markDirty(page);
    drawGroups(page);
    announce(`Removed ${dn}`);
    document.getElementById(fieldId('groups'))?.focus();
  });
}

/** Keeps what was typed or ticked in the draft (the password apart from the values). */
function keepFormValue(page: DirectoryPage, event: Event): void {
  const { draft } = page;
  const target = event.target as HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement;
  const name = target.name as FormField | '';
  if (!name) return;
  if (name === 'password') draft.password = target.value;
  else if (target instanceof HTMLInputElement && target.type === 'checkbox') {
    (draft.values as unknown as Record<string, unknown>)[name] = target.checked;
  } else (draft.values as unknown as Record<string, unknown>)[name] = target.value;
  markDirty(page);
  setFieldError(name, undefined);
}

/** The Base DN, groups and Default Privileges buttons open their dialogs, which edit the draft. */
function wireDialogs(
  page: DirectoryPage,
  dialogs: {
    readonly baseDn: HTMLDialogElement;
    readonly groups: HTMLDialogElement;
    readonly privileges: HTMLDialogElement;
  },
): void {
  const { api } = page.state;
  const { buttons, baseDn, privilegesSummary } = page.form;
  const editor: DraftEditor = {
    values: page.draft.values,
    changed: (name) => {
      markDirty(page);
      setFieldError(name, undefined);
    },
  };
  buttons.baseDn.addEventListener('click', () =>
    pickBaseDn(dialogs.baseDn, buttons.baseDn, { api, editor, input: baseDn }),
  );
  buttons.addGroups.addEventListener('click', () =>
    pickGroups(dialogs.groups, buttons.addGroups, { api, editor, redraw: () => drawGroups(page) }),
  );
  buttons.privileges.addEventListener('click', () =>
    editPrivileges(dialogs.privileges, buttons.privileges, { editor, summary: privilegesSummary }),
  );
}

function clearErrors(summary: HTMLElement): void {
  for (const name of Object.keys(FIELD_LABELS) as FormField[]) setFieldError(name, undefined);
  summary.hidden = true;
  replaceChildren(summary);
}

function showSummary(summary: HTMLElement, title: string, items: Child[]): void {
  replaceChildren(
    summary,
    h('h2', {}, title),
    items.length > 0 ? h('ul', { class: 'alert-list' }, items) : '',
  );
  summary.hidden = false;
  summary.focus();
}

/** A line of the summary that takes the focus to the field it is about. */
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

function showFieldErrors(
  summary: HTMLElement,
  title: string,
  errors: FieldErrors,
  extra: Child[] = [],
): void {
  for (const [name, message] of errors.byField) {
    // Own-archive access has no control of its own: its error sits under the privileges button.
    if (name === 'ownArchiveAccess') {
      setFieldError('privileges', `Own archive access: ${message}`);
    } else setFieldError(name, message);
  }
  showSummary(summary, title, [
    ...[...errors.byField].map(([name, message]) => fieldLink(name, message)),
    ...errors.other.map((issue: FieldIssue) => h('li', {}, `${issue.path}: ${issue.message}`)),
    ...extra,
  ]);
}

/** A failed Save or Test Settings: at the fields it names, a version conflict with a way to reload, or as is. */
function showError(page: DirectoryPage, error: unknown, action: string): void {
  const { summary } = page;
  if (error instanceof ApiError && error.details.length > 0) {
    showFieldErrors(summary, `${action}: the settings need attention`, fieldErrorsOf(error.details));
  } else if (error instanceof ApiError && error.code === 'VersionConflict') {
    showSummary(summary, `${action}: the settings were changed elsewhere`, [
      h(
        'li',
        {},
        `${error.message}. `,
        h(
          'button',
          { type: 'button', class: 'link', onclick: () => discard(page) },
          'Load the saved settings',
        ),
      ),
    ]);
  } else {
    showSummary(summary, `${action} failed`, [
      h('li', {}, error instanceof Error ? error.message : String(error)),
    ]);
  }
}

/** With a label: the buttons off, the form busy and the label with a spinner; without: all back. */
function busy(page: DirectoryPage, label: string | undefined): void {
  const { form, statusLine, buttons } = page.form;
  for (const button of [buttons.save, buttons.test, buttons.discard]) button.disabled = label !== undefined;
  form.setAttribute('aria-busy', String(label !== undefined));
  statusLine.replaceChildren();
  if (label) statusLine.append(h('span', { class: 'spinner', 'aria-hidden': 'true' }), ` ${label}`);
}

/** Drops the draft and draws the saved settings. */
async function discard(page: DirectoryPage): Promise<void> {
  page.state.draft = undefined;
  await renderDirectoryPage(page.state, page.main);
  document.getElementById('form-status')?.replaceChildren('Showing the saved settings.');
}

/** Saves the draft as a new version of the one it was started from (a conflict if another came between). */
async function save(page: DirectoryPage): Promise<void> {
  const { draft } = page;
  clearErrors(page.summary);
  busy(page, 'Saving…');
  try {
    const saved = await page.state.api.request<ConfigurationView>(
      'PUT',
      '/config',
      settingsRequestOf(draft),
      {
        'if-match': String(draft.baseVersion),
      },
    );
    page.passwordSet = saved.passwordSet;
    Object.assign(draft, { password: '', baseVersion: saved.version, dirty: false });
    page.form.password.value = '';
    showPasswordState(page);
    page.form.dirtyNote.textContent = '';
    busy(page, undefined);
    page.form.statusLine.textContent = `Saved as version ${saved.version}.`;
  } catch (error) {
    busy(page, undefined);
    showError(page, error, 'Save');
  }
}

/**
 * Tests the draft: a failure about one setting is shown at its field; any other result opens the Test
 * Settings page (unless the administrator has left this one meanwhile).
 */
async function testSettings(page: DirectoryPage): Promise<void> {
  const { state, form } = page;
  const { statusLine } = form;
  clearErrors(page.summary);
  const testing = (phase: string) => `Testing the settings: ${phase}…`;
  busy(page, testing('starting'));
  // The test runs on the server (202 and polling): the status line follows its phase, not each count, so
  // that a screen reader is told only what changes.
  const { operation } = startTestSettings(state, page.draft);
  let shown = '';
  const stopFollowing = operation.subscribe(() => {
    const phase = describeProgress(operation.latest?.progress).phase.toLowerCase();
    if (phase === shown || !statusLine.isConnected) return;
    shown = phase;
    busy(page, testing(phase));
  });
  try {
    const report = await operation.done;
    busy(page, undefined);
    const failedField = fieldOfFailure(report);
    const failure = failureOf(report);
    if (failedField && failure) {
      statusLine.textContent = 'Test Settings failed.';
      showFieldErrors(
        page.summary,
        `Test Settings failed${failure.step ? ` at step “${failure.step}”` : ''}`,
        { byField: new Map([[failedField, failure.message]]), other: [] },
        [h('li', {}, h('a', { href: '#/test' }, 'See the whole Test Settings result'))],
      );
    } else if (statusLine.isConnected) state.navigate('test');
  } catch (error) {
    busy(page, undefined);
    showError(page, error, 'Test Settings');
  } finally {
    stopFollowing();
  }
}
