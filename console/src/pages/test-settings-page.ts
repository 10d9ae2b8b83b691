/**
 * Test Settings: the whole pipeline against the directory, nothing committed; the plan it would apply. The
 * test is started (the API answers 202 with a preview) and followed: its phase and counts show while it
 * runs, also after navigating away and back, then its report.
 */
import type { AppState, DirectoryDraft } from '../app-state';
import { settingsRequestOf } from '../config-form';
import { announce, h, pageHeading, replaceChildren } from '../dom';
import { explainBox } from '../explain-view';
import { FollowedOperation, progressView, showFollowing } from '../progress-view';
import { renderReport } from '../report-view';
import type { Report } from '../types';

/**
 * Starts Test Settings of the settings of `draft` (unsaved when it is dirty), or of the saved settings
 * without one, and keeps it in the state while it runs (this page shows it when opened) and its report when
 * it ends.
 */
export function startTestSettings(
  state: AppState,
  draft: DirectoryDraft | undefined,
): NonNullable<AppState['testInFlight']> {
  const body = draft ? settingsRequestOf(draft) : {};
  const inFlight = {
    operation: new FollowedOperation((onProgress) => state.api.testSettings(body, { onProgress })),
    unsaved: draft?.dirty === true,
  };
  state.testInFlight = inFlight;
  void inFlight.operation.done
    .then((report) => {
      state.lastTest = { report, unsaved: inFlight.unsaved };
    })
    .catch(() => {})
    .finally(() => {
      if (state.testInFlight === inFlight) state.testInFlight = undefined;
    });
  return inFlight;
}

export function renderTestSettingsPage(state: AppState, main: HTMLElement): void {
  const result = h('div', { id: 'test-result', 'aria-live': 'polite' });
  const status = h('p', { role: 'status', class: 'form-status' });
  const following = h('div', { id: 'test-following', hidden: true });
  const unsaved = state.draft?.dirty === true;
  const runButton = h('button', { type: 'button', class: 'primary' }, 'Run Test Settings');
  const explain = explainBox(state.api);

  const show = (report: Report, fromUnsaved: boolean): void => {
    replaceChildren(
      result,
      h(
        'p',
        { class: 'hint' },
        fromUnsaved ? 'Tested the unsaved settings of Directory Services.' : 'Tested the saved settings.',
      ),
      renderReport(report, {
        id: 'test',
        onEditField: state.editField,
        // The box explains with the saved settings; the report may be of unsaved ones (the hint says which).
        onExplain: (exclusion) => explain.explain(exclusion.distinguishedName, { focusResult: true }),
      }),
    );
  };

  const follow = ({ operation, unsaved: fromUnsaved }: NonNullable<AppState['testInFlight']>): void => {
    runButton.disabled = true;
    status.textContent = '';
    const view = progressView('test', 'Testing:');
    replaceChildren(following, view.element);
    following.hidden = false;
    result.setAttribute('aria-busy', 'true');
    showFollowing(view, operation);
    void operation.done
      .then(
        (report) => {
          status.textContent = `Test Settings ${report.status === 'succeeded' ? 'succeeded' : 'failed'}.`;
          show(report, fromUnsaved);
          announce(status.textContent);
        },
        (error: unknown) => {
          replaceChildren(
            result,
            h(
              'div',
              { class: 'alert alert-error', role: 'alert' },
              h('p', {}, `Test Settings could not run: ${(error as Error).message}`),
              h('p', {}, h('a', { href: '#/directory' }, 'Check the settings in Directory Services')),
            ),
          );
        },
      )
      .finally(() => {
        following.hidden = true;
        replaceChildren(following);
        runButton.disabled = false;
        result.removeAttribute('aria-busy');
      });
  };

  runButton.addEventListener('click', () => {
    replaceChildren(result);
    follow(startTestSettings(state, state.draft?.dirty ? state.draft : undefined));
  });

  replaceChildren(
    main,
    pageHeading('Test Settings'),
    h(
      'p',
      { class: 'intro' },
      'Runs the whole synchronization (resolve servers, connect, bind, search, filter, plan) and commits nothing: the plan shows what Synchronize now would do.',
    ),
    unsaved
      ? h('p', { class: 'alert alert-info' }, 'Directory Services has unsaved changes: the test uses them.')
      : '',
    h('div', { class: 'actions' }, runButton),
    following,
    status,
    explain.element,
    result,
  );
  if (state.testInFlight) follow(state.testInFlight);
  else if (state.lastTest) show(state.lastTest.report, state.lastTest.unsaved);
}
