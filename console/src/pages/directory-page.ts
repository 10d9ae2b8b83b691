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
import { directoryForm, drawChosenGroups } from './directory/directory-form';
import { fieldId, focusField, setFieldError } from './directory/fields';
import { pickGroups } from './directory/groups-dialog';
import { editPrivileges } from './directory/privileges-dialog';
import { startTestSettings } from './test-settings-page';

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

  const passwordHint = (): string =>
    passwordSet
      ? 'Write-only: a password is set. Leave empty to keep it, or type a new one to replace it.'
      : 'Write-only: stored in the secret store, never shown again.';
  const {
    form,
    statusLine,
    dirtyNote,
    baseDn,
    password,
    passwordBadge,
    groupsList,
    privilegesSummary,
    buttons,
  } = directoryForm(values, draft.password, passwordHint());
  const summary = h('div', { class: 'alert alert-error', id: 'error-summary', tabindex: -1, hidden: true });
  const markDirty = (): void => {
    draft.dirty = true;
    dirtyNote.textContent = 'Unsaved changes';
  };
  if (draft.dirty) dirtyNote.textContent = 'Unsaved changes';
  const editor: DraftEditor = {
    values,
    changed: (name) => {
      markDirty();
      setFieldError(name, undefined);
    },
  };
  const showPasswordState = (): void => {
    passwordBadge.textContent = passwordSet ? 'set' : 'not set';
    passwordBadge.className = passwordSet ? 'badge badge-ok' : 'badge badge-warn';
    password.placeholder = passwordSet ? '•••••••• (set)' : '';
    const hint = document.getElementById(`${fieldId('password')}-hint`);
    if (hint) hint.textContent = passwordHint();
  };
  const drawGroups = (): void =>
    drawChosenGroups(groupsList, values.groups, (dn) => {
      values.groups = values.groups.filter((g) => g !== dn);
      markDirty();
      drawGroups();
      announce(`Removed ${dn}`);
      document.getElementById(fieldId('groups'))?.focus();
    });
  const { save: saveButton, test: testButton, discard: discardButton } = buttons;

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
    const name = target.name as FormField | '';
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
    const testing = (phase: string) => `Testing the settings: ${phase}…`;
    busy(testing('starting'));
    // The test runs on the server (202 and polling): the status line follows its phase, not each count, so
    // that a screen reader is told only what changes.
    const { operation } = startTestSettings(state, draft);
    let shown = '';
    const stopFollowing = operation.subscribe(() => {
      const phase = describeProgress(operation.latest?.progress).phase.toLowerCase();
      if (phase === shown || !statusLine.isConnected) return;
      shown = phase;
      busy(testing(phase));
    });
    try {
      const report = await operation.done;
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
      } else if (statusLine.isConnected) state.navigate('test');
    } catch (error) {
      busy(undefined);
      showError(error, 'Test Settings');
    } finally {
      stopFollowing();
    }
  });

  discardButton.addEventListener('click', () => void discard());

  buttons.baseDn.addEventListener('click', () =>
    pickBaseDn(baseDnDialog, buttons.baseDn, { api, editor, input: baseDn }),
  );
  buttons.addGroups.addEventListener('click', () =>
    pickGroups(groupsDialog, buttons.addGroups, { api, editor, redraw: drawGroups }),
  );
  buttons.privileges.addEventListener('click', () =>
    editPrivileges(privilegesDialog, buttons.privileges, { editor, summary: privilegesSummary }),
  );

  // An error a failed test found elsewhere (the Test Settings page) is shown at its field.
  const pending = state.pendingFieldError;
  if (pending) {
    state.pendingFieldError = undefined;
    setFieldError(pending.field, pending.message);
    focusField(pending.field);
  }
}
